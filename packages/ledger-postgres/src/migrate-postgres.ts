import { StoreError } from '@csledger/ledger-core'
import { POSTGRES_MIGRATION_NAMES, postgresMigrationProvider } from '@csledger/migrations/postgres'
import { mapPostgresError } from './postgres-errors.ts'
import { parsePostgresUrl } from './postgres-url.ts'

/** What `migratePostgres` did. */
export interface MigrateReport {
  /** Migrations applied by this call, in order (empty when the schema was current). */
  readonly applied: readonly string[]
  /** Every migration the database now records. */
  readonly current: readonly string[]
}

/**
 * Applies pending schema migrations to a PostgreSQL database, in one transaction, under
 * kysely's migration lock (two runs at once are safe). Run it explicitly, as the database's
 * owner role (`csledger migrate --db <url>`); stores never migrate on open. Refuses a database
 * migrated by a newer csledger. Throws a StoreError naming the migration that failed; nothing of
 * a failed run is kept.
 *
 * @example
 * const { applied } = await migratePostgres('postgres://csledger_owner@db.example/csledger')
 */
export async function migratePostgres(url: string): Promise<MigrateReport> {
  const parsed = parsePostgresUrl(url)
  const pg = (await import('pg')).default
  const { Kysely, PostgresDialect, sql } = await import('kysely')
  const { Migrator } = await import('kysely/migration')
  const pool = new pg.Pool({ connectionString: parsed.connectionString, max: 1, application_name: 'csledger migrate' })
  pool.on('error', () => undefined)
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  try {
    const existing = await sql<{ t: string | null }>`SELECT to_regclass('public.kysely_migration')::text AS t`.execute(db)
    if (existing.rows[0]?.t != null) {
      const names = (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((r) => r.name)
      const unknown = names.filter((n) => !POSTGRES_MIGRATION_NAMES.includes(n))
      if (unknown.length > 0) {
        throw new StoreError('SCHEMA_TOO_NEW', `${parsed.display} was migrated by a newer csledger (schema ${unknown.at(-1)})`, { hint: 'upgrade csledger before migrating; nothing was changed' })
      }
    }
    const { error, results = [] } = await new Migrator({ db, provider: postgresMigrationProvider }).migrateToLatest()
    if (error) {
      const failed = results.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)'
      const mapped = mapPostgresError(error, parsed.display)
      const why = mapped instanceof Error ? mapped.message : String(mapped)
      throw new StoreError('MIGRATION_FAILED', `migration ${failed} failed on ${parsed.display}: ${why}; nothing was changed`, {
        hint: 'run migrate as the database owner role (it creates tables, functions and policies); see docs/deploy-postgres.md',
        cause: error,
      })
    }
    const current = (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((r) => r.name)
    return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName), current }
  } catch (err) {
    throw mapPostgresError(err, parsed.display)
  } finally {
    await db.destroy().catch(() => undefined)
  }
}
