import { beforeAll, describe, expect, it } from 'vitest'
import type { ContainerOpeningData, VerifyReport } from '@csledger/ledger-core'
import { type SmallClinic, countAsBook, smallClinic } from '../testing/small-clinic.ts'
import type { AuditReport, ProductAccountability } from './audit-report.ts'
import { type AuditOptions, buildAuditReport } from './build-audit-report.ts'
import { summarizeAudit } from './summarize-audit.ts'

// The story (New York is UTC-5; the times below are UTC):
// 2027-03-01  zero initial inventory; 4 KET-50 and 10 MDZ-1 received at SAFE-1; 2 and 4 moved to
//             CART-2; a ketamine dose of 35 mg (drawn 40 mg) with 5 mg wasted and co-signed, later
//             amended to 30 mg; a midazolam dose of 1 mg (drawn 2 mg) with 1 mg wasted, never
//             co-signed. Evening counts: C-0001 holds 9.0 mL where the book says 9.2 (D-0001).
// 2027-03-02  07:10 D-0001 reconciled as unrecorded waste (-0.2 mL). A 50 mg dose. Counts match.
// 2027-03-03  A 25 mg dose at 15:00 is given but not recorded; the evening count finds C-0001
//             0.5 mL short (D-0002).
// 2027-03-04  07:10 the dose is recorded late with its real time and D-0002 reconciled as a
//             documentation error. Counts match.
let c: SmallClinic
let verification: VerifyReport
let doseA = 0
let correctionSeq = 0
let lateDose = 0
const GENERATED = '2027-03-05T12:00:00Z'

beforeAll(async () => {
  c = await smallClinic()
  const { L } = c
  c.at('2027-03-01T11:50:00Z')
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await c.store.read().head())!.seq, items: [], by: c.pic, witness: c.nurse })
  c.at('2027-03-01T13:00:00Z')
  const supplier = { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: c.nurse }
  await L.receive({ product: 'KET-50', lot: 'K1', expires: '2029-01-31', containers: 4, location: 'SAFE-1', ...supplier })
  await L.receive({ product: 'MDZ-1', lot: 'M1', expires: '2029-01-31', containers: 10, location: 'SAFE-1', ...supplier })
  c.at('2027-03-01T13:10:00Z')
  await L.transfer({ product: 'KET-50', lot: 'K1', containers: 2, from: 'SAFE-1', to: 'CART-2', by: c.nurse })
  await L.transfer({ product: 'MDZ-1', lot: 'M1', containers: 4, from: 'SAFE-1', to: 'CART-2', by: c.nurse })
  c.at('2027-03-01T13:20:00Z')
  const ket = (await L.open({ product: 'KET-50', lot: 'K1', location: 'CART-2', by: c.nurse })).stored.entry.data as ContainerOpeningData
  c.at('2027-03-01T13:25:00Z')
  const mdz = (await L.open({ product: 'MDZ-1', lot: 'M1', location: 'CART-2', by: c.nurse })).stored.entry.data as ContainerOpeningData
  const b = await L.administer({ container: mdz.container, dose: '1mg', drawn: '2mg', patient: 'P-2', prescriber: 'drlee', by: c.nurse })
  c.at('2027-03-01T13:27:00Z')
  await L.waste({ administration: b.stored.entry.seq, amount: '1mg', reason: 'single-dose vial remainder', witness: c.nurse2, by: c.nurse })
  c.at('2027-03-01T13:30:00Z')
  doseA = (await L.administer({ container: ket.container, dose: '35mg', drawn: '40mg', patient: 'P-1', prescriber: 'drlee', by: c.nurse })).stored.entry.seq
  c.at('2027-03-01T13:40:00Z')
  const w = await L.waste({ administration: doseA, amount: '5mg', reason: '=1+1 spilled', witness: c.nurse2, by: c.nurse })
  c.at('2027-03-01T14:00:00Z')
  await L.cosign({ waste: w.stored.entry.seq, by: c.doc })
  c.at('2027-03-01T15:00:00Z')
  correctionSeq = (await L.correct({ seq: doseA, reason: 'pump record shows 30 mg', amend: { dose: '30mg' }, witness: c.pic, by: c.nurse })).stored.entry.seq
  c.at('2027-03-01T22:30:00Z')
  await countAsBook(c, 'CART-2', { [ket.container]: '9.0mL' })
  c.at('2027-03-01T22:40:00Z')
  await countAsBook(c, 'SAFE-1')

  c.at('2027-03-02T12:10:00Z')
  await L.reconcile({ discrepancy: 'D-0001', reason: 'unrecorded-waste', note: 'priming waste not recorded', by: c.pic })
  c.at('2027-03-02T14:00:00Z')
  await L.administer({ container: ket.container, dose: '50mg', patient: 'P-3', prescriber: 'drlee', by: c.nurse })
  c.at('2027-03-02T22:30:00Z')
  await countAsBook(c, 'CART-2')
  c.at('2027-03-02T22:40:00Z')
  await countAsBook(c, 'SAFE-1')

  c.at('2027-03-03T22:30:00Z')
  await countAsBook(c, 'CART-2', { [ket.container]: '7.5mL' })
  c.at('2027-03-03T22:40:00Z')
  await countAsBook(c, 'SAFE-1')

  c.at('2027-03-04T12:05:00Z')
  lateDose = (await L.administer({ container: ket.container, dose: '25mg', patient: 'P-4', prescriber: 'drlee', at: '2027-03-03T20:00:00Z', by: c.nurse })).stored.entry.seq
  c.at('2027-03-04T12:10:00Z')
  await L.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'dose given at 15:00 was not recorded', linked: [lateDose], by: c.pic })
  c.at('2027-03-04T22:30:00Z')
  await countAsBook(c, 'CART-2')
  c.at('2027-03-04T22:40:00Z')
  await countAsBook(c, 'SAFE-1')
  verification = await L.verify()
  expect(verification.ok).toBe(true)
})

async function report(from: string, to: string, extra: Partial<AuditOptions> = {}): Promise<AuditReport> {
  return buildAuditReport({ source: c.source, verification }, { from, to, generatedAt: GENERATED, generatedBy: 'pkim', ...extra })
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const r of rows) out.push(r)
  return out
}

function product(r: AuditReport, code: string): ProductAccountability {
  return r.accountability.products.find((p) => p.product === code)!
}

describe('buildAuditReport: accountability', () => {
  it('given the first day, when audited, then every line matches the story and the count', async () => {
    const r = await report('2027-03-01', '2027-03-01')
    const k = product(r, 'KET-50')
    expect({
      opening: k.opening, receipts: k.receipts, administered: k.administered.mg, wasted: k.wasted.mg, awaiting: k.awaiting_waste.mg,
      transfers: k.transfers.mg, adjustments: k.adjustments, opened: k.opened.sealed, expected: k.expected, counted: k.counted, difference: k.difference, pct: k.difference_percent,
    }).toEqual({
      opening: { mg: '0', ml: '0', sealed: 0 }, receipts: { mg: '2000', ml: '40', sealed: 4 }, administered: '30', wasted: '5', awaiting: '5',
      transfers: '0', adjustments: { mg: '-10', ml: '-0.2', sealed: 0 }, opened: 1, expected: { mg: '1950', ml: '39', sealed: 3 },
      counted: { mg: '1950', ml: '39', sealed: 3 }, difference: { mg: '0', ml: '0', sealed: 0 }, pct: '0.00',
    })
    const cart = k.locations.find((l) => l.location === 'CART-2')!
    expect([cart.transfers.ml, cart.adjustments.ml, cart.expected.ml, cart.counted?.ml]).toEqual(['20', '-0.2', '19', '19'])
    const m = product(r, 'MDZ-1')
    expect([m.receipts.mg, m.administered.mg, m.wasted.mg, m.expected.mg, m.counted?.mg, m.expected.sealed]).toEqual(['20', '1', '1', '18', '18', 9])
    expect(r.accountability.schedules.map((s) => [s.schedule, s.substance, s.mg.expected, s.mg.difference])).toEqual([['III', 'Ketamine HCl', '1950', '0'], ['IV', 'Midazolam', '18', '0']])
  })

  it('given a later period, when audited, then it opens at the last count before it and leaves out that count\'s own adjustment', async () => {
    const k = product(await report('2027-03-02', '2027-03-02'), 'KET-50')
    const cart = k.locations.find((l) => l.location === 'CART-2')!
    expect(cart.opening_point?.kind).toBe('count')
    expect([k.opening.mg, k.administered.mg, k.adjustments.mg, k.expected.mg, k.counted?.mg, k.difference?.mg]).toEqual(['1950', '50', '0', '1900', '1900', '0'])
  })

  it('given a dose recorded late with its real time, when audited, then it falls on the side of the count where the drug left the vial', async () => {
    const day3 = product(await report('2027-03-03', '2027-03-03'), 'KET-50')
    expect([day3.administered.mg, day3.expected.mg, day3.counted?.mg, day3.difference?.mg]).toEqual(['25', '1875', '1875', '0'])
    const day4 = product(await report('2027-03-04', '2027-03-04'), 'KET-50')
    expect([day4.opening.mg, day4.administered.mg, day4.expected.mg, day4.counted?.mg]).toEqual(['1875', '0', '1875', '1875'])
  })

  it('given any period, when audited, then the accountability identity holds for every product and location', async () => {
    for (const [from, to] of [['2027-03-01', '2027-03-04'], ['2027-03-02', '2027-03-03'], ['2027-03-04', '2027-03-04']] as const) {
      for (const p of (await report(from, to)).accountability.products) {
        for (const l of [p, ...p.locations]) {
          for (const unit of ['mg', 'ml'] as const) {
            const v = (x: { mg: string; ml: string }) => Number(x[unit]) * 1000
            const sum = v(l.opening) + v(l.receipts) - v(l.administered) - v(l.wasted) - v(l.awaiting_waste) - v(l.disposed) - v(l.lost) + v(l.transfers) + v(l.adjustments)
            expect(Math.round(sum)).toBe(Math.round(v(l.expected)))
          }
          expect(l.opening.sealed! + l.receipts.sealed! - l.opened.sealed! - l.disposed.sealed! - l.lost.sealed! + l.transfers.sealed! + l.adjustments.sealed!).toBe(l.expected.sealed)
        }
      }
    }
  })
})

describe('buildAuditReport: logs', () => {
  it('given an amended dose, when listed, then it shows the corrected values and the correction that made them', async () => {
    const r = await report('2027-03-01', '2027-03-01')
    const a = (await all(r.administrations.rows())).find((x) => x.seq === doseA)!
    expect([a.given_mg, a.given_ml, a.drawn_ml, a.wasted_ml, a.correction]).toEqual(['30', '0.6', '0.8', '0.1', { status: 'amended', by: [correctionSeq] }])
    const corr = await all(r.corrections.rows())
    expect(corr.map((x) => [x.corrects, x.action, x.changes])).toEqual([[doseA, 'amend', [{ field: 'given_mg', original: '35', corrected: '30' }, { field: 'given_ml', original: '0.7', corrected: '0.6' }]]])
  })

  it('given wastes, when listed, then co-signs are on time or missing as of generation', async () => {
    const waste = await all((await report('2027-03-01', '2027-03-01')).waste.rows())
    expect(waste.map((w) => [w.product, w.cosign_status, w.witness?.username, w.witness_late])).toEqual([['MDZ-1', 'missing', 'ned', false], ['KET-50', 'on-time', 'ned', false]])
  })

  it('given discrepancies, when listed, then each shows its resolution', async () => {
    const d = await all((await report('2027-03-01', '2027-03-04')).discrepancies.rows())
    expect(d.map((x) => [x.id, x.difference, x.status, x.resolution?.reason, x.resolution?.adjustment, x.resolution?.linked])).toEqual([
      ['D-0001', '-0.2', 'resolved', 'unrecorded-waste', '-0.2 mL (-10 mg) in C-0001', []],
      ['D-0002', '-0.5', 'resolved', 'documentation-error', null, [lateDose]],
    ])
  })

  it('given a period, when built, then each section counts the entries of its kind that happened in it', async () => {
    const r = await report('2027-03-03', '2027-03-03')
    expect(Object.fromEntries(r.cover.sections.map((s) => [s.name, s.rows]))).toEqual({
      receipts: 0, administrations: 1, waste: 0, transfers: 0, disposals: 0, losses: 0, counts: 2, count_items: 5, discrepancies: 1, corrections: 0, inventories: 0,
    })
    const late = (await all(r.administrations.rows()))[0]!
    expect([late.seq, late.recorded_late]).toEqual([lateDose, true])
  })
})

describe('buildAuditReport: filters and inputs', () => {
  it('given schedule IV, when built, then only midazolam is audited and listed', async () => {
    const r = await report('2027-03-01', '2027-03-04', { schedule: 'IV' })
    expect(r.accountability.products.map((p) => p.product)).toEqual(['MDZ-1'])
    expect((await all(r.administrations.rows())).map((a) => a.product)).toEqual(['MDZ-1'])
  })

  it('given one location, when built, then only its windows count', async () => {
    const r = await report('2027-03-01', '2027-03-01', { location: 'SAFE-1' })
    const k = product(r, 'KET-50')
    expect(k.locations.map((l) => l.location)).toEqual(['SAFE-1'])
    expect([k.receipts.mg, k.transfers.mg, k.expected.mg]).toEqual(['2000', '-1000', '1000'])
  })

  it('given bad inputs, when built, then it refuses with a coded input error', async () => {
    await expect(report('2027-03-04', '2027-03-01')).rejects.toMatchObject({ code: 'INVALID_PERIOD' })
    await expect(report('2027-02-30', '2027-03-01')).rejects.toMatchObject({ code: 'INVALID_DATE' })
    await expect(report('2027-03-01', '2027-03-01', { product: 'NOPE' })).rejects.toMatchObject({ code: 'UNKNOWN_PRODUCT' })
    await expect(report('2027-03-01', '2027-03-01', { location: 'NOPE' })).rejects.toMatchObject({ code: 'UNKNOWN_LOCATION' })
  })

  it('given a verification of another head, when built, then the cover says the ledger moved', async () => {
    const r = await buildAuditReport({ source: c.source, verification: { ...verification, head: { seq: 3, hash: 'ab'.repeat(32) } } }, { from: '2027-03-01', to: '2027-03-01', generatedAt: GENERATED, generatedBy: 'pkim' })
    expect(r.cover.verification.matches_report).toBe(false)
    expect(r.cover.notes[0]).toMatch(/changed between verification and report/)
    expect(r.cover.generated_by).toBe('Pat Kim (pkim, pic)')
  })

  it('given the same ledger twice, when built, then the administration rows are read again from the ledger, identically', async () => {
    const r = await report('2027-03-01', '2027-03-04')
    const once = await all(r.administrations.rows())
    expect(await all(r.administrations.rows())).toEqual(once)
    expect(once.map((a) => a.seq)).toEqual([...once.map((a) => a.seq)].sort((x, y) => x - y))
  })
})

describe('summarizeAudit', () => {
  it('given the first day, when summarised, then the missing co-sign asks for attention and nothing else does', async () => {
    const s = await summarizeAudit(await report('2027-03-01', '2027-03-01'))
    expect(s).toEqual({
      verification_ok: true, checkpoint: null, ledger_moved: false, differences: [], not_counted: [], open_discrepancies: 0, overdue_discrepancies: 0,
      loss_clocks_missed: 0, missing_cosigns: 1, late_cosigns: 0, late_witnesses: 0, exit_code: 1,
    })
  })

  it('given a failed verification, when summarised, then the exit code is the integrity one', async () => {
    const r = await buildAuditReport({ source: c.source, verification: { ...verification, ok: false, findings: [{ code: 'HASH_MISMATCH', seq: 3, message: 'entry 3 was edited' }] } }, { from: '2027-03-02', to: '2027-03-02', generatedAt: GENERATED, generatedBy: 'pkim' })
    expect((await summarizeAudit(r)).exit_code).toBe(5)
    expect(r.cover.notes[0]).toMatch(/^VERIFICATION FAILED: 1 finding/)
  })
})
