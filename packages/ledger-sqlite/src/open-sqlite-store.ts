import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { StoreError } from '@csledger/ledger-core'
import { SQLITE_MIGRATION_NAMES } from '@csledger/migrations/names'
import { SqliteLedgerStore } from './sqlite-ledger-store.ts'
import { mapSqliteError } from './sqlite-errors.ts'

export interface OpenSqliteOptions {
  /** Create the file if it does not exist (only `init` does this). */
  readonly create?: boolean
  /** Open read-only (no migration, no writes). */
  readonly readonly?: boolean
  /** How long a writer waits for another process's write lock (ms). */
  readonly busyTimeoutMs?: number
}

const SQLITE_HEADER = 'SQLite format 3\u0000'

/**
 * Opens (or creates) a ledger file: checks it is a SQLite database of a schema this version
 * knows, sets WAL and synchronous=FULL, and applies pending migrations. Every failure is a
 * StoreError naming the file and what to do; the file is never written before it is understood.
 *
 * @example
 * const store = await openSqliteStore('clinic.db')
 */
export async function openSqliteStore(file: string, options: OpenSqliteOptions = {}): Promise<SqliteLedgerStore> {
  const path = file === ':memory:' ? file : resolve(file)
  if (path !== ':memory:') preflight(path, options)
  let db: Database.Database
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create, timeout: options.busyTimeoutMs ?? 15_000 })
  } catch (err) {
    throw mapSqliteError(err, file)
  }
  try {
    // Nothing is written before the file is known to be a ledger (or a new, empty one):
    // the schema check reads only; WAL and migrations come after it.
    const plan = checkSchema(db, file, options)
    if (!options.readonly && path !== ':memory:') useWal(db)
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    if (plan === 'migrate') await migrate(db)
  } catch (err) {
    db.close()
    throw mapSqliteError(err, file)
  }
  return new SqliteLedgerStore(db, file, path === ':memory:' || options.readonly ? null : path)
}

function preflight(path: string, options: OpenSqliteOptions): void {
  if (!existsSync(path)) {
    if (options.create) {
      if (!existsSync(dirname(path))) throw new StoreError('CANNOT_OPEN', `folder ${dirname(path)} does not exist`, { hint: 'create the folder first, or choose another --db path' })
      return
    }
    throw new StoreError('NO_LEDGER', `no ledger at ${path}`, { hint: `create one with \`csledger init --db ${path} …\`, or pass the right --db (or CSLEDGER_DB)` })
  }
  const st = statSync(path)
  if (!st.isFile()) throw new StoreError('NOT_A_LEDGER', `${path} is not a file`, { hint: 'pass the path of a csledger database file with --db' })
  if (st.size === 0) {
    if (options.create) return
    throw new StoreError('NO_LEDGER', `${path} is empty`, { hint: `initialise it with \`csledger init --db ${path} …\`` })
  }
  const fd = openSync(path, 'r')
  const buf = Buffer.alloc(16)
  try { readSync(fd, buf, 0, 16, 0) } finally { closeSync(fd) }
  if (buf.toString('latin1') !== SQLITE_HEADER) {
    throw new StoreError('NOT_A_LEDGER', `${path} is not a csledger database (not SQLite)`, { hint: 'check the --db path; nothing was written to the file' })
  }
  if (st.size < 512) throw new StoreError('DAMAGED', `${path} is truncated (${st.size} bytes)`, { hint: 'restore it from a backup with `csledger restore`; nothing was written to the file' })
}

/** Reads the schema and decides: ready as is, or needs migrating. Refuses what is not a ledger. */
function checkSchema(db: Database.Database, file: string, options: OpenSqliteOptions): 'ready' | 'migrate' {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get() !== undefined
  const applied = hasTable ? (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name) : []
  const unknown = applied.filter((n) => !SQLITE_MIGRATION_NAMES.includes(n))
  if (unknown.length > 0) {
    throw new StoreError('SCHEMA_TOO_NEW', `${file} was written by a newer csledger (schema ${unknown.at(-1)})`, { hint: 'upgrade csledger to open it; nothing was written to the file' })
  }
  if (applied.length === SQLITE_MIGRATION_NAMES.length) return 'ready'
  if (!hasTable) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }
    if (tables.n > 0) throw new StoreError('NOT_A_LEDGER', `${file} is a SQLite database but not a csledger ledger`, { hint: 'check the --db path; nothing was written to the file' })
    if (!options.create) throw new StoreError('NO_LEDGER', `${file} holds no ledger`, { hint: `initialise it with \`csledger init --db ${file} …\`` })
  }
  if (options.readonly) throw new StoreError('NEEDS_MIGRATION', `${file} needs a schema upgrade, which a read-only open cannot do`, { hint: 'open it once without read-only access' })
  return 'migrate'
}

/**
 * Switches the file to WAL. On read-only media (a read-only mount, a folder where no -wal can be
 * created) the switch is impossible and the file is left in the mode it has, so it can still be
 * read and verified (a backup on a USB stick); a write to it then fails with READ_ONLY.
 */
function useWal(db: Database.Database): void {
  try {
    db.pragma('journal_mode = WAL')
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (!code.startsWith('SQLITE_READONLY') && !code.startsWith('SQLITE_CANTOPEN')) throw err
  }
}

async function migrate(db: Database.Database): Promise<void> {
  const { Kysely, SqliteDialect } = await import('kysely')
  const { Migrator } = await import('kysely/migration')
  const { sqliteMigrationProvider } = await import('@csledger/migrations')
  const kdb = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
  const { error } = await new Migrator({ db: kdb, provider: sqliteMigrationProvider }).migrateToLatest()
  if (error) throw error
}
