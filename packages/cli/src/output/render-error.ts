import { AuthError, ConflictError, InputError, IntegrityError, LedgerError, RuleViolation, StoreError } from '@csledger/ledger-core'
import { printable } from './printable.ts'

export interface ErrorPayload {
  readonly code: string
  readonly message: string
  readonly hint: string
  readonly details?: Readonly<Record<string, unknown>>
}

/**
 * The next step to suggest when an error was raised without a hint of its own: the --json
 * contract promises `{code, message, hint}` on every failure, and a person at a terminal
 * deserves a next step too.
 */
export function fallbackHint(err: LedgerError): string {
  if (err instanceof AuthError) return 'check the username with `csledger user list` and the passphrase; nothing was recorded'
  if (err instanceof IntegrityError) return 'run `csledger verify`, keep the file as evidence and compare it with a backup or an earlier export'
  if (err instanceof ConflictError) return 'nothing was recorded; run the command again'
  if (err instanceof RuleViolation) return 'nothing was recorded; check the current state with `csledger balance` or `csledger log`'
  if (err instanceof InputError) return 'nothing was recorded; see `csledger <command> --help` for the expected values'
  if (err instanceof StoreError) return 'check the --db path (or CSLEDGER_DB); nothing was written'
  return 'nothing was recorded'
}

/** The error as data, for `--json` and for the text form. Every payload carries a hint. */
export function errorPayload(err: unknown): ErrorPayload {
  if (err instanceof LedgerError) {
    return { code: err.code, message: err.message, hint: err.hint || fallbackHint(err), ...(Object.keys(err.details).length ? { details: err.details } : {}) }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message: `internal error: ${message}`, hint: 'this is a bug in csledger; please report it with the command you ran and `csledger --version`' }
}

/**
 * hledger-style error text:
 *   csledger: error[CODE]: summary
 *     fact:  value
 *   hint: next command to run
 * Every part is made printable: messages quote what was typed, and a typed escape sequence
 * must not drive the terminal. A message of several lines (commander adds "(Did you mean
 * --dose?)") continues on lines indented by four spaces, so no line of a message can pass for
 * the summary, a fact or the hint.
 */
export function renderError(p: ErrorPayload): string {
  const lines = [`csledger: error[${printable(p.code)}]: ${continued(p.message)}`]
  const details = Object.entries(p.details ?? {})
  const w = Math.max(0, ...details.map(([k]) => k.length + 1))
  for (const [k, v] of details) lines.push(`  ${`${k.replace(/_/g, ' ')}:`.padEnd(w + 1)} ${printable(String(v))}`)
  if (p.hint) lines.push(`hint: ${continued(p.hint)}`)
  return lines.join('\n') + '\n'
}

function continued(text: string): string {
  return text.split('\n').map(printable).join('\n    ')
}
