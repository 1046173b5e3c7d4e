import { ConflictError, InputError, StoreError } from '../errors.ts'
import { ENTRY_FORMAT, GENESIS_PREV_HASH, hashEntry } from '../chain/hash-entry.ts'
import type { Entry, EntryKind, StoredEntry } from '../model/entry.ts'
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
   * The kind of entry this command records. With a request id, an id already used for an entry
   * of another kind is refused (REQUEST_ID_REUSED) even when the command cannot be decided now.
   */
  readonly kind?: EntryKind
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
  if (options.requestId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,99}$/.test(options.requestId)) {
    throw new InputError('INVALID_REQUEST_ID', `request id "${String(options.requestId).slice(0, 40)}" is not 1-100 letters, digits and . _ : / -`, { hint: 'use a UUID or a short client-generated key' })
  }
  return store.writeTransaction(async (tx) => {
    if (options.requestId !== undefined) {
      const prior = await tx.entryByRequestId(options.requestId)
      if (prior) {
        await assertSameRequest(tx, options, prior)
        return { stored: prior, replayed: true }
      }
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
    if (signatures.length > 0) {
      if (!tx.putSignatures) throw new StoreError('CANNOT_SIGN', 'this store cannot keep entry signatures, so a signed entry cannot be written to it', { hint: 'see docs/signatures.md §6.1: the store must implement putSignatures, putCheckpoint, signatureRows and checkpointRows' })
      await tx.putSignatures(signatures)
    }
    await tx.putProjections(entry.seq, changes)
    for (const c of decision.credentials ?? []) await tx.putCredential(c)
    return { stored, replayed: false }
  })
}

/**
 * A retry carries the same command as the first attempt. When the command can still be decided,
 * its entry kind and actor must be those of the entry recorded under the id; otherwise the id is
 * being reused for something else, and answering with the old entry would tell the caller that a
 * command it never ran (a dose, say, answered with a receipt) was recorded. When the command can
 * no longer be decided (the first attempt used up what it needed) the recorded entry is the answer.
 */
async function assertSameRequest(tx: WriteTransaction, options: AppendOptions, prior: StoredEntry): Promise<void> {
  let draft: Pick<Decision['draft'], 'kind' | 'actor'> | undefined
  try {
    draft = (await options.decide(tx)).draft
  } catch {
    draft = undefined
  }
  const kind = options.kind ?? draft?.kind ?? prior.entry.kind
  const actor = draft?.actor ?? prior.entry.actor
  if (kind !== prior.entry.kind || actor !== prior.entry.actor) {
    throw new InputError('REQUEST_ID_REUSED', `request id ${options.requestId!.slice(0, 80)} was already used for entry #${prior.entry.seq} (a ${prior.entry.kind.replace(/_/g, ' ')} by ${prior.entry.actor}); nothing was recorded`, {
      details: { seq: prior.entry.seq, kind: prior.entry.kind, actor: prior.entry.actor },
      hint: 'give each new command its own --request-id; reuse an id only to retry the same command',
    })
  }
}

/**
 * Drops undefined fields recursively: canonical JSON has no `undefined`, and absent means absent.
 * The result is a fresh copy of every object and array (class instances become plain objects of
 * their own fields); a value made only of plain, unfrozen objects without undefined fields is
 * copied only where it differs from what a copy would be, i.e. not at all.
 */
export function stripUndefined<T>(value: T): T {
  return isStripped(value) ? value : copyStripped(value)
}

function copyStripped<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyStripped) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copyStripped(v)
    return out as T
  }
  return value
}

/**
 * True when a copy would change nothing the entry's readers rely on: plain objects and arrays
 * without undefined fields or holes, none frozen (a draft may embed a projection's frozen parts,
 * and the entry handed back must be the caller's to change, as a copy is).
 */
function isStripped(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  if (Object.isFrozen(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto === Array.prototype) {
    const a = value as readonly unknown[]
    for (let i = 0; i < a.length; i++) if (!(i in a) || !isStripped(a[i])) return false
    return true
  }
  if (proto !== Object.prototype) return false
  const o = value as Readonly<Record<string, unknown>>
  for (const k of Object.keys(o)) {
    const v = o[k]
    if (v === undefined || !isStripped(v)) return false
  }
  return true
}
