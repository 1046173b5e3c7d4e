import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATION_NAMES } from '@csledger/migrations/postgres'
import { migratePostgres, openPostgresStore } from '@csledger/ledger-postgres'
import { initClinic } from '../store-contract/clinic-scenario.ts'
import { postgresEnv, query, uniqueName } from './pg-test-env.ts'

const env = postgresEnv()

function databaseUrl(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function tableExists(url: string, table: string): Promise<boolean> {
  return (await query<{ t: string | null }>(url, 'SELECT to_regclass($1)::text AS t', [`public.${table}`])).rows[0]!.t !== null
}

describe.skipIf(!env)('PostgreSQL migrations (explicit, never on open)', () => {
  const databases: string[] = []
  let ownerUrl: string
  let appUrl: string

  /** A new database owned by csledger_owner; this one collates text like a typical US server (ICU en-US). */
  async function createDatabase(options = "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8' ENCODING 'UTF8'"): Promise<string> {
    const name = uniqueName('csl_mig')
    await query(env!.ownerUrl, `CREATE DATABASE ${name} ${options} TEMPLATE template0`)
    databases.push(name)
    return name
  }

  beforeAll(async () => {
    const db = await createDatabase()
    ownerUrl = databaseUrl(env!.ownerUrl, db)
    appUrl = databaseUrl(env!.appUrl, db)
  })
  afterAll(async () => {
    for (const db of databases) await query(env!.ownerUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
  })

  it('given a database without the csledger schema, when a store opens it, then it is refused with NEEDS_MIGRATION and nothing is created', async () => {
    await expect(openPostgresStore(ownerUrl, { create: true })).rejects.toMatchObject({ code: 'NEEDS_MIGRATION' })
    await expect(openPostgresStore(appUrl)).rejects.toMatchObject({ code: 'NEEDS_MIGRATION' })
    expect(await tableExists(ownerUrl, 'kysely_migration')).toBe(false)
    expect(await tableExists(ownerUrl, 'ledger')).toBe(false)
  })

  it('given the application role, when it runs migrate, then the migration fails for lack of privilege and nothing is kept', async () => {
    await expect(migratePostgres(appUrl)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' })
    expect(await tableExists(ownerUrl, 'ledger')).toBe(false)
  })

  it('given the owner role, when migrate runs, then it applies every migration in order; a second run applies none', async () => {
    expect(await migratePostgres(ownerUrl)).toEqual({ applied: POSTGRES_MIGRATION_NAMES, current: POSTGRES_MIGRATION_NAMES })
    expect(await migratePostgres(ownerUrl)).toEqual({ applied: [], current: POSTGRES_MIGRATION_NAMES })
  })

  it('given a migrated database whose server collates text by locale, then keys still sort in code point order, as SQLite and the in-memory projections sort them', async () => {
    const store = await openPostgresStore(appUrl, { create: true, poolSize: 1 })
    try {
      const c = await initClinic(store, store.ledgerId)
      for (const code of ['b-1', 'B-2', 'a-3', 'Z-0', '0-x']) await c.ledger.addLocation({ code, name: `Location ${code}`, by: c.pic })
      expect((await store.read().list('location')).map((l) => l.code)).toEqual(['0-x', 'B-2', 'SAFE-1', 'Z-0', 'a-3', 'b-1'])
      const server = await query<{ order: string }>(ownerUrl, "SELECT string_agg(x, ',' ORDER BY x) AS order FROM unnest(ARRAY['b-1','B-2','a-3','Z-0','0-x','SAFE-1']) x")
      expect(server.rows[0]!.order).toBe('0-x,a-3,b-1,B-2,SAFE-1,Z-0') // the locale's own order differs
    } finally {
      await store.close()
    }
  })

  it('given a database migrated by a newer csledger, then opening and migrating are refused with SCHEMA_TOO_NEW', async () => {
    await query(ownerUrl, "INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', now()::text)")
    try {
      await expect(openPostgresStore(appUrl)).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' })
      await expect(migratePostgres(ownerUrl)).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' })
    } finally {
      await query(ownerUrl, "DELETE FROM kysely_migration WHERE name = '9999-from-the-future'")
    }
  })

  it('given a database that is not UTF8, when migrate runs, then it fails naming the first migration and creates no tables', async () => {
    const db = await createDatabase("ENCODING 'SQL_ASCII' LOCALE 'C'")
    const url = databaseUrl(env!.ownerUrl, db)
    const failed = migratePostgres(url)
    await expect(failed).rejects.toMatchObject({ code: 'MIGRATION_FAILED' })
    await expect(failed).rejects.toThrow(/0001-create-ledger.*UTF8/)
    expect(await tableExists(url, 'ledger')).toBe(false)
  })
})
