import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Database guards (SQLite), the second line of defence behind the library:
 * no UPDATE or DELETE of an entry; an insert must continue the chain (seq = last + 1,
 * prev_hash = hash of the last entry, same ledger id). UNIQUE(prev_hash) already rejects a fork.
 */
export const appendOnlyTriggers: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
      BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END`.execute(db)
    await sql`CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
      BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END`.execute(db)
    await sql`CREATE TRIGGER ledger_entry_continuity BEFORE INSERT ON ledger_entry
      WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM ledger_entry)
        OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM ledger_entry ORDER BY seq DESC LIMIT 1),
                                         '0000000000000000000000000000000000000000000000000000000000000000')
        OR NEW.ledger_id IS NOT coalesce((SELECT ledger_id FROM ledger_entry WHERE seq = 1), NEW.ledger_id)
      BEGIN SELECT RAISE(ABORT, 'ledger_entry continuity: seq must follow the last entry and prev_hash must be its hash'); END`.execute(db)
  },
}
