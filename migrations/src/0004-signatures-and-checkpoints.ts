import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Signatures and checkpoints (SQLite), beside the chain and never in it (docs/signatures.md):
 * - entry_signature: one Ed25519 signature per (entry, role), written in the same transaction as
 *   its entry and only then: an insert for any entry but the last one aborts, as do UPDATE and
 *   DELETE. A signature can never be added to an old entry afterwards.
 * - checkpoint: the signed checkpoints the ledger gave out (counts, audit packets), append-only.
 * - credential.sealed_key: each user's private key sealed under their passphrase (NULL for users
 *   created before signing existed).
 * Written so that a re-run after a crash part-way through finishes the job.
 */
export const signaturesAndCheckpoints: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE IF NOT EXISTS entry_signature (
      seq INTEGER NOT NULL REFERENCES ledger_entry (seq),
      role TEXT NOT NULL CHECK (role IN ('actor', 'witness')),
      signer TEXT NOT NULL,
      signature TEXT NOT NULL CHECK (length(signature) = 88),
      PRIMARY KEY (seq, role)
    ) WITHOUT ROWID`.execute(db)
    await sql`CREATE TRIGGER IF NOT EXISTS entry_signature_no_update BEFORE UPDATE ON entry_signature
      BEGIN SELECT RAISE(ABORT, 'entry_signature is append-only'); END`.execute(db)
    await sql`CREATE TRIGGER IF NOT EXISTS entry_signature_no_delete BEFORE DELETE ON entry_signature
      BEGIN SELECT RAISE(ABORT, 'entry_signature is append-only'); END`.execute(db)
    await sql`CREATE TRIGGER IF NOT EXISTS entry_signature_with_entry BEFORE INSERT ON entry_signature
      WHEN NEW.seq IS NOT (SELECT max(seq) FROM ledger_entry)
      BEGIN SELECT RAISE(ABORT, 'entry_signature: signatures are written with their entry, never added later'); END`.execute(db)
    await sql`CREATE TABLE IF NOT EXISTS checkpoint (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      size INTEGER NOT NULL CHECK (size >= 0),
      root TEXT NOT NULL CHECK (length(root) = 64),
      note TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`.execute(db)
    await sql`CREATE TRIGGER IF NOT EXISTS checkpoint_no_update BEFORE UPDATE ON checkpoint
      BEGIN SELECT RAISE(ABORT, 'checkpoint is append-only'); END`.execute(db)
    await sql`CREATE TRIGGER IF NOT EXISTS checkpoint_no_delete BEFORE DELETE ON checkpoint
      BEGIN SELECT RAISE(ABORT, 'checkpoint is append-only'); END`.execute(db)
    const columns = await sql<{ name: string }>`SELECT name FROM pragma_table_info('credential')`.execute(db)
    if (!columns.rows.some((c) => c.name === 'sealed_key')) await sql`ALTER TABLE credential ADD COLUMN sealed_key TEXT`.execute(db)
  },
}
