import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * An index of the open containers (SQLite): a partial index over the container projections whose
 * status is "open". The current balance, the count sheet and a count's expected book need only
 * the open containers, but a busy clinic has tens of thousands of emptied ones (58,480 in the
 * 1M-entry benchmark ledger, ~200 ms to read and parse); the index lets those reads skip them.
 * Derived data only: nothing in the chain or the projections changes.
 */
export const openContainerIndex: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE INDEX IF NOT EXISTS projection_open_container ON projection (kind, key)
      WHERE kind = 'container' AND json_extract(value, '$.status') = 'open'`.execute(db)
  },
  async down(db: Kysely<any>): Promise<void> {
    await sql`DROP INDEX IF EXISTS projection_open_container`.execute(db)
  },
}
