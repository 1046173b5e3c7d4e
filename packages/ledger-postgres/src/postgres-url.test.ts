import { describe, expect, it } from 'vitest'
import { isPostgresUrl, parsePostgresUrl, redactPassword } from './postgres-url.ts'

describe('parsePostgresUrl', () => {
  it('given a URL with a ledger parameter, then the ledger is taken out and the other parameters stay for pg', () => {
    const p = parsePostgresUrl('postgres://clinic_a:s3cret@db.example:6432/csledger?sslmode=require&ledger=2f7c-aa')
    expect(p.ledgerId).toBe('2f7c-aa')
    expect(p.connectionString).toBe('postgres://clinic_a:s3cret@db.example:6432/csledger?sslmode=require')
    expect(p.display).toBe('postgres://clinic_a:***@db.example:6432/csledger?sslmode=require')
  })

  it('given no ledger parameter, then none is selected', () => {
    expect(parsePostgresUrl('postgresql://db.example/csledger').ledgerId).toBeUndefined()
  })

  it('given two ledger parameters, an empty one, or not a postgres URL, then it is an input error', () => {
    expect(() => parsePostgresUrl('postgres://h/db?ledger=a&ledger=b')).toThrow(expect.objectContaining({ code: 'BAD_POSTGRES_URL' }))
    expect(() => parsePostgresUrl('postgres://h/db?ledger=')).toThrow(expect.objectContaining({ code: 'BAD_POSTGRES_URL' }))
    expect(() => parsePostgresUrl('clinic.db')).toThrow(expect.objectContaining({ code: 'NOT_A_POSTGRES_URL' }))
  })

  it('tells a PostgreSQL --db from a file path', () => {
    expect(isPostgresUrl('postgres://h/db')).toBe(true)
    expect(isPostgresUrl('POSTGRESQL://h/db')).toBe(true)
    expect(isPostgresUrl('./postgres.db')).toBe(false)
  })

  it('masks the password even in a URL it cannot parse', () => {
    expect(redactPassword('postgres://u:p%zz@h/db')).not.toContain('p%zz')
  })
})
