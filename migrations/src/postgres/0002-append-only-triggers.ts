import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Database guards (PostgreSQL, PL/pgSQL), the second line of defence behind the library. They hold
 * for every role that is not a superuser, the owner included:
 * - ledger_entry and projection_history: no UPDATE, DELETE or TRUNCATE (SQLSTATE CL001).
 * - an insert into ledger_entry locks its ledger's row (FOR UPDATE: appends to one ledger
 *   queue, other ledgers do not wait) and must continue that chain: seq = last seq + 1 and
 *   prev_hash = the last entry's hash, or 64 zeros for seq 1 (CL002); its hash must be
 *   sha256("csledger:entry:v1" ‖ 0x00 ‖ canonical) and its columns must repeat the hashed entry
 *   (format 1) (CL003).
 * - a ledger row never changes, and a ledger with entries cannot be deleted (CL001).
 * UNIQUE (ledger_id, prev_hash) rejects a fork even if these triggers were disabled.
 * Frozen in time: imports only kysely.
 */
export const appendOnlyTriggers: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE FUNCTION csledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'CL001', HINT = 'a mistake is fixed by appending a correction entry (csledger correct), never by editing';
      END $$`.execute(db)
    for (const table of ['ledger_entry', 'projection_history']) {
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_update`)} BEFORE UPDATE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_delete`)} BEFORE DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
    }

    // SECURITY DEFINER: the application role may not lock ledger rows or read other ledgers itself.
    await sql`CREATE FUNCTION ledger_entry_check_append() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        last_seq bigint;
        follows boolean;
        doc json;
      BEGIN
        PERFORM 1 FROM public.ledger l WHERE l.ledger_id = NEW.ledger_id FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'ledger_entry continuity: ledger % does not exist', NEW.ledger_id USING ERRCODE = 'CL002';
        END IF;
        -- Continuity as primary-key lookups, which stay fast without statistics (a bulk copy runs
        -- in one transaction): the previous entry exists and hashes to prev_hash (seq 1: 64
        -- zeros), and no entry holds this seq or a later one. Each query takes a fresh snapshot
        -- after the lock, so it sees every entry the previous lock holder committed.
        IF NEW.seq = 1 THEN
          follows := NEW.prev_hash = repeat('0', 64);
        ELSE
          follows := EXISTS (SELECT 1 FROM public.ledger_entry e
            WHERE e.ledger_id = NEW.ledger_id AND e.seq = NEW.seq - 1 AND e.hash = NEW.prev_hash);
        END IF;
        IF follows IS NOT TRUE OR EXISTS (SELECT 1 FROM public.ledger_entry e WHERE e.ledger_id = NEW.ledger_id AND e.seq >= NEW.seq) THEN
          SELECT coalesce(max(e.seq), 0) INTO last_seq FROM public.ledger_entry e WHERE e.ledger_id = NEW.ledger_id;
          RAISE EXCEPTION 'ledger_entry continuity: seq must follow the last entry (seq %) and prev_hash must be its hash', last_seq
            USING ERRCODE = 'CL002', DETAIL = format('ledger %s: got seq %s with prev_hash %s', NEW.ledger_id, NEW.seq, NEW.prev_hash);
        END IF;
        IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to('csledger:entry:v1', 'UTF8') || decode('00', 'hex') || convert_to(NEW.canonical, 'UTF8')), 'hex') THEN
          RAISE EXCEPTION 'ledger_entry hash does not match its canonical bytes' USING ERRCODE = 'CL003',
            DETAIL = format('ledger %s seq %s', NEW.ledger_id, NEW.seq);
        END IF;
        doc := NEW.canonical::json;
        IF json_typeof(doc) IS DISTINCT FROM 'object'
          OR doc->>'format' IS DISTINCT FROM '1'
          OR doc->>'ledger_id' IS DISTINCT FROM NEW.ledger_id
          OR doc->>'seq' IS DISTINCT FROM NEW.seq::text
          OR doc->>'prev_hash' IS DISTINCT FROM NEW.prev_hash
          OR doc->>'kind' IS DISTINCT FROM NEW.kind
          OR doc->>'recorded_at' IS DISTINCT FROM NEW.recorded_at
          OR doc->>'occurred_at' IS DISTINCT FROM NEW.occurred_at
          OR doc->>'actor' IS DISTINCT FROM NEW.actor
          OR doc->>'request_id' IS DISTINCT FROM NEW.request_id THEN
          RAISE EXCEPTION 'ledger_entry columns do not repeat the hashed entry (or its format is not 1)' USING ERRCODE = 'CL003',
            DETAIL = format('ledger %s seq %s', NEW.ledger_id, NEW.seq);
        END IF;
        RETURN NEW;
      END $$`.execute(db)
    await sql`CREATE TRIGGER ledger_entry_check_append BEFORE INSERT ON ledger_entry
      FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_append()`.execute(db)

    await sql`CREATE FUNCTION ledger_guard() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          RAISE EXCEPTION 'ledger % cannot be changed', OLD.ledger_id USING ERRCODE = 'CL001';
        END IF;
        IF EXISTS (SELECT 1 FROM public.ledger_entry e WHERE e.ledger_id = OLD.ledger_id) THEN
          RAISE EXCEPTION 'ledger % has entries and cannot be deleted', OLD.ledger_id USING ERRCODE = 'CL001';
        END IF;
        RETURN OLD;
      END $$`.execute(db)
    await sql`CREATE TRIGGER ledger_guard BEFORE UPDATE OR DELETE ON ledger
      FOR EACH ROW EXECUTE FUNCTION ledger_guard()`.execute(db)
    await sql`CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
      FOR EACH STATEMENT EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
  },
}
