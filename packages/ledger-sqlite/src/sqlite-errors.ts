import { ConflictError, LedgerError, StoreError } from '@csledger/ledger-core'

/**
 * Turns a better-sqlite3 error into a typed error that names the file and what to do.
 * LedgerErrors pass through unchanged; anything unknown is returned as is (a bug: exit 70).
 */
export function mapSqliteError(err: unknown, file: string): unknown {
  if (err instanceof LedgerError) return err
  const code = (err as { code?: string } | null)?.code ?? ''
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new ConflictError('BUSY', `the ledger ${file} is busy (another workstation is writing)`, { hint: 'run the command again in a moment', cause: err })
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new ConflictError('APPEND_REJECTED', `the database refused the entry: ${message}`, { hint: 'another write got there first; run the command again', cause: err })
  }
  // SHMSIZE: no room to grow the -shm index beside the file, which only a full disk causes.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE' || /database or disk is full/i.test(message)) {
    return new StoreError('DISK_FULL', `the disk holding ${file} is full; nothing was written`, { hint: 'free disk space, then run the command again', cause: err })
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('READ_ONLY', `${file} is read-only; nothing was written`, { hint: 'check the file and folder permissions, or use a writable copy', cause: err })
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('NOT_A_LEDGER', `${file} is not a csledger database (not SQLite)`, { hint: 'check the --db path; restore from a backup if the file was damaged', cause: err })
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError('DAMAGED', `${file} is damaged (${message})`, { hint: 'do not write to it; restore from a backup with `csledger restore` and keep this file for investigation', cause: err })
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
    return new StoreError('CANNOT_OPEN', `cannot read or write ${file} (${code})`, { hint: 'check that the path exists, the disk is mounted and you have permission', cause: err })
  }
  return err
}
