import { rename, rm, stat } from 'node:fs/promises'
import Database from 'better-sqlite3'
import { dirname, basename, join } from 'node:path'
import { type ExpectedHead, IntegrityError, LedgerError, StoreError, type VerifyReport, verifyLedger } from '@csledger/ledger-core'
import { mapSqliteError } from './sqlite-errors.ts'
import { openSqliteStore } from './open-sqlite-store.ts'
import type { SqliteLedgerStore } from './sqlite-ledger-store.ts'

/**
 * A consistent online copy of a ledger (SQLite's backup API: other processes may keep writing),
 * written beside `out` and renamed into place only after the copy verifies on its own.
 *
 * @example
 * const { report } = await backupSqlite(store, 'clinic-2026-11-26.db')
 */
export async function backupSqlite(store: SqliteLedgerStore, out: string): Promise<{ out: string; bytes: number; report: VerifyReport }> {
  if (await exists(out)) throw new StoreError('FILE_EXISTS', `${out} already exists; a backup never overwrites a file`, { hint: 'choose a new file name, e.g. with the date' })
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`)
  try {
    await writeCopy(() => store.database.backup(tmp), out)
    standalone(tmp)
    const copy = await openSqliteStore(tmp, { readonly: true })
    let report: VerifyReport
    try { report = await verifyLedger(copy) } finally { await copy.close() }
    if (!report.ok) throw new IntegrityError('BACKUP_INVALID', `the backup copy does not verify: ${report.findings[0]?.message ?? 'unknown'}`, { hint: 'run `csledger verify` on the ledger itself; keep it as evidence' })
    await rename(tmp, out)
    return { out, bytes: (await stat(out)).size, report }
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  } finally {
    await removeSidecars(tmp)
  }
}

/**
 * Runs SQLite's backup into a new file; a place that cannot be written (a folder that does not
 * exist, no permission, a full disk) is a StoreError naming `dest`, not an internal error.
 */
async function writeCopy(copy: () => Promise<unknown>, dest: string): Promise<void> {
  try {
    await copy()
  } catch (err) {
    const mapped = mapSqliteError(err, dest)
    if (mapped instanceof LedgerError) throw mapped
    const why = err instanceof Error ? err.message : String(err)
    throw new StoreError('CANNOT_WRITE', `cannot write ${dest}: ${why}`, { hint: `check that the folder ${dirname(dest)} exists, is writable and has space`, cause: err })
  }
}

/**
 * Makes a copy a file that stands alone: rollback-journal mode instead of WAL (the backup API
 * copies the WAL flag from the live ledger), so it can be read — and verified — where no -wal or
 * -shm file can be created beside it (a read-only medium), and leaves no sidecar files behind.
 */
function standalone(file: string): void {
  const db = new Database(file)
  try { db.pragma('journal_mode = DELETE') } finally { db.close() }
}

async function removeSidecars(file: string): Promise<void> {
  for (const ext of ['-wal', '-shm', '-journal']) await rm(file + ext, { force: true })
}

/**
 * Restores a backup into `target`: the backup must verify (and, with `expectedHead`, contain a
 * head given out earlier). An existing target is kept beside it as `<target>.replaced-<time>`,
 * never deleted.
 */
export async function restoreSqlite(from: string, target: string, options: { now: Date; expectedHead?: ExpectedHead }): Promise<{ target: string; replaced: string | null; report: VerifyReport }> {
  const tmp = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`)
  try {
    // Copy through SQLite (it reads entries still in the backup's -wal, which a byte copy of the
    // main file would drop), then verify the copy itself: what is installed is what was verified.
    const backup = await openSqliteStore(from, { readonly: true })
    try { await writeCopy(() => backup.database.backup(tmp), target) } finally { await backup.close() }
    standalone(tmp)
    const copy = await openSqliteStore(tmp, { readonly: true })
    let report: VerifyReport
    try { report = await verifyLedger(copy, options.expectedHead ? { expectedHead: options.expectedHead } : {}) } finally { await copy.close() }
    if (!report.ok) {
      throw new IntegrityError('BACKUP_INVALID', `${from} does not verify, so it is not restored: ${report.findings[0]?.message ?? ''}`, { hint: 'try an older backup; keep this one as evidence' })
    }
    let replaced: string | null = null
    if (await exists(target)) {
      replaced = `${target}.replaced-${options.now.toISOString().replace(/[:.]/g, '-')}`
      await rename(target, replaced)
      for (const ext of ['-wal', '-shm']) if (await exists(target + ext)) await rename(target + ext, replaced + ext)
    }
    await rename(tmp, target)
    return { target, replaced, report }
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  } finally {
    await removeSidecars(tmp)
  }
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true } catch { return false }
}
