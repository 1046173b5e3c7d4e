import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Signatures and checkpoints (PostgreSQL), beside the chain and never in it (docs/signatures.md),
 * per ledger like every other table. The same design as SQLite migration 0004, with the guards of
 * the ledger entries (migration 0002) and the isolation of migration 0003:
 * - entry_signature: one Ed25519 signature per (ledger, entry, role), referencing its entry. An
 *   insert is accepted only for the ledger's last entry, and only from the transaction that
 *   inserted that entry (its xmin is this transaction): a signature is written with its entry and
 *   can never be added afterwards, not even to the head by a later transaction (SQLite, a file with
 *   one writer, checks only the former). UPDATE, DELETE and TRUNCATE are refused (CL001).
 * - checkpoint: the signed checkpoints the ledger gave out, in the order stored (id);
 *   append-only (CL001), and one may not cover more entries than the ledger holds (CL002).
 * - credential.sealed_key: each user's private key sealed under their passphrase (NULL for users
 *   created before signing existed). Replaced with the passphrase hash when the passphrase changes
 *   (re-sealed: the same key under the new passphrase), like the rest of the credential row.
 * Row-level security and grants as in 0003: an application role reads and inserts the rows of the
 * ledger its session selected and is granted, and has no UPDATE, DELETE or TRUNCATE privilege.
 * Frozen in time: imports only kysely.
 */
export const signaturesAndCheckpoints: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE entry_signature (
      ledger_id text COLLATE "C" NOT NULL,
      seq bigint NOT NULL,
      role text COLLATE "C" NOT NULL CHECK (role IN ('actor', 'witness')),
      signer text NOT NULL,
      signature text NOT NULL CHECK (signature ~ '^[A-Za-z0-9+/]{86}==$'),
      PRIMARY KEY (ledger_id, seq, role),
      FOREIGN KEY (ledger_id, seq) REFERENCES ledger_entry (ledger_id, seq)
    )`.execute(db)
    await sql`CREATE TABLE checkpoint (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ledger_id text COLLATE "C" NOT NULL REFERENCES ledger (ledger_id),
      size bigint NOT NULL CHECK (size >= 0),
      root text COLLATE "C" NOT NULL CHECK (root ~ '^[0-9a-f]{64}$'),
      note text NOT NULL,
      created_at text COLLATE "C" NOT NULL
    )`.execute(db)
    await sql`CREATE INDEX checkpoint_ledger ON checkpoint (ledger_id, id)`.execute(db)
    await sql`ALTER TABLE credential ADD COLUMN sealed_key text`.execute(db)

    for (const table of ['entry_signature', 'checkpoint']) {
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_update`)} BEFORE UPDATE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_delete`)} BEFORE DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
      await sql`CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION csledger_refuse_change()`.execute(db)
    }

    // SECURITY DEFINER: reads the entry's xmin and the ledger's last seq whatever the caller may see.
    // The entry insert already holds the ledger's row lock, so no other transaction can move the head.
    // These triggers run before row-level security checks the row, so both first refuse a ledger the
    // caller may not use (42501), saying nothing about it: its head, its size, whether an entry exists.
    await sql`CREATE FUNCTION entry_signature_check_insert() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        entry_xmin xid;
        last_seq bigint;
      BEGIN
        IF NOT public.csledger_may_use(NEW.ledger_id) THEN
          RAISE EXCEPTION 'no ledger % for role %', NEW.ledger_id, session_user USING ERRCODE = '42501';
        END IF;
        SELECT e.xmin INTO entry_xmin FROM public.ledger_entry e WHERE e.ledger_id = NEW.ledger_id AND e.seq = NEW.seq;
        SELECT max(e.seq) INTO last_seq FROM public.ledger_entry e WHERE e.ledger_id = NEW.ledger_id;
        IF entry_xmin IS NULL OR NEW.seq IS DISTINCT FROM last_seq
          OR entry_xmin::text IS DISTINCT FROM (pg_current_xact_id()::text::numeric % 4294967296)::text THEN
          RAISE EXCEPTION 'entry_signature: signatures are written with their entry, never added later' USING ERRCODE = 'CL002',
            DETAIL = format('ledger %s: a signature for entry %s; the last entry is %s', NEW.ledger_id, NEW.seq, coalesce(last_seq::text, 'none')),
            HINT = 'a signature is stored in the transaction that appends its entry';
        END IF;
        RETURN NEW;
      END $$`.execute(db)
    await sql`CREATE TRIGGER entry_signature_check_insert BEFORE INSERT ON entry_signature
      FOR EACH ROW EXECUTE FUNCTION entry_signature_check_insert()`.execute(db)

    await sql`CREATE FUNCTION checkpoint_check_insert() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        last_seq bigint;
      BEGIN
        IF NOT public.csledger_may_use(NEW.ledger_id) THEN
          RAISE EXCEPTION 'no ledger % for role %', NEW.ledger_id, session_user USING ERRCODE = '42501';
        END IF;
        SELECT coalesce(max(e.seq), 0) INTO last_seq FROM public.ledger_entry e WHERE e.ledger_id = NEW.ledger_id;
        IF NEW.size > last_seq THEN
          RAISE EXCEPTION 'checkpoint: it covers % entries but the ledger holds %', NEW.size, last_seq USING ERRCODE = 'CL002',
            DETAIL = format('ledger %s', NEW.ledger_id);
        END IF;
        RETURN NEW;
      END $$`.execute(db)
    await sql`CREATE TRIGGER checkpoint_check_insert BEFORE INSERT ON checkpoint
      FOR EACH ROW EXECUTE FUNCTION checkpoint_check_insert()`.execute(db)

    for (const fn of ['entry_signature_check_insert()', 'checkpoint_check_insert()']) {
      await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
    }
    for (const table of ['entry_signature', 'checkpoint']) {
      await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db)
      await sql`CREATE POLICY ${sql.raw(`${table}_current_ledger`)} ON ${sql.table(table)}
        USING (ledger_id = (SELECT csledger_current_ledger()))
        WITH CHECK (ledger_id = (SELECT csledger_current_ledger()))`.execute(db)
    }
    await sql`REVOKE ALL ON entry_signature, checkpoint FROM PUBLIC`.execute(db)
    await sql`GRANT SELECT, INSERT ON entry_signature, checkpoint TO csledger_app`.execute(db)
  },
}
