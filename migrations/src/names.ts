/**
 * The names of every migration this version knows, in order. Kept apart from the migrations
 * themselves so a store can check a database's schema without importing kysely.
 */
export const SQLITE_MIGRATION_NAMES: readonly string[] = ['0001-create-ledger', '0002-append-only-triggers', '0003-continuity-refuses-replace', '0004-signatures-and-checkpoints', '0005-open-container-index']
