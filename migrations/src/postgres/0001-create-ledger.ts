import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * The ledger's tables (PostgreSQL), for several registrants in one database: every table carries
 * `ledger_id`, and each ledger has its own chain (seq 1, 2, 3 … and prev_hash per ledger).
 * Frozen in time: imports only kysely.
 * - ledger: one row per registrant's ledger, and the row an append locks (SELECT … FOR UPDATE), so
 *   appends to one ledger queue and appends to others do not wait. The row is only ever locked,
 *   never updated: a row updated once per append would grow a version chain that a bulk copy in
 *   one transaction walks on every insert (quadratic time).
 * - ledger_access: which database roles may use which ledger (row-level security, migration 0003).
 * - ledger_entry: the hash chains. `canonical` holds the exact RFC 8785 text that was hashed; the
 *   other columns repeat fields of it for indexing, and the insert trigger checks they agree.
 * - projection / projection_history / credential: as in SQLite, per ledger.
 * Text that is sorted (keys, ids) uses COLLATE "C" (code point order, as SQLite and the in-memory
 * projections sort), never the server's locale. Quantities live inside the canonical JSON as
 * decimal strings; no column holds a quantity, so no float or locale conversion can touch one.
 */
export const createLedger: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`DO $$
      BEGIN
        IF pg_catalog.pg_encoding_to_char((SELECT encoding FROM pg_catalog.pg_database WHERE datname = current_database())) <> 'UTF8' THEN
          RAISE EXCEPTION 'csledger needs a UTF8 database; this one is %',
            pg_catalog.pg_encoding_to_char((SELECT encoding FROM pg_catalog.pg_database WHERE datname = current_database()))
            USING HINT = 'create it with CREATE DATABASE … ENCODING ''UTF8'' TEMPLATE template0';
        END IF;
      END $$`.execute(db)
    await sql`CREATE TABLE ledger (
      ledger_id text COLLATE "C" PRIMARY KEY CHECK (length(ledger_id) BETWEEN 1 AND 200 AND ledger_id !~ '[[:cntrl:][:space:]]'),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL DEFAULT session_user
    )`.execute(db)
    await sql`CREATE TABLE ledger_access (
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      role_name text NOT NULL CHECK (role_name <> 'csledger_app'),
      granted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (ledger_id, role_name)
    )`.execute(db)
    await sql`CREATE TABLE ledger_entry (
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      seq bigint NOT NULL CHECK (seq >= 1),
      prev_hash text COLLATE "C" NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
      hash text COLLATE "C" NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      kind text COLLATE "C" NOT NULL,
      recorded_at text COLLATE "C" NOT NULL,
      occurred_at text COLLATE "C" NOT NULL,
      actor text NOT NULL,
      request_id text,
      canonical text NOT NULL,
      PRIMARY KEY (ledger_id, seq),
      UNIQUE (ledger_id, prev_hash),
      UNIQUE (ledger_id, hash),
      UNIQUE (ledger_id, request_id)
    )`.execute(db)
    // Only the indexes the store's queries use: every index is written on every append.
    await sql`CREATE INDEX ledger_entry_recorded_at ON ledger_entry (ledger_id, recorded_at)`.execute(db)
    await sql`CREATE TABLE projection (
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, seq bigint NOT NULL, value text NOT NULL,
      PRIMARY KEY (ledger_id, kind, key)
    )`.execute(db)
    await sql`CREATE TABLE projection_history (
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, seq bigint NOT NULL, value text NOT NULL,
      PRIMARY KEY (ledger_id, kind, key, seq)
    )`.execute(db)
    await sql`CREATE TABLE credential (
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      username text COLLATE "C" NOT NULL, passphrase_hash text NOT NULL, updated_at text NOT NULL,
      PRIMARY KEY (ledger_id, username)
    )`.execute(db)
  },
}
