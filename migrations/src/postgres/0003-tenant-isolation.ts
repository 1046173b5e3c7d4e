import { type Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Tenant isolation and least privilege (PostgreSQL). Frozen in time: imports only kysely.
 *
 * Roles: `csledger_app` (NOLOGIN) holds the application's privileges; each registrant (or each
 * workstation) logs in with its own role that is a member of it. `ledger_access` says which roles
 * may use which ledger; membership is checked with pg_has_role(session_user, …), so a group role
 * can be granted a ledger for all its members.
 *
 * Row-level security: a connection names its ledger in the setting `csledger.ledger_id`;
 * `csledger_current_ledger()` returns it only when the session's role may use that ledger, and
 * every policy compares `ledger_id` with it. Setting another registrant's ledger id therefore
 * shows nothing and lets nothing be written. The owner (and superusers) bypass row-level
 * security: they run migrations, copies and backups.
 *
 * Privileges of csledger_app: SELECT and INSERT on ledger_entry and projection_history (no UPDATE,
 * DELETE or TRUNCATE: append-only even if the triggers were gone); SELECT, INSERT, UPDATE on the
 * derived projection and on credential; SELECT on ledger, ledger_access and kysely_migration.
 */
export const tenantIsolation: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'csledger_app') THEN
          CREATE ROLE csledger_app NOLOGIN;
        END IF;
      END $$`.execute(db)

    // PL/pgSQL rather than SQL functions: their plans are cached per session, and the policies
    // call csledger_current_ledger() once per statement (an InitPlan), so it must be cheap.
    await sql`CREATE FUNCTION csledger_may_use(p_ledger_id text) RETURNS boolean LANGUAGE plpgsql STABLE
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        RETURN pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.ledger'::regclass), 'MEMBER')
          OR EXISTS (
            SELECT 1 FROM public.ledger_access a JOIN pg_roles r ON r.rolname = a.role_name
            WHERE a.ledger_id = p_ledger_id AND pg_has_role(session_user, r.oid, 'MEMBER'));
      END $$`.execute(db)
    await sql`CREATE FUNCTION csledger_current_ledger() RETURNS text LANGUAGE plpgsql STABLE
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        id text := nullif(current_setting('csledger.ledger_id', true), '');
      BEGIN
        IF id IS NOT NULL AND public.csledger_may_use(id) THEN
          RETURN id;
        END IF;
        RETURN NULL;
      END $$`.execute(db)

    // Creates a ledger and gives the calling login role access to it. An existing ledger is
    // accepted only if the caller may already use it, so nobody can take over another's ledger.
    await sql`CREATE FUNCTION csledger_create_ledger(p_ledger_id text) RETURNS void LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        INSERT INTO public.ledger (ledger_id, created_by) VALUES (p_ledger_id, session_user) ON CONFLICT (ledger_id) DO NOTHING;
        IF NOT FOUND THEN
          IF public.csledger_may_use(p_ledger_id) THEN RETURN; END IF;
          RAISE EXCEPTION 'ledger % already exists and belongs to another registrant', p_ledger_id USING ERRCODE = '42501';
        END IF;
        INSERT INTO public.ledger_access (ledger_id, role_name) VALUES (p_ledger_id, session_user);
      END $$`.execute(db)

    // Locks a ledger's row for the rest of the transaction: the one lock an append takes (the
    // application role has no UPDATE privilege, so it cannot SELECT … FOR UPDATE the row itself).
    await sql`CREATE FUNCTION csledger_lock_ledger(p_ledger_id text) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF public.csledger_may_use(p_ledger_id) THEN
          PERFORM 1 FROM public.ledger l WHERE l.ledger_id = p_ledger_id FOR UPDATE;
          IF FOUND THEN RETURN; END IF;
        END IF;
        RAISE EXCEPTION 'no ledger % for role %', p_ledger_id, session_user USING ERRCODE = '42501';
      END $$`.execute(db)

    for (const fn of ['csledger_may_use(text)', 'csledger_current_ledger()', 'csledger_create_ledger(text)', 'csledger_lock_ledger(text)']) {
      await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
      await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(fn)} TO csledger_app`.execute(db)
    }
    for (const fn of ['csledger_refuse_change()', 'ledger_entry_check_append()', 'ledger_guard()']) {
      await sql`REVOKE ALL ON FUNCTION ${sql.raw(fn)} FROM PUBLIC`.execute(db)
    }

    await sql`ALTER TABLE ledger ENABLE ROW LEVEL SECURITY`.execute(db)
    await sql`CREATE POLICY ledger_member ON ledger FOR SELECT USING (csledger_may_use(ledger_id))`.execute(db)
    await sql`ALTER TABLE ledger_access ENABLE ROW LEVEL SECURITY`.execute(db)
    await sql`CREATE POLICY ledger_access_member ON ledger_access FOR SELECT USING (csledger_may_use(ledger_id))`.execute(db)
    for (const table of ['ledger_entry', 'projection', 'projection_history', 'credential']) {
      await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db)
      await sql`CREATE POLICY ${sql.raw(`${table}_current_ledger`)} ON ${sql.table(table)}
        USING (ledger_id = (SELECT csledger_current_ledger()))
        WITH CHECK (ledger_id = (SELECT csledger_current_ledger()))`.execute(db)
    }

    await sql`REVOKE ALL ON ledger, ledger_access, ledger_entry, projection, projection_history, credential FROM PUBLIC`.execute(db)
    await sql`GRANT SELECT ON ledger, ledger_access, kysely_migration TO csledger_app`.execute(db)
    await sql`GRANT SELECT, INSERT ON ledger_entry, projection_history TO csledger_app`.execute(db)
    await sql`GRANT SELECT, INSERT, UPDATE ON projection, credential TO csledger_app`.execute(db)
  },
}
