import { LedgerError } from '@csledger/ledger-core'

export interface ErrorPayload {
  readonly code: string
  readonly message: string
  readonly hint?: string
  readonly details?: Readonly<Record<string, unknown>>
}

/** The error as data, for `--json` and for the text form. */
export function errorPayload(err: unknown): ErrorPayload {
  if (err instanceof LedgerError) {
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(Object.keys(err.details).length ? { details: err.details } : {}) }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message: `internal error: ${message}`, hint: 'this is a bug in csledger; please report it with the command you ran and `csledger --version`' }
}

/**
 * hledger-style error text:
 *   csledger: error[CODE]: summary
 *     fact:  value
 *   hint: next command to run
 */
export function renderError(p: ErrorPayload): string {
  const lines = [`csledger: error[${p.code}]: ${p.message}`]
  const details = Object.entries(p.details ?? {})
  const w = Math.max(0, ...details.map(([k]) => k.length + 1))
  for (const [k, v] of details) lines.push(`  ${`${k.replace(/_/g, ' ')}:`.padEnd(w + 1)} ${String(v)}`)
  if (p.hint) lines.push(`hint: ${p.hint}`)
  return lines.join('\n') + '\n'
}
