import { randomUUID } from 'node:crypto'
import { InputError, StoreError } from '@csledger/ledger-core'
import { POSTGRES_MIGRATION_NAMES } from '@csledger/migrations/postgres'
import { PostgresLedgerStore } from './postgres-ledger-store.ts'
import { mapPostgresError } from './postgres-errors.ts'
import { parsePostgresUrl } from './postgres-url.ts'
import type { PgDatabase } from './schema.ts'

export interface OpenPostgresOptions {
  /** The ledger to use; overrides nothing: if the URL has `?ledger=` too, both must agree. */
  readonly ledgerId?: string
  /**
   * Create the ledger if it does not exist (only `init` and `copy` do this), with a new UUID
   * when no id is given. It is created, and granted to the session's login role, in the same
   * transaction as the first append, so a refused `init` leaves no empty ledger behind. An
   * existing ledger is accepted only if this role may already use it.
   */
  readonly create?: boolean
  /** Open for reading only (every transaction is READ ONLY). */
  readonly readonly?: boolean
  /** Connections in this store's pool (default 4). */
  readonly poolSize?: number
  /** How long a writer waits for another writer's lock on the same ledger (ms, default 15 000). */
  readonly lockTimeoutMs?: number
  /** Entries per page when streaming (default 2000). */
  readonly pageSize?: number
}

/**
 * Opens one registrant's ledger in a PostgreSQL database. The ledger is chosen by
 * `options.ledgerId`, else the URL's `?ledger=` parameter, else the only ledger this role may
 * use (several: AMBIGUOUS_LEDGER, none: NO_LEDGER). Checks the schema first and never migrates:
 * an out-of-date database is refused with NEEDS_MIGRATION (run `migratePostgres` explicitly).
 *
 * @example
 * const store = await openPostgresStore('postgres://clinic_a@db.example/csledger?ledger=2f7c…')
 * const created = await openPostgresStore('postgres://clinic_a@db.example/csledger', { create: true })
 * await new Ledger({ store: created }).init({ …, ledgerId: created.ledgerId })
 */
export async function openPostgresStore(url: string, options: OpenPostgresOptions = {}): Promise<PostgresLedgerStore> {
  const parsed = parsePostgresUrl(url)
  if (options.ledgerId !== undefined && parsed.ledgerId !== undefined && options.ledgerId !== parsed.ledgerId) {
    throw new InputError('LEDGER_MISMATCH', `the URL names ledger ${parsed.ledgerId} but ledger ${options.ledgerId} was asked for`, { hint: 'give the ledger once' })
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? 15_000
  const pg = (await import('pg')).default
  const { ledgerId, exists } = await preflight(pg, parsed.connectionString, parsed.display, options.ledgerId ?? parsed.ledgerId, options)

  const { Kysely, PostgresDialect, CompiledQuery } = await import('kysely')
  const pool = new pg.Pool({ connectionString: parsed.connectionString, max: options.poolSize ?? 4, application_name: 'csledger' })
  // A connection the server drops (restart, idle-in-transaction timeout) emits 'error' on its
  // client, or on the pool when idle; without listeners Node would crash. The query that uses
  // it reports the problem as a typed error instead.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => { client.on('error', () => undefined) })
  const db = new Kysely<PgDatabase>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (conn) => {
        await conn.executeQuery(CompiledQuery.raw(
          `SELECT set_config('csledger.ledger_id', $1, false), set_config('lock_timeout', $2, false),
                  set_config('idle_in_transaction_session_timeout', $3, false), set_config('default_transaction_read_only', $4, false)`,
          [ledgerId, `${lockTimeoutMs}ms`, `${Math.max(60_000, lockTimeoutMs * 4)}ms`, options.readonly ? 'on' : 'off'],
        ))
      },
    }),
  })
  const display = `${parsed.display} (ledger ${ledgerId})`
  return new PostgresLedgerStore(db, { ledgerId, display, pageSize: options.pageSize ?? 2000, createOnFirstWrite: !exists })
}

type Pg = typeof import('pg').default

/** One short connection: check the schema, then find or check the ledger (a new one is created by the first write). */
async function preflight(pg: Pg, connectionString: string, display: string, wanted: string | undefined, options: OpenPostgresOptions): Promise<{ ledgerId: string; exists: boolean }> {
  const client = new pg.Client({ connectionString, application_name: 'csledger' })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await checkSchema(client, display)
    if (options.create && options.readonly) throw new InputError('READ_ONLY_CREATE', 'a ledger cannot be created by a read-only open', { hint: 'open it without read-only access' })
    if (options.create && wanted === undefined) return { ledgerId: randomUUID(), exists: false }
    if (wanted !== undefined) {
      // Row-level security shows a role only the ledgers it was granted. One it cannot see is
      // created by the first write (create), which refuses an id another registrant holds.
      const found = await client.query('SELECT 1 FROM ledger WHERE ledger_id = $1', [wanted])
      if (options.create) return { ledgerId: wanted, exists: (found.rowCount ?? 0) > 0 }
      if (found.rowCount === 0) {
        throw new StoreError('NO_LEDGER', `no ledger ${wanted} for this role at ${display}`, {
          hint: 'check the id in ?ledger=; a new ledger is made by `csledger init`, and the database owner grants access to an existing one (docs/deploy-postgres.md)',
        })
      }
      return { ledgerId: wanted, exists: true }
    }
    const { rows } = await client.query<{ ledger_id: string }>('SELECT ledger_id FROM ledger ORDER BY created_at, ledger_id LIMIT 11')
    if (rows.length === 0) {
      throw new StoreError('NO_LEDGER', `this role has no ledger at ${display}`, { hint: 'create one with `csledger init --db <url>`, or ask the database owner for access to an existing one' })
    }
    if (rows.length > 1) {
      const ids = rows.slice(0, 10).map((r) => r.ledger_id).join(', ')
      throw new StoreError('AMBIGUOUS_LEDGER', `this role may use several ledgers at ${display}: ${ids}${rows.length > 10 ? ', …' : ''}`, { hint: 'name one in the URL: --db "postgres://…/database?ledger=<id>"' })
    }
    return { ledgerId: rows[0]!.ledger_id, exists: true }
  } catch (err) {
    throw mapPostgresError(err, display)
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function checkSchema(client: InstanceType<Pg['Client']>, display: string): Promise<void> {
  const table = await client.query<{ t: string | null }>("SELECT to_regclass('public.kysely_migration')::text AS t")
  if (table.rows[0]?.t == null) {
    throw new StoreError('NEEDS_MIGRATION', `${display} has no csledger schema`, { hint: 'run `csledger migrate --db <url>` once, as the database owner; migrations never run on their own' })
  }
  const applied = (await client.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name')).rows.map((r) => r.name)
  const unknown = applied.filter((n) => !POSTGRES_MIGRATION_NAMES.includes(n))
  if (unknown.length > 0) {
    throw new StoreError('SCHEMA_TOO_NEW', `${display} was migrated by a newer csledger (schema ${unknown.at(-1)})`, { hint: 'upgrade csledger on this workstation; nothing was written' })
  }
  const missing = POSTGRES_MIGRATION_NAMES.filter((n) => !applied.includes(n))
  if (missing.length > 0) {
    throw new StoreError('NEEDS_MIGRATION', `${display} needs schema upgrades: ${missing.join(', ')}`, { hint: 'run `csledger migrate --db <url>` as the database owner; nothing was written' })
  }
}
