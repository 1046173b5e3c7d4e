import type { Entry, StoredEntry } from '../model/entry.ts'
import { canonicalJson } from '../chain/canonical-json.ts'
import { MemoryProjections } from '../state/memory-projections.ts'
import type { ProjectionChange, ProjectionKind, Projections } from '../state/projections.ts'
import type { ChainHead, CheckpointRecord, CredentialRecord, EntryRow, LedgerStore, ReadView, WriteTransaction } from './ledger-store.ts'
import type { EntrySignature } from '../signing/entry-signature.ts'

/**
 * A LedgerStore in memory, for unit tests of rules and of the append protocol. Writes are staged
 * and committed only when the transaction function returns, as a real store does.
 */
export function createInMemoryLedgerStore(): LedgerStore {
  const entries: StoredEntry[] = []
  const byRequest = new Map<string, StoredEntry>()
  const projections = new MemoryProjections()
  const history: Array<{ seq: number; change: ProjectionChange }> = []
  const credentials = new Map<string, CredentialRecord>()
  const signatures: EntrySignature[] = []
  const checkpoints: CheckpointRecord[] = []
  let lock: Promise<unknown> = Promise.resolve()

  const head = async (): Promise<ChainHead | null> => {
    const last = entries.at(-1)
    return last ? { seq: last.entry.seq, hash: last.hash, ledger_id: last.entry.ledger_id } : null
  }
  const entry = async (seq: number): Promise<Entry | undefined> => entries[seq - 1]?.entry
  const read: ReadView = { get: (k, key) => projections.get(k, key), list: (k) => projections.list(k), head, entry }

  return {
    async writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
      const run = lock.then(async () => {
        const staged: StoredEntry[] = []
        const stagedChanges: Array<{ seq: number; change: ProjectionChange }> = []
        const stagedCreds: CredentialRecord[] = []
        const stagedSigs: EntrySignature[] = []
        const stagedCheckpoints: CheckpointRecord[] = []
        const overlay = new MemoryProjections()
        const tx: WriteTransaction = {
          async get(kind, key) { return overlay.getSync(kind, key) ?? projections.getSync(kind, key) },
          async list(kind) { return projections.list(kind) },
          async head() { const s = staged.at(-1); return s ? { seq: s.entry.seq, hash: s.hash, ledger_id: s.entry.ledger_id } : head() },
          async entry(seq) { return staged.find((s) => s.entry.seq === seq)?.entry ?? entry(seq) },
          async entryByRequestId(id) { return byRequest.get(id) },
          async insertEntry(stored) {
            const h = await tx.head()
            if ((h?.seq ?? 0) + 1 !== stored.entry.seq) throw new Error('continuity violated')
            staged.push(stored)
          },
          async putProjections(seq, changes) { overlay.apply(changes); for (const change of changes) stagedChanges.push({ seq, change }) },
          async putCredential(record) { stagedCreds.push(record) },
          async putSignatures(sigs) {
            const tip = (await tx.head())?.seq
            for (const sig of sigs) {
              if (sig.seq !== tip) throw new Error('signatures are stored with their entry only')
              if ([...signatures, ...stagedSigs].some((x) => x.seq === sig.seq && x.role === sig.role)) throw new Error('the entry already has a signature in this role')
              stagedSigs.push({ ...sig })
            }
          },
          async putCheckpoint(record) { stagedCheckpoints.push({ ...record }) },
        }
        const result = await fn(tx)
        for (const s of staged) { entries.push(s); if (s.entry.request_id) byRequest.set(s.entry.request_id, s) }
        projections.apply(stagedChanges.map((c) => c.change))
        history.push(...stagedChanges)
        for (const c of stagedCreds) credentials.set(c.username, c)
        signatures.push(...stagedSigs)
        checkpoints.push(...stagedCheckpoints)
        return result
      })
      lock = run.catch(() => undefined)
      return run
    },
    read: () => read,
    async *entryRows(range = {}): AsyncIterable<EntryRow> {
      for (const s of entries) {
        if (range.fromSeq !== undefined && s.entry.seq < range.fromSeq) continue
        if (range.toSeq !== undefined && s.entry.seq > range.toSeq) break
        const e = s.entry
        yield { seq: e.seq, ledger_id: e.ledger_id, prev_hash: e.prev_hash, hash: s.hash, kind: e.kind, recorded_at: e.recorded_at, occurred_at: e.occurred_at, actor: e.actor, request_id: e.request_id ?? null, canonical: s.canonical }
      }
    },
    async projectionRows() { return projections.snapshot() },
    async *projectionHistoryRows() {
      const rows = history.map((h) => ({ seq: h.seq, kind: h.change.kind, key: h.change.key, value: canonicalJson(h.change.value) }))
      rows.sort((a, b) => a.seq - b.seq || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      yield* rows
    },
    async projectionsAt<K extends ProjectionKind>(kind: K, seq: number): Promise<ReadonlyArray<Projections[K]>> {
      const latest = new Map<string, Projections[K]>()
      for (const h of history) if (h.seq <= seq && h.change.kind === kind) latest.set(h.change.key, h.change.value as Projections[K])
      return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v)
    },
    async seqAtTime(iso) {
      let seq = 0
      for (const s of entries) if (s.entry.recorded_at <= iso) seq = s.entry.seq
      return seq
    },
    async credential(username) { return credentials.get(username) },
    async *signatureRows(range = {}): AsyncIterable<EntrySignature> {
      const rows = signatures.filter((s) => (range.fromSeq === undefined || s.seq >= range.fromSeq) && (range.toSeq === undefined || s.seq <= range.toSeq))
      rows.sort((a, b) => a.seq - b.seq || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
      yield* rows.map((s) => ({ ...s }))
    },
    async *checkpointRows(): AsyncIterable<CheckpointRecord> { yield* checkpoints.map((c) => ({ ...c })) },
    async close() {},
  }
}

/** Canonical text of a projection value, as stores keep it. */
export function projectionValueText(value: unknown): string {
  return canonicalJson(value)
}
