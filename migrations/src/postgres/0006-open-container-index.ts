import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * An index of the open containers (PostgreSQL), as SQLite migration 0005: a partial index over the
 * container projections whose status is "open", per ledger. The current balance, the count sheet,
 * a count's expected book and the balance as of a position read only those, not the tens of
 * thousands of emptied containers a busy clinic accumulates. Derived data only.
 * Frozen in time: imports only kysely.
 */
export const openContainerIndex: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE INDEX projection_open_container ON projection (ledger_id, key)
      WHERE kind = 'container' AND (value::jsonb ->> 'status') = 'open'`.execute(db)
  },
}
