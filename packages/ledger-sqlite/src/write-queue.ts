import type { ChainHead, EntrySignature, StoredEntry } from '@csledger/ledger-core'
import type { Statements } from './statements.ts'

/**
 * What one write transaction knows without asking SQLite, and what it has written but not yet
 * handed to SQLite. Under BEGIN IMMEDIATE nobody else writes, so a projection read once stays
 * true until this transaction writes it (which replaces what is known of it), and the head is the
 * last entry this transaction appended. The queued rows are written together (SQLite's
 * statements then run back to back instead of between each append's JS work, which made them
 * markedly slower) and in primary-key order. It lives exactly as long as the transaction: commit
 * and rollback both drop it. Parsed values are frozen because every later read in the
 * transaction (a batch: up to every append in it) shares them.
 */
export class TxState {
  /** `kind\0key` -> the stored canonical text (null: no such projection) and, once read, its parsed value. */
  readonly projections = new Map<string, { text: string | null; value?: unknown }>()
  /** The chain's head; undefined until read or written in this transaction. */
  head: ChainHead | null | undefined = undefined
  /** Entries appended and not yet handed to SQLite, in seq order, each with its signatures. */
  entries: QueuedEntry[] = []
  readonly entryBySeq = new Map<number, QueuedEntry>()
  readonly entryByRequest = new Map<string, QueuedEntry>()
  /** Projection writes not yet handed to SQLite: every one (history) and the latest per key. */
  history: ProjectionRow[] = []
  latest = new Map<string, ProjectionRow>()
  /** Why queued writes could not be handed to SQLite: the transaction must roll back. */
  failed: unknown = undefined
}

interface QueuedEntry { readonly stored: StoredEntry; readonly signatures: EntrySignature[] }
interface ProjectionRow { readonly kind: string; readonly key: string; readonly seq: number; readonly value: string }

/** Queued entries after which the queue is handed to SQLite even inside a long batch (bounds memory). */
export const PENDING_LIMIT = 1000

function byKindKeySeq(a: ProjectionRow, b: ProjectionRow): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1
  if (a.key !== b.key) return a.key < b.key ? -1 : 1
  return a.seq - b.seq
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * Hands a transaction's queued writes to SQLite: each entry with its signatures, in seq order, then
 * the projection history and the projections' latest values in key order (the order of their
 * primary keys, so each B-tree is written front to back). The queue is emptied first, so a failure
 * does not write the same rows twice; the caller must then roll back.
 */
export function writeQueued(state: TxState, st: Statements): void {
  if (state.entries.length === 0 && state.history.length === 0) return
  const { entries, history, latest } = state
  state.entries = []
  state.entryBySeq.clear()
  state.entryByRequest.clear()
  state.history = []
  state.latest = new Map()
  for (const { stored: s, signatures } of entries) {
    const e = s.entry
    st.insertEntry.run(e.seq, e.ledger_id, e.prev_hash, s.hash, e.kind, e.recorded_at, e.occurred_at, e.actor, e.request_id ?? null, s.canonical)
    for (const x of signatures) st.insertSignature.run(x.seq, x.role, x.signer, x.signature)
  }
  history.sort(byKindKeySeq)
  for (const h of history) st.insertHistory.run(h.kind, h.key, h.seq, h.value)
  for (const p of [...latest.values()].sort(byKindKeySeq)) st.upsertProjection.run(p.kind, p.key, p.seq, p.value)
}
