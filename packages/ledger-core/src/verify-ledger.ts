import { ChainVerifier, type ExpectedHead } from './chain/verify-chain.ts'
import type { Finding } from './chain/finding.ts'
import { LedgerError } from './errors.ts'
import { canonicalJson } from './chain/canonical-json.ts'
import { evolve } from './state/evolve.ts'
import { MemoryProjections } from './state/memory-projections.ts'
import type { LedgerStore } from './store/ledger-store.ts'

/** The result of a full verification: the chain, then the projections rebuilt from the entries alone. */
export interface VerifyReport {
  readonly ok: boolean
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly ledger_id: string | null
  readonly findings: readonly Finding[]
}

/**
 * Verifies a stored ledger: recomputes every hash, checks seq/prev_hash continuity and the row
 * columns, replays the entries into fresh projections and compares them with the stored ones.
 * Never throws for what it finds: findings are data.
 *
 * @example
 * const report = await verifyLedger(store, { expectedHead: { seq: 120, hash } })
 */
export async function verifyLedger(store: LedgerStore, options: { expectedHead?: ExpectedHead; onProgress?: (n: number) => void } = {}): Promise<VerifyReport> {
  const chain = new ChainVerifier()
  const rebuilt = new MemoryProjections()
  const replayFindings: Finding[] = []
  const lookup = (seq: number) => store.read().entry(seq)
  const history = new HistoryComparer(store.projectionHistoryRows()[Symbol.asyncIterator]())
  let hashAtExpected: string | undefined
  for await (const row of store.entryRows()) {
    const entry = chain.push(row)
    if (options.expectedHead && row.seq === options.expectedHead.seq) hashAtExpected = row.hash
    if (entry && replayFindings.length < 20) {
      try {
        const changes = await evolve(rebuilt, entry, lookup)
        rebuilt.apply(changes)
        await history.expect(row.seq, changes.map((c) => ({ kind: c.kind, key: c.key, value: canonicalJson(c.value) })))
      } catch (err) {
        const message = err instanceof LedgerError ? err.message : String(err)
        replayFindings.push({ code: 'IMPOSSIBLE_ENTRY', seq: row.seq, message: `entry ${row.seq} cannot be replayed: ${message}` })
      }
    }
    if (options.onProgress && chain.count % 10_000 === 0) options.onProgress(chain.count)
  }
  const findings = [...(await store.checkStorage?.() ?? []), ...chain.finish(options.expectedHead, () => hashAtExpected), ...replayFindings]
  if (findings.length === 0) findings.push(...compareProjections(rebuilt.snapshot(), await store.projectionRows()), ...(await history.finish()))
  return { ok: findings.length === 0, entries: chain.count, head: chain.head, ledger_id: chain.ledgerId, findings }
}

/**
 * Compares the stored projection history (what `balance --as-of` reads) with the writes a replay
 * makes, entry by entry, streaming both in (seq, kind, key) order.
 */
class HistoryComparer {
  readonly #it: AsyncIterator<{ seq: number; kind: string; key: string; value: string }>
  #peeked: { seq: number; kind: string; key: string; value: string } | null | undefined
  readonly findings: Finding[] = []
  constructor(it: AsyncIterator<{ seq: number; kind: string; key: string; value: string }>) { this.#it = it }

  async #peek() {
    if (this.#peeked === undefined) { const r = await this.#it.next(); this.#peeked = r.done ? null : r.value }
    return this.#peeked
  }

  async expect(seq: number, rows: Array<{ kind: string; key: string; value: string }>): Promise<void> {
    const want = [...rows].sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.kind < b.kind ? -1 : 1))
    const got: Array<{ kind: string; key: string; value: string }> = []
    for (let p = await this.#peek(); p && p.seq <= seq; p = await this.#peek()) {
      if (p.seq < seq) this.#add({ code: 'HISTORY_MISMATCH', seq: p.seq, message: `stored history for entry ${p.seq} has a write (${p.kind} ${p.key}) that no entry makes` })
      else got.push(p)
      this.#peeked = undefined
    }
    const n = Math.max(want.length, got.length)
    for (let i = 0; i < n; i++) {
      const w = want[i]
      const g = got[i]
      if (!w || !g || w.kind !== g.kind || w.key !== g.key || w.value !== g.value) {
        this.#add({ code: 'HISTORY_MISMATCH', seq, message: `stored history for entry ${seq} does not match the entry (${w ? `${w.kind} ${w.key}` : `${g!.kind} ${g!.key}`}): balances as of ${seq} would be wrong`, expected: w?.value ?? '(absent)', found: g?.value ?? '(missing)' })
        return
      }
    }
  }

  async finish(): Promise<Finding[]> {
    const extra = await this.#peek()
    if (extra) this.#add({ code: 'HISTORY_MISMATCH', seq: extra.seq, message: `stored history has writes for entry ${extra.seq}, beyond the last entry` })
    return this.findings
  }

  #add(f: Finding): void { if (this.findings.length < 20) this.findings.push(f) }
}

function compareProjections(expected: Array<{ kind: string; key: string; value: string }>, found: Array<{ kind: string; key: string; value: string }>): Finding[] {
  const out: Finding[] = []
  const index = new Map(found.map((r) => [`${r.kind}\u0000${r.key}`, r.value]))
  for (const e of expected) {
    const id = `${e.kind}\u0000${e.key}`
    const f = index.get(id)
    index.delete(id)
    if (f !== e.value) out.push({ code: 'PROJECTION_MISMATCH', seq: null, message: `stored ${e.kind} ${e.key} does not match the entries`, expected: e.value, found: f ?? '(missing)' })
  }
  for (const [id, value] of index) {
    const [kind, key] = id.split('\u0000')
    out.push({ code: 'PROJECTION_MISMATCH', seq: null, message: `stored ${kind} ${key} is not derived from any entry`, expected: '(absent)', found: value })
  }
  return out.slice(0, 50)
}
