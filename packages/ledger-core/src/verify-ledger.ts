import { ChainVerifier, type ExpectedHead } from './chain/verify-chain.ts'
import type { Finding } from './chain/finding.ts'
import { LedgerError } from './errors.ts'
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
  let hashAtExpected: string | undefined
  for await (const row of store.entryRows()) {
    const entry = chain.push(row)
    if (options.expectedHead && row.seq === options.expectedHead.seq) hashAtExpected = row.hash
    if (entry && replayFindings.length < 20) {
      try {
        rebuilt.apply(await evolve(rebuilt, entry, lookup))
      } catch (err) {
        const message = err instanceof LedgerError ? err.message : String(err)
        replayFindings.push({ code: 'IMPOSSIBLE_ENTRY', seq: row.seq, message: `entry ${row.seq} cannot be replayed: ${message}` })
      }
    }
    if (options.onProgress && chain.count % 10_000 === 0) options.onProgress(chain.count)
  }
  const findings = [...chain.finish(options.expectedHead, () => hashAtExpected), ...replayFindings]
  if (findings.length === 0) findings.push(...compareProjections(rebuilt.snapshot(), await store.projectionRows()))
  return { ok: findings.length === 0, entries: chain.count, head: chain.head, ledger_id: chain.ledgerId, findings }
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
