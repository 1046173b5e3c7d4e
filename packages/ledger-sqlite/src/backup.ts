import { copyFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { type ExpectedHead, IntegrityError, StoreError, type VerifyReport, verifyLedger } from '@csledger/ledger-core'
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
    await store.database.backup(tmp)
    const copy = await openSqliteStore(tmp, { readonly: true })
    let report: VerifyReport
    try { report = await verifyLedger(copy) } finally { await copy.close() }
    if (!report.ok) throw new IntegrityError('BACKUP_INVALID', `the backup copy does not verify: ${report.findings[0]?.message ?? 'unknown'}`, { hint: 'run `csledger verify` on the ledger itself; keep it as evidence' })
    await rename(tmp, out)
    return { out, bytes: (await stat(out)).size, report }
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/**
 * Restores a backup into `target`: the backup must verify (and, with `expectedHead`, contain a
 * head given out earlier). An existing target is kept beside it as `<target>.replaced-<time>`,
 * never deleted.
 */
export async function restoreSqlite(from: string, target: string, options: { now: Date; expectedHead?: ExpectedHead }): Promise<{ target: string; replaced: string | null; report: VerifyReport }> {
  const backup = await openSqliteStore(from, { readonly: true })
  let report: VerifyReport
  try { report = await verifyLedger(backup, options.expectedHead ? { expectedHead: options.expectedHead } : {}) } finally { await backup.close() }
  if (!report.ok) {
    throw new IntegrityError('BACKUP_INVALID', `${from} does not verify, so it is not restored: ${report.findings[0]?.message ?? ''}`, { hint: 'try an older backup; keep this one as evidence' })
  }
  const tmp = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`)
  await copyFile(from, tmp)
  let replaced: string | null = null
  if (await exists(target)) {
    replaced = `${target}.replaced-${options.now.toISOString().replace(/[:.]/g, '-')}`
    await rename(target, replaced)
    for (const ext of ['-wal', '-shm']) if (await exists(target + ext)) await rename(target + ext, replaced + ext)
  }
  await rename(tmp, target)
  return { target, replaced, report }
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true } catch { return false }
}
