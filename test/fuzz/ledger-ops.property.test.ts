import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { type BalanceRow, Ledger, type LedgerStore, createInMemoryLedgerStore, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { TEST_KDF, tickingClock } from '../support/build-sample-ledger.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { type Fold, type Op, allEntries, applyOp, exportText, foldEntries, opArbitrary, seedClinic, units, unitsText } from '../support/reliability-ops.ts'
import { FULL, RUN_SEED } from '../support/reliability-random.ts'

// Property: whatever a clinic does, in whatever order — receipts, openings, doses drawn with a
// remainder, dose and container waste, transfers, voids, amendments, co-signs, counts — the
// ledger keeps its invariants. Stock on hand (now and as of every earlier entry) equals a fold of
// the entries alone; nothing is ever below zero; every dose ends with drawn = given + wasted once
// its remainder is wasted; a refused operation leaves the exported chain byte-identical; verify
// passes. Runs on the in-memory store (many sequences) and on real SQLite files (fewer).

const tmp = makeTempDir('props')
let files = 0
/** What the sequences did: accepted ops per kind, refusals per code (printed at the end). */
const tally = new Map<string, number>()
const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1)
afterAll(() => {
  tmp.remove()
  console.log(`property sequences: seed ${RUN_SEED}; ${[...tally].sort().map(([k, v]) => `${k}=${v}`).join(' ')}`)
})

const RUNS = { memory: FULL ? 1000 : 30, sqlite: FULL ? 100 : 4 }

/** Balance rows as the fold says they should be. */
function rowsFromFold(f: Fold): Array<{ location: string; product: string; lot: string; sealed: number; open: Array<{ container: string; remaining_mL: string }> }> {
  const rows = new Map<string, { location: string; product: string; lot: string; sealed: number; open: Array<{ container: string; remaining_mL: string }> }>()
  const row = (location: string, product: string, lot: string) => {
    const k = `${location}|${product}|${lot}`
    if (!rows.has(k)) rows.set(k, { location, product, lot, sealed: 0, open: [] })
    return rows.get(k)!
  }
  for (const [k, n] of f.sealed) if (n > 0) { const [l, p, lot] = k.split('|') as [string, string, string]; row(l, p, lot).sealed = n }
  for (const [container, c] of f.remaining) if (!c.voided && c.ml > 0) row(c.location, c.product, c.lot).open.push({ container, remaining_mL: unitsText(c.ml) })
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return [...rows.values()]
    .map((r) => ({ ...r, open: r.open.sort((a, b) => cmp(a.container, b.container)) }))
    .sort((a, b) => cmp(a.location, b.location) || cmp(a.product, b.product) || cmp(a.lot, b.lot))
}
const shape = (rows: readonly BalanceRow[]) => rows.map((r) => ({ location: r.location, product: r.product, lot: r.lot, sealed: r.sealed, open: r.open.map((o) => ({ container: o.container, remaining_mL: o.remaining_mL })) }))

/** Runs one sequence on a fresh ledger and checks every invariant. */
async function runSequence(store: LedgerStore, ops: readonly Op[], asOfPicks: readonly number[]): Promise<void> {
  const L = new Ledger({ store, kdf: TEST_KDF, clock: tickingClock('2026-11-02T09:00:00.000Z') })
  const staff = await seedClinic(L, crypto.randomUUID())
  for (const op of ops) {
    const before = await exportText(L)
    const r = await applyOp(L, staff, op)
    count(r.ok ? `ok:${op.t}` : `refused:${r.error.code}`)
    if (!r.ok) expect(await exportText(L), `refused ${JSON.stringify(op)} (${r.error.code}) changed the chain`).toBe(before)
  }
  // Close out: waste every dose's drawn-but-not-given remainder (each must be accepted).
  for (const d of await store.read().list('dose')) {
    const left = units(d.drawn_ml) - units(d.given_ml) - units(d.wasted_ml)
    if (!d.voided && left > 0) await L.waste({ administration: d.seq, amount: `${unitsText(left)}mL`, reason: 'close out', by: staff.nurses[0], witness: staff.nurses[1] })
  }

  const entries = await allEntries(store)
  const fold = foldEntries(entries)
  expect(fold.negatives).toEqual([])
  // balance = fold of entries, now and as of earlier seqs
  expect(shape((await L.balance()).rows)).toEqual(rowsFromFold(fold))
  for (const pick of asOfPicks) {
    const seq = 1 + (pick % entries.length)
    expect(shape((await L.balance({ asOf: seq })).rows), `as of #${seq}`).toEqual(rowsFromFold(foldEntries(entries.slice(0, seq))))
  }
  // per dose: the projection equals the fold, and drawn = given + wasted after the close-out
  for (const d of await store.read().list('dose')) {
    const f = fold.doses.get(d.seq)!
    expect({ drawn: d.drawn_ml, given: d.given_ml, wasted: d.wasted_ml, voided: d.voided }).toEqual({ drawn: unitsText(f.drawn), given: unitsText(f.given), wasted: unitsText(f.wasted), voided: f.voided })
    if (!d.voided) expect(units(d.given_ml) + units(d.wasted_ml), `dose #${d.seq}: given ${d.given_ml} + wasted ${d.wasted_ml} vs drawn ${d.drawn_ml}`).toBe(units(d.drawn_ml))
  }
  // nothing was ever negative in any stored projection value
  for await (const h of store.projectionHistoryRows()) expect(h.value, `${h.kind} ${h.key} @${h.seq}`).not.toMatch(/"(remaining_ml|sealed|received|drawn_ml|given_ml|wasted_ml)":"?-/)
  const report = await verifyLedger(store)
  expect(report.findings).toEqual([])
}

const sequences = fc.tuple(fc.array(opArbitrary, { minLength: 5, maxLength: 40, size: 'max' }), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))

describe('random valid operation sequences keep the ledger\'s invariants', () => {
  it(`given ${RUNS.memory} random sequences on the in-memory store, then stock = fold of entries (now and as of), never negative, drawn = given + wasted, refusals leave the chain byte-identical, verify passes`, async () => {
    await fc.assert(fc.asyncProperty(sequences, async ([ops, picks]) => {
      await runSequence(createInMemoryLedgerStore(), ops, picks)
    }), { numRuns: RUNS.memory, seed: RUN_SEED })
  }, FULL ? 1_800_000 : 60_000)

  it(`given ${RUNS.sqlite} random sequences on real SQLite files, then the same invariants hold`, async () => {
    await fc.assert(fc.asyncProperty(sequences, async ([ops, picks]) => {
      const store = await openSqliteStore(tmp.file(`seq-${++files}.db`), { create: true })
      try { await runSequence(store, ops, picks) } finally { await store.close() }
    }), { numRuns: RUNS.sqlite, seed: RUN_SEED + 1 })
  }, FULL ? 1_800_000 : 60_000)
})
