import type { Migration, MigrationProvider } from 'kysely/migration'
import { createLedger } from './0001-create-ledger.ts'
import { appendOnlyTriggers } from './0002-append-only-triggers.ts'
import { tenantIsolation } from './0003-tenant-isolation.ts'
import { signaturesAndCheckpoints } from './0004-signatures-and-checkpoints.ts'
import { entryGuardHidesOtherLedgers } from './0005-entry-guard-hides-other-ledgers.ts'
import { openContainerIndex } from './0006-open-container-index.ts'

/**
 * Every PostgreSQL migration, in order. Names are permanent: a database records the ones applied.
 * They run only when asked (`csledger migrate`, `migratePostgres`), never when a store opens:
 * a shared server is upgraded on purpose, by its owner role.
 */
export const POSTGRES_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-create-ledger': createLedger,
  '0002-append-only-triggers': appendOnlyTriggers,
  '0003-tenant-isolation': tenantIsolation,
  '0004-signatures-and-checkpoints': signaturesAndCheckpoints,
  '0005-entry-guard-hides-other-ledgers': entryGuardHidesOtherLedgers,
  '0006-open-container-index': openContainerIndex,
})

/** The names of every PostgreSQL migration this version knows, in order. */
export const POSTGRES_MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(POSTGRES_MIGRATIONS))

/** A static provider (no runtime import of files): kysely's Migrator reads the list above. */
export const postgresMigrationProvider: MigrationProvider = { getMigrations: async () => ({ ...POSTGRES_MIGRATIONS }) }
