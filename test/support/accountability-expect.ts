import { LedgerError, exitCodeFor } from '@csledger/ledger-core'

/** What a refused operation threw: its stable code and the CLI exit code it maps to. */
export interface Refusal { readonly code: string; readonly exit: number; readonly message: string; readonly error: LedgerError }

/**
 * Awaits an operation that must be refused and returns the refusal as data; fails the test if the
 * operation succeeded or threw something that is not a LedgerError (an internal error is a bug).
 */
export async function refusal(operation: Promise<unknown>): Promise<Refusal> {
  let thrown: unknown
  try {
    await operation
  } catch (err) {
    thrown = err
  }
  if (thrown === undefined) throw new Error('expected the operation to be refused, but it succeeded')
  if (!(thrown instanceof LedgerError)) throw new Error(`expected a LedgerError, got ${String((thrown as Error)?.stack ?? thrown)}`)
  return { code: thrown.code, exit: exitCodeFor(thrown), message: thrown.message, error: thrown }
}
