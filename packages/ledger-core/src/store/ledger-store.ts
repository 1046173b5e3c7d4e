import type { EntryDraft, StoredEntry } from '../model/entry.ts'
import type { ProjectionChange, ProjectionKind, ProjectionView } from '../state/projections.ts'
import type { Entry } from '../model/entry.ts'
import type { EntrySignature } from '../signing/entry-signature.ts'

/** A row of the entry table as a store holds it: the columns and the exact hashed bytes. */
export interface EntryRow {
  readonly seq: number
  readonly ledger_id: string
  readonly prev_hash: string
  readonly hash: string
  readonly kind: string
  readonly recorded_at: string
  readonly occurred_at: string
  readonly actor: string
  readonly request_id: string | null
  readonly canonical: string
}

/** A stored passphrase hash; kept beside the chain, never in it (exports must not leak it). */
export interface CredentialRecord {
  readonly username: string
  readonly passphrase_hash: string
  readonly updated_at: string
  /**
   * The user's Ed25519 private key sealed with a key derived from their passphrase
   * (`sealed-ed25519-v1$…`, see auth/sealed-key.ts); null or absent for users without a signing key.
   */
  readonly sealed_key?: string | null
}

/** A signed checkpoint the ledger gave out (a count, an audit packet, `csledger checkpoint`), kept for exports. */
export interface CheckpointRecord {
  /** Entries covered: seq 1..size. */
  readonly size: number
  /** The Merkle root of those entries, 64 lowercase hex digits. */
  readonly root: string
  /** The signed note, verbatim (C2SP signed-note over a tlog-checkpoint body). */
  readonly note: string
  /** When it was signed (system clock, ISO-8601). */
  readonly created_at: string
}

/** The head of a chain: its last seq and hash. */
export interface ChainHead { readonly seq: number; readonly hash: string; readonly ledger_id: string }

/** What a store offers inside one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: a locked head). */
export interface WriteTransaction extends ProjectionView {
  head(): Promise<ChainHead | null>
  entry(seq: number): Promise<Entry | undefined>
  entryByRequestId(requestId: string): Promise<StoredEntry | undefined>
  insertEntry(stored: StoredEntry): Promise<void>
  putProjections(seq: number, changes: readonly ProjectionChange[]): Promise<void>
  putCredential(record: CredentialRecord): Promise<void>
  /**
   * Signing capability (docs/signatures.md §6.1): stores the signatures of the entry just inserted,
   * in the same transaction; append-only. Every store that can sign implements it, with
   * `putCheckpoint`, `signatureRows` and `checkpointRows` (see {@link canSign}).
   */
  putSignatures?(signatures: readonly EntrySignature[]): Promise<void>
  /** Signing capability: stores a signed checkpoint (append-only). */
  putCheckpoint?(record: CheckpointRecord): Promise<void>
}

/** Read access outside a write (balances, logs, verify). */
export interface ReadView extends ProjectionView {
  head(): Promise<ChainHead | null>
  entry(seq: number): Promise<Entry | undefined>
}

/**
 * The storage port. Implementations: the in-memory store (unit tests), `@csledger/ledger-sqlite`,
 * and the PostgreSQL store. All of them run the same `appendEntry` algorithm from this package,
 * so the rules and the hash format cannot drift between stores.
 */
export interface LedgerStore {
  /** Runs `fn` holding the ledger's write lock; all writes commit together or not at all. */
  writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T>
  /** Current projections and entries. */
  read(): ReadView
  /** Entry rows in seq order (storage order: `ORDER BY seq`), streamed. */
  entryRows(range?: { fromSeq?: number; toSeq?: number }): AsyncIterable<EntryRow>
  /** Stored projection rows, sorted by kind then key; values as canonical JSON. */
  projectionRows(): Promise<Array<{ kind: ProjectionKind; key: string; value: string }>>
  /** Every projection write, ordered by seq, kind, key (what `verify` compares with a replay). */
  projectionHistoryRows(): AsyncIterable<{ seq: number; kind: ProjectionKind; key: string; value: string }>
  /** Optional: the storage engine's own structural check (e.g. SQLite quick_check), as findings. */
  checkStorage?(): Promise<import('../chain/finding.ts').Finding[]>
  /** Projection values of `kind` as they stood right after entry `seq` (balance as of). */
  projectionsAt<K extends ProjectionKind>(kind: K, seq: number): Promise<ReadonlyArray<import('../state/projections.ts').Projections[K]>>
  /** Optional: the containers open right after entry `seq`, in key order (what `projectionsAt('container', seq)` filtered to open gives, faster). */
  openContainersAt?(seq: number): Promise<ReadonlyArray<import('../state/projections.ts').ContainerState>>
  /** The highest seq recorded at or before `iso` (recorded_at), or 0. */
  seqAtTime(iso: string): Promise<number>
  credential(username: string): Promise<CredentialRecord | undefined>
  /** Signing capability: entry signatures in (seq, role) order, streamed; `range` bounds seq as in entryRows. */
  signatureRows?(range?: { fromSeq?: number; toSeq?: number }): AsyncIterable<EntrySignature>
  /** Signing capability: stored signed checkpoints, in the order they were stored. */
  checkpointRows?(): AsyncIterable<CheckpointRecord>
  /**
   * Optional: runs many appends in one transaction (one durable commit), all or nothing: if any
   * append fails, the whole batch rolls back. Stores without it commit each append on its own.
   */
  batch?<T>(fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A decision: the entry to append and the credentials to store with it, in one transaction. */
export interface Decision {
  readonly draft: EntryDraft
  readonly credentials?: readonly CredentialRecord[]
}

/**
 * Whether a store keeps entry signatures and checkpoints (docs/signatures.md §6.1): it implements
 * `signatureRows` and `checkpointRows`, and its write transactions `putSignatures` and
 * `putCheckpoint`. A store without them keeps working unsigned, as before signing existed.
 */
export function canSign(store: LedgerStore): boolean {
  return typeof store.signatureRows === 'function' && typeof store.checkpointRows === 'function'
}

/** The store's signatures, or none when it cannot keep them. */
export function signatureRowsOf(store: LedgerStore, range?: { fromSeq?: number; toSeq?: number }): AsyncIterable<EntrySignature> {
  return store.signatureRows ? store.signatureRows(range) : none()
}

/** The store's checkpoints, or none when it cannot keep them. */
export function checkpointRowsOf(store: LedgerStore): AsyncIterable<CheckpointRecord> {
  return store.checkpointRows ? store.checkpointRows() : none()
}

async function* none<T>(): AsyncIterable<T> {}
