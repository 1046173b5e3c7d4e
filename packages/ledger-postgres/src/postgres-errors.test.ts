import { describe, expect, it } from 'vitest'
import { ConflictError, RuleViolation, StoreError } from '@csledger/ledger-core'
import { mapPostgresError } from './postgres-errors.ts'

const pgError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code })

describe('mapPostgresError', () => {
  it.each([
    ['CL001', ConflictError, 'APPEND_REJECTED'],
    ['CL002', ConflictError, 'APPEND_REJECTED'],
    ['23505', ConflictError, 'APPEND_REJECTED'],
    ['55P03', ConflictError, 'BUSY'],
    ['40P01', ConflictError, 'BUSY'],
    ['42501', StoreError, 'PERMISSION_DENIED'],
    ['42P01', StoreError, 'NEEDS_MIGRATION'],
    ['28P01', StoreError, 'DB_LOGIN_FAILED'],
    ['3D000', StoreError, 'NO_DATABASE'],
    ['ECONNREFUSED', StoreError, 'CANNOT_CONNECT'],
    ['53100', StoreError, 'DISK_FULL'],
    ['25006', StoreError, 'READ_ONLY'],
  ])('given SQLSTATE %s, then it is a %o with code %s and a hint', (code, type, expected) => {
    const mapped = mapPostgresError(pgError(code), 'postgres://u:***@h/db')
    expect(mapped).toBeInstanceOf(type)
    expect(mapped).toMatchObject({ code: expected, hint: expect.any(String) })
  })

  it('passes ledger errors through and leaves unknown errors as they are (a bug)', () => {
    const rule = new RuleViolation('INSUFFICIENT_STOCK', 'no')
    expect(mapPostgresError(rule, 'x')).toBe(rule)
    const odd = pgError('XX000')
    expect(mapPostgresError(odd, 'x')).toBe(odd)
  })
})
