import { ConflictError, InputError } from '../errors.ts'
import { ENTRY_FORMAT, GENESIS_PREV_HASH, hashEntry } from '../chain/hash-entry.ts'
import type { Entry, StoredEntry } from '../model/entry.ts'
import { evolve } from '../state/evolve.ts'
import type { Decision, LedgerStore, WriteTransaction } from './ledger-store.ts'
import type { Clock } from './ports.ts'
import type { EntrySignature } from '../signing/entry-signature.ts'

export interface AppendOptions {
  /** Decides the entry from the state under the write lock. Throws to refuse. */
  readonly decide: (tx: WriteTransaction) => Promise<Decision>
  readonly clock: Clock
  /** Needed for the first entry only; later entries inherit the ledger id of the chain. */
  readonly ledgerId?: string
  /** Refuse with TIP_MOVED unless the chain still ends at this seq (a count computed earlier). */
  readonly expectedTipSeq?: number
  /** Idempotency key: a retry with the same id returns the entry first appended. */
  readonly requestId?: string
  /**
   * Signs the placed and hashed entry (its actor's and witness's keys, docs/signatures.md). Runs
   * under the write lock after hashing; the signatures are stored in the same transaction. Throws to
   * refuse the append (e.g. a signer's key is required but missing).
   */
  readonly sign?: (tx: WriteTransaction, stored: StoredEntry) => Promise<readonly EntrySignature[]>
}

export interface AppendResult { readonly stored: StoredEntry; readonly replayed: boolean }

/**
 * Appends one entry: under the store's write lock, read the tip, decide, place the entry
 * (seq, prev_hash, recorded_at), hash it, fold it into the projections, write both. Either all
 * of it commits or nothing does.
 *
 * @example
 * const { stored } = await appendEntry(store, { clock, decide: async (tx) => ({ draft }) })
 */
export async function appendEntry(store: LedgerStore, options: AppendOptions): Promise<AppendResult> {
  return store.writeTransaction(async (tx) => {
    if (options.requestId !== undefined) {
      const prior = await tx.entryByRequestId(options.requestId)
      if (prior) return { stored: prior, replayed: true }
    }
    const head = await tx.head()
    if (options.expectedTipSeq !== undefined && (head?.seq ?? 0) !== options.expectedTipSeq) {
      throw new ConflictError('TIP_MOVED', `the ledger moved on: expected it to end at seq ${options.expectedTipSeq}, it ends at ${head?.seq ?? 0}`, {
        details: { expected_seq: options.expectedTipSeq, actual_seq: head?.seq ?? 0 },
        hint: 'run the command again; it will be decided against the new tip',
      })
    }
    const ledgerId = head?.ledger_id ?? options.ledgerId
    if (!ledgerId) throw new InputError('NO_LEDGER', 'this ledger has not been initialised', { hint: 'run `csledger init` first' })
    const decision = await options.decide(tx)
    const draft = options.requestId !== undefined ? { ...decision.draft, request_id: options.requestId } : decision.draft
    const entry = {
      ...stripUndefined(draft),
      format: ENTRY_FORMAT,
      ledger_id: ledgerId,
      seq: (head?.seq ?? 0) + 1,
      prev_hash: head?.hash ?? GENESIS_PREV_HASH,
      recorded_at: options.clock.now().toISOString(),
    } as Entry
    const { canonical, hash } = hashEntry(entry)
    const changes = await evolve(tx, entry, (seq) => tx.entry(seq))
    const stored: StoredEntry = { entry, canonical, hash }
    const signatures = options.sign ? await options.sign(tx, stored) : []
    await tx.insertEntry(stored)
    if (signatures.length > 0) await tx.putSignatures(signatures)
    await tx.putProjections(entry.seq, changes)
    for (const c of decision.credentials ?? []) await tx.putCredential(c)
    return { stored, replayed: false }
  })
}

/** Drops undefined fields recursively: canonical JSON has no `undefined`, and absent means absent. */
export function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripUndefined) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stripUndefined(v)
    return out as T
  }
  return value
}
