import type { Migration, MigrationProvider } from 'kysely/migration'
import { createLedger } from './0001-create-ledger.ts'
import { appendOnlyTriggers } from './0002-append-only-triggers.ts'
import { continuityRefusesReplace } from './0003-continuity-refuses-replace.ts'
import { signaturesAndCheckpoints } from './0004-signatures-and-checkpoints.ts'
import { openContainerIndex } from './0005-open-container-index.ts'

/** Every SQLite migration, in order. Names are permanent: a database records the ones applied. */
export const SQLITE_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-create-ledger': createLedger,
  '0002-append-only-triggers': appendOnlyTriggers,
  '0003-continuity-refuses-replace': continuityRefusesReplace,
  '0004-signatures-and-checkpoints': signaturesAndCheckpoints,
  '0005-open-container-index': openContainerIndex,
})

/** A static provider (no runtime import of files): kysely's Migrator reads the list above. */
export const sqliteMigrationProvider: MigrationProvider = { getMigrations: async () => ({ ...SQLITE_MIGRATIONS }) }
export { SQLITE_MIGRATION_NAMES } from './names.ts'
export { POSTGRES_MIGRATIONS, POSTGRES_MIGRATION_NAMES, postgresMigrationProvider } from './postgres/index.ts'
