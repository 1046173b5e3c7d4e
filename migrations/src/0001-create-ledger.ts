import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * The ledger's tables (SQLite). Frozen in time: imports only kysely.
 * - ledger_entry: the hash chain. `canonical` holds the exact RFC 8785 bytes that were hashed;
 *   the other columns repeat fields of it for indexing and are checked against it by verify.
 * - projection / projection_history: state derived from the entries, written in the same
 *   transaction as the append; history makes "balance as of seq N" a lookup, not a replay.
 * - credential: passphrase hashes, beside the chain and never in it.
 */
export const createLedger: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE ledger_entry (
      seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
      ledger_id TEXT NOT NULL,
      prev_hash TEXT NOT NULL UNIQUE CHECK (length(prev_hash) = 64),
      hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
      kind TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      actor TEXT NOT NULL,
      request_id TEXT UNIQUE,
      canonical TEXT NOT NULL
    )`.execute(db)
    await sql`CREATE INDEX ledger_entry_kind ON ledger_entry (kind, seq)`.execute(db)
    await sql`CREATE INDEX ledger_entry_recorded_at ON ledger_entry (recorded_at)`.execute(db)
    await sql`CREATE INDEX ledger_entry_occurred_at ON ledger_entry (occurred_at)`.execute(db)
    await sql`CREATE TABLE projection (
      kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (kind, key)
    ) WITHOUT ROWID`.execute(db)
    await sql`CREATE TABLE projection_history (
      kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (kind, key, seq)
    ) WITHOUT ROWID`.execute(db)
    await sql`CREATE TABLE credential (
      username TEXT PRIMARY KEY NOT NULL, passphrase_hash TEXT NOT NULL, updated_at TEXT NOT NULL
    )`.execute(db)
  },
}
