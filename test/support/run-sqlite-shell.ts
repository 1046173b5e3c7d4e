import { spawnSync } from 'node:child_process'

/** The sqlite3 command-line shell (Debian package `sqlite3`). */
export const SQLITE3_SHELL = '/usr/bin/sqlite3'

/** What the shell printed and how it exited. */
export interface SqliteShellResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs SQL against a database file in a separate `sqlite3` process, the way someone with shell
 * access to the clinic's machine would edit the ledger behind csledger's back. `-bail` stops at
 * the first error. Throws when the shell fails, unless `allowFailure` is set.
 *
 * @example
 * runSqliteShell(file, 'DROP TRIGGER ledger_entry_no_update; UPDATE ledger_entry SET actor = \'eve\' WHERE seq = 5;')
 */
export function runSqliteShell(file: string, sql: string, options: { allowFailure?: boolean } = {}): SqliteShellResult {
  const r = spawnSync(SQLITE3_SHELL, ['-bail', file], { input: sql, encoding: 'utf8' })
  if (r.error) throw r.error
  const result = { status: r.status, stdout: r.stdout, stderr: r.stderr }
  if (!options.allowFailure && r.status !== 0) {
    throw new Error(`sqlite3 ${file} exited ${String(r.status)}: ${r.stderr.trim()}\n--- SQL ---\n${sql}`)
  }
  return result
}

/** SQL that removes the append-only triggers (the first thing a tamperer does). */
export const DROP_GUARD_TRIGGERS_SQL = [
  'DROP TRIGGER ledger_entry_no_update;',
  'DROP TRIGGER ledger_entry_no_delete;',
  'DROP TRIGGER ledger_entry_continuity;',
].join('\n')

/** Quotes a value as an SQL string literal. */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
