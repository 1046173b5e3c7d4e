/**
 * Typed errors. Every error carries a stable SCREAMING_SNAKE `code` (scripts and docs depend on it),
 * a one-line `message`, an optional `hint` naming the next command to run, and `details` (facts
 * printed indented under the message). The CLI maps each subclass to an exit code; see
 * docs/exit-codes.md. Anything that is not a LedgerError is a bug (exit 70).
 */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>

export interface LedgerErrorOptions {
  readonly hint?: string
  readonly details?: ErrorDetails
  readonly cause?: unknown
}

export class LedgerError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly details: ErrorDetails
  constructor(code: string, message: string, options: LedgerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
    this.details = options.details ?? {}
  }
}

/** Bad arguments, a malformed value or a bad file. Exit 2. */
export class InputError extends LedgerError {}
/** The ledger refuses: stock, witness, correction target, expiry. Exit 3. */
export class RuleViolation extends LedgerError {}
/** The ledger tip moved under a decision made earlier; safe to retry. Exit 4. */
export class ConflictError extends LedgerError {}
/** The stored chain is invalid (edited, deleted, inserted, reordered). Exit 5. */
export class IntegrityError extends LedgerError {}
/** Wrong or missing passphrase, unknown or deactivated user, role not allowed. Exit 77. */
export class AuthError extends LedgerError {}
/** The store cannot be opened or written (missing, damaged, read-only, newer schema, disk full). Exit 2 or 70. */
export class StoreError extends LedgerError {}

/** Exit code for each error category (the CLI's public contract, never renumbered). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof AuthError) return 77
  if (error instanceof IntegrityError) return 5
  if (error instanceof ConflictError) return 4
  if (error instanceof RuleViolation) return 3
  if (error instanceof InputError) return 2
  if (error instanceof StoreError) return 2
  return 70
}
