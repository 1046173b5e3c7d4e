import { type KeyObject, createPublicKey } from 'node:crypto'
import {
  type CheckpointRecord, type Entry, type EntryRow, type EntrySignature, type LedgerStore, type ProjectionKind, ENTRY_FORMAT, GENESIS_PREV_HASH,
  MemoryProjections, evolve, hashEntry,
} from '@csledger/ledger-core'

// Helpers of the store contract (ledger-store-contract.ts, signing-contract.ts).

/** The row a store would hold for `entry`. */
export function rowOf(entry: Entry): EntryRow {
  const { canonical, hash } = hashEntry(entry)
  return {
    seq: entry.seq, ledger_id: entry.ledger_id, prev_hash: entry.prev_hash, hash, kind: entry.kind, recorded_at: entry.recorded_at,
    occurred_at: entry.occurred_at, actor: entry.actor, request_id: entry.request_id ?? null, canonical,
  }
}

/** A well-formed location entry placed after the store's current head, with optional changes. */
export async function nextEntry(store: LedgerStore, ledgerId: string, change: Partial<Entry> = {}): Promise<Entry> {
  const head = await store.read().head()
  return {
    format: ENTRY_FORMAT, ledger_id: ledgerId, seq: (head?.seq ?? 0) + 1, prev_hash: head?.hash ?? GENESIS_PREV_HASH,
    recorded_at: '2026-03-02T12:00:00.000Z', occurred_at: '2026-03-02T12:00:00.000Z', actor: 'pic', kind: 'location',
    data: { code: 'FORGED', name: 'Forged location' }, ...change,
  } as Entry
}

export async function rows(store: LedgerStore, range?: { fromSeq?: number; toSeq?: number }): Promise<EntryRow[]> {
  const out: EntryRow[] = []
  for await (const r of store.entryRows(range)) out.push(r)
  return out
}

/** The projections of `kind` after replaying entries 1..seq into memory: what projectionsAt must return. */
export async function replayedAt(all: readonly EntryRow[], kind: ProjectionKind, seq: number): Promise<unknown[]> {
  const memory = new MemoryProjections()
  const entries = all.map((r) => JSON.parse(r.canonical) as Entry)
  for (const e of entries.slice(0, seq)) memory.apply(await evolve(memory, e, async (s) => entries[s - 1]))
  return [...(await memory.list(kind))]
}

export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export async function signatures(store: LedgerStore, range?: { fromSeq?: number; toSeq?: number }): Promise<EntrySignature[]> {
  const out: EntrySignature[] = []
  for await (const x of store.signatureRows!(range)) out.push(x)
  return out
}

export async function checkpoints(store: LedgerStore): Promise<CheckpointRecord[]> {
  const out: CheckpointRecord[] = []
  for await (const c of store.checkpointRows!()) out.push(c)
  return out
}

/** The signature slots the chain asks for: `seq:role:username` for each entry's actor and witness. */
export function expectedSlots(all: readonly EntryRow[]): string[] {
  return all.flatMap((r) => {
    const e = JSON.parse(r.canonical) as Entry & { witness?: string }
    return [`${e.seq}:actor:${e.actor}`, ...(e.witness ? [`${e.seq}:witness:${e.witness}`] : [])]
  })
}

export const publicKeyOf = (key: KeyObject | undefined): string => createPublicKey(key!).export({ format: 'der', type: 'spki' }).toString('base64')
