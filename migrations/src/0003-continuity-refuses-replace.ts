import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * SQLite does not fire DELETE triggers for the rows an INSERT OR REPLACE removes, so an insert
 * that continued the chain while reusing an existing hash, prev_hash or request_id could delete
 * an entry past the append-only triggers. The continuity trigger now refuses any insert that
 * collides with a stored entry, before conflict resolution runs.
 */
export const continuityRefusesReplace: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`DROP TRIGGER ledger_entry_continuity`.execute(db)
    await sql`CREATE TRIGGER ledger_entry_continuity BEFORE INSERT ON ledger_entry
      WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM ledger_entry)
        OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM ledger_entry ORDER BY seq DESC LIMIT 1),
                                         '0000000000000000000000000000000000000000000000000000000000000000')
        OR NEW.ledger_id IS NOT coalesce((SELECT ledger_id FROM ledger_entry WHERE seq = 1), NEW.ledger_id)
        OR EXISTS (SELECT 1 FROM ledger_entry WHERE seq = NEW.seq OR hash = NEW.hash OR prev_hash = NEW.prev_hash
                   OR (NEW.request_id IS NOT NULL AND request_id = NEW.request_id))
      BEGIN SELECT RAISE(ABORT, 'ledger_entry continuity: seq must follow the last entry and prev_hash must be its hash'); END`.execute(db)
  },
}
