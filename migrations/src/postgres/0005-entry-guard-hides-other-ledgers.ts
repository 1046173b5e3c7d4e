import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * The entry insert guard of migration 0002 runs before row-level security checks the row, as
 * SECURITY DEFINER, so a clinic role that tried to insert into another registrant's ledger was
 * told that ledger's head ("seq must follow the last entry (seq 14)"), i.e. how many entries it
 * holds, and whether a ledger id exists. It now first refuses a ledger the caller may not use
 * (42501, naming only the id the caller gave), as the signature and checkpoint guards of 0004 do;
 * everything else it checks is unchanged. Frozen in time: imports only kysely.
 */
export const entryGuardHidesOtherLedgers: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE OR REPLACE FUNCTION ledger_entry_check_append() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        last_seq bigint;
        follows boolean;
        doc json;
      BEGIN
        IF NOT public.csledger_may_use(NEW.ledger_id) THEN
          RAISE EXCEPTION 'no ledger % for role %', NEW.ledger_id, session_user USING ERRCODE = '42501';
        END IF;
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
    // CREATE OR REPLACE keeps the function's owner and privileges (0003 revoked it from PUBLIC).
  },
}
