import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Database guards (PostgreSQL, PL/pgSQL), the second line of defence behind the library. They hold
 * for every role that is not a superuser, the owner included:
 * - ledger_entry and projection_history: no UPDATE, DELETE or TRUNCATE (SQLSTATE CL001).
 * - an insert into ledger_entry locks its ledger's head row (FOR UPDATE: appends to one ledger
 *   queue, other ledgers do not wait) and must continue that chain: seq = head + 1 and
 *   prev_hash = the head's hash (CL002); its hash must be sha256("csledger:entry:v1" ‖ 0x00 ‖
 *   canonical) and its columns must repeat the hashed entry (format 1) (CL003).
 * - after the insert the head row advances to the new entry; the head can move in no other way
 *   (one step, onto an entry that links to the old head), and a ledger with entries cannot be
 *   deleted.
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

    // SECURITY DEFINER: the application role may not lock or update ledger rows itself.
    await sql`CREATE FUNCTION ledger_entry_check_append() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head record;
        doc json;
      BEGIN
        SELECT l.head_seq, l.head_hash INTO head FROM public.ledger l WHERE l.ledger_id = NEW.ledger_id FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'ledger_entry continuity: ledger % does not exist', NEW.ledger_id USING ERRCODE = 'CL002';
        END IF;
        IF NEW.seq IS DISTINCT FROM head.head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head.head_hash THEN
          RAISE EXCEPTION 'ledger_entry continuity: seq must follow the last entry (seq %) and prev_hash must be its hash', head.head_seq
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

    await sql`CREATE FUNCTION ledger_entry_advance_head() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        UPDATE public.ledger SET head_seq = NEW.seq, head_hash = NEW.hash WHERE ledger_id = NEW.ledger_id;
        RETURN NULL;
      END $$`.execute(db)
    await sql`CREATE TRIGGER ledger_entry_advance_head AFTER INSERT ON ledger_entry
      FOR EACH ROW EXECUTE FUNCTION ledger_entry_advance_head()`.execute(db)

    await sql`CREATE FUNCTION ledger_guard_head() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.head_seq <> 0 THEN
            RAISE EXCEPTION 'ledger % has entries and cannot be deleted', OLD.ledger_id USING ERRCODE = 'CL001';
          END IF;
          RETURN OLD;
        END IF;
        IF NEW.ledger_id IS DISTINCT FROM OLD.ledger_id OR NEW.created_at IS DISTINCT FROM OLD.created_at
          OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
          RAISE EXCEPTION 'a ledger''s id and creation are immutable' USING ERRCODE = 'CL001';
        END IF;
        IF (NEW.head_seq, NEW.head_hash) IS DISTINCT FROM (OLD.head_seq, OLD.head_hash) AND (
          NEW.head_seq IS DISTINCT FROM OLD.head_seq + 1 OR NOT EXISTS (
            SELECT 1 FROM public.ledger_entry e
            WHERE e.ledger_id = NEW.ledger_id AND e.seq = NEW.head_seq AND e.hash = NEW.head_hash AND e.prev_hash = OLD.head_hash)) THEN
          RAISE EXCEPTION 'the head of ledger % moves only by appending an entry', NEW.ledger_id USING ERRCODE = 'CL002';
        END IF;
        RETURN NEW;
      END $$`.execute(db)
    await sql`CREATE TRIGGER ledger_guard_head BEFORE UPDATE OR DELETE ON ledger
      FOR EACH ROW EXECUTE FUNCTION ledger_guard_head()`.execute(db)
    await sql`CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
      FOR EACH STATEMENT EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
  },
}
