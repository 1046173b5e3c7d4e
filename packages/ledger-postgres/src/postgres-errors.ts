import { ConflictError, LedgerError, StoreError } from '@csledger/ledger-core'

/** SQLSTATEs raised by csledger's own PL/pgSQL guards (migrations/src/postgres/0002). */
export const GUARD_SQLSTATES = Object.freeze({ APPEND_ONLY: 'CL001', CONTINUITY: 'CL002', CONTENT: 'CL003' })

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', '57P01', '57P02', '57P03'])

/**
 * Turns a pg error into a typed error that names the server (password masked) and what to do.
 * LedgerErrors pass through unchanged; anything unknown is returned as is (a bug: exit 70).
 */
export function mapPostgresError(err: unknown, where: string): unknown {
  if (err instanceof LedgerError) return err
  const code = String((err as { code?: unknown } | null)?.code ?? '')
  const message = err instanceof Error ? err.message : String(err)
  const cause = { cause: err }
  if (CONNECT_CODES.has(code) || code.startsWith('08') || /Connection terminated|connect ECONNREFUSED/i.test(message)) {
    return new StoreError('CANNOT_CONNECT', `cannot reach the PostgreSQL server ${where} (${code || message})`, { hint: 'check the host and port in --db and that the server is running', ...cause })
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError('DB_LOGIN_FAILED', `PostgreSQL refused the login for ${where}: ${message}`, { hint: 'check the user and password in --db (or PGPASSWORD / ~/.pgpass)', ...cause })
  }
  if (code === '3D000') {
    return new StoreError('NO_DATABASE', `${where}: ${message}`, { hint: 'create the database first (see docs/deploy-postgres.md), then run `csledger migrate --db <url>` as its owner', ...cause })
  }
  if (code === '42P01' || code === '42883') {
    return new StoreError('NEEDS_MIGRATION', `${where} has no csledger schema, or an older one (${message})`, { hint: 'run `csledger migrate --db <url>` as the database owner; migrations never run on their own', ...cause })
  }
  if (code === '42501') {
    return new StoreError('PERMISSION_DENIED', `PostgreSQL refused: ${message}`, { hint: 'this database role may not do that: ask the database owner to grant the role access to this ledger (docs/deploy-postgres.md)', ...cause })
  }
  if (code === GUARD_SQLSTATES.APPEND_ONLY || code === GUARD_SQLSTATES.CONTINUITY || code === GUARD_SQLSTATES.CONTENT || code.startsWith('23')) {
    return new ConflictError('APPEND_REJECTED', `the database refused the entry: ${message}`, { hint: 'another write got there first; run the command again', ...cause })
  }
  if (code === '55P03' || code === '40001' || code === '40P01' || code === '57014' || code === '53300') {
    return new ConflictError('BUSY', `the ledger is busy (${message})`, { hint: 'another workstation is writing; run the command again in a moment', ...cause })
  }
  if (code === '53100') {
    return new StoreError('DISK_FULL', `the PostgreSQL server's disk is full; nothing was written (${where})`, { hint: 'ask the database administrator to free space, then run the command again', ...cause })
  }
  if (code === '25006') {
    return new StoreError('READ_ONLY', `${where} is read-only (a standby?); nothing was written`, { hint: 'point --db at the primary server', ...cause })
  }
  return err
}
