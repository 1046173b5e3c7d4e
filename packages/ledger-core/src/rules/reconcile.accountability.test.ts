import { describe, expect, it } from 'vitest'
import { refusal } from '../../../../test/support/accountability-expect.ts'
import { EXACT_SAFE_1, NURSE, NURSE2, PIC, SHORT_SAFE_1, type World, buildWorld } from '../../../../test/support/accountability-world.ts'
import type { Entry } from '../model/entry.ts'

const COUNT_AT = '2026-11-27T21:00:00.000Z' // Friday 16:00 in New York

/** The situation: a count of SAFE-1 finds D-0001 (one sealed K2417A missing) and D-0002 (C-0001 0.4 mL short). */
async function shortCount(): Promise<World & { countSeq: number }> {
  const w = await buildWorld()
  w.at(COUNT_AT)
  const sheet = await w.ledger.countSheet('SAFE-1')
  const r = await w.ledger.count({ location: 'SAFE-1', basedOnSeq: sheet.based_on_seq, items: [...SHORT_SAFE_1], by: PIC, witness: NURSE })
  w.at('2026-11-27T21:30:00.000Z')
  return Object.assign(w, { countSeq: r.stored.entry.seq })
}

/** The administration that was given at 15:30 New York time and not recorded until after the count. */
async function lateDose(w: World, dose = '0.4mL'): Promise<number> {
  const r = await w.ledger.administer({ container: 'C-0001', dose, patient: 'P-1003', at: '2026-11-27T20:30:00.000Z', by: NURSE })
  return r.stored.entry.seq
}

async function onHand(w: World) {
  const read = w.store.read()
  const sealed = (await read.list('stock')).filter((s) => s.location === 'SAFE-1').map((s) => [s.product, s.lot, s.sealed])
  const open = (await read.list('container')).filter((c) => c.status === 'open').map((c) => [c.container, c.remaining_ml])
  return { sealed, open }
}

describe('reconciliation of the issue\'s two discrepancies', () => {
  it('given a late-recorded dose and a missing vial, when both are reconciled, then the book equals the physical count and the loss clocks run', async () => {
    const w = await shortCount()
    const dose = await lateDose(w)
    const doc = await w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'dose at 15:30 was not recorded', linked: [dose], by: PIC })
    expect(doc.stored.entry.data).toEqual({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'dose at 15:30 was not recorded', linked: [dose], explained: '-0.4' })

    const loss = await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'vial not found after a search of the med room', by: PIC })
    const data = (loss.stored.entry as Entry<'reconciliation'>).data
    expect(data.adjustment).toEqual({ type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', delta: -1 })
    expect(data.loss).toEqual({
      id: 'L-0001', type: 'loss', discovered_at: COUNT_AT,
      items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', ndc: '67457-108-10', containers: 1, amount_ml: '10', amount_mg: '500' }],
      note: 'vial not found after a search of the med room', discrepancy: 'D-0001',
      notice_due: '2026-11-30T21:00:00.000Z', // Monday 16:00 New York: one business day after Friday 16:00
      form106_due: '2027-01-11T21:00:00.000Z', // 45 days later, same local time
      adjusts_stock: false,
    })

    // The book now equals what was physically counted…
    expect(await onHand(w)).toEqual({ sealed: [['KET-50', 'K2417A', 2], ['MDZ-5', 'M7788', 2]], open: [['C-0001', '5.95']] })
    // …so the same physical count again finds nothing.
    const recount = await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [...SHORT_SAFE_1], by: PIC, witness: NURSE })
    expect((recount.stored.entry as Entry<'count'>).data.discrepancies).toEqual([])

    const status = await w.ledger.status()
    expect(status.discrepancies).toEqual([])
    expect(status.losses).toEqual([{ id: 'L-0001', type: 'loss', discovered_at: COUNT_AT, notice_due: '2026-11-30T21:00:00.000Z', notice: null, notice_overdue: false, form106_due: '2027-01-11T21:00:00.000Z', filing: null, form106_overdue: false }])
    const resolved = await w.store.read().list('discrepancy')
    expect(resolved.map((d) => [d.id, d.status, d.resolution?.reason, d.resolution?.loss])).toEqual([['D-0001', 'resolved', 'loss', 'L-0001'], ['D-0002', 'resolved', 'documentation-error', undefined]])
    expect((await w.ledger.verify()).ok).toBe(true)
  })

  it('given a late dose that explains only part of the shortage, when reconciled as a documentation error, then an adjustment covers the rest', async () => {
    const w = await shortCount()
    const dose = await lateDose(w, '0.3mL')
    const r = await w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'dose not recorded; rest is meniscus reading', linked: [dose], by: PIC })
    const data = (r.stored.entry as Entry<'reconciliation'>).data
    expect(data.explained).toBe('-0.3')
    expect(data.adjustment).toEqual({ type: 'open', container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', delta_ml: '-0.1', delta_mg: '-5' })
    expect((await onHand(w)).open).toEqual([['C-0001', '5.95']])
  })

  it('given doses recorded after the count, when the discrepancy is reconciled later, then the adjustment is the count difference, not the book at reconciliation time', async () => {
    const w = await shortCount()
    await w.ledger.administer({ container: 'C-0001', dose: '1mL', patient: 'P-1004', by: NURSE }) // after the count, really
    await w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'unexplained', note: 'not found', by: PIC })
    expect((await onHand(w)).open).toEqual([['C-0001', '4.95']])
  })

  it('given a theft, when reconciled with a discovery time, then the clocks count from that time (Saturday discovery: notice due Monday)', async () => {
    const w = await shortCount()
    w.at('2026-11-28T16:00:00.000Z')
    const r = await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'theft', note: 'lock found forced on Saturday', discoveredAt: '2026-11-28T14:00:00Z', by: PIC })
    const loss = (r.stored.entry as Entry<'reconciliation'>).data.loss!
    expect([loss.type, loss.discovered_at, loss.notice_due, loss.form106_due]).toEqual(['theft', '2026-11-28T14:00:00.000Z', '2026-11-30T14:00:00.000Z', '2027-01-12T14:00:00.000Z'])
  })
})

describe('documentation errors corrected by a correction entry', () => {
  it('given a dose recorded twice before the count, when the duplicate is voided after the count and linked, then it explains the overage: no adjustment', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T20:00:00Z')
    await w.ledger.administer({ container: 'C-0001', dose: '0.4mL', patient: 'P-1012', by: NURSE })
    const duplicate = await w.ledger.administer({ container: 'C-0001', dose: '0.4mL', patient: 'P-1012', by: NURSE })
    w.at('2026-11-27T21:00:00Z')
    // physically 6.35 - 0.4 = 5.95 mL are left; the book says 5.55
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '5.95' }], by: PIC, witness: NURSE })
    w.at('2026-11-27T21:30:00Z')
    const voided = await w.ledger.correct({ seq: duplicate.stored.entry.seq, reason: 'recorded twice', witness: NURSE2, by: NURSE })
    const r = await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'documentation-error', note: 'duplicate entry voided', linked: [voided.stored.entry.seq], by: PIC })
    const data = (r.stored.entry as Entry<'reconciliation'>).data
    expect(data.explained).toBe('0.4')
    expect(data.adjustment).toBeUndefined()
    expect((await onHand(w)).open).toEqual([['C-0001', '5.95']])
  })

  it('given a correction of an entry recorded after the count, then it cannot explain what the count found', async () => {
    const w = await shortCount()
    const after = await w.ledger.administer({ container: 'C-0001', dose: '0.4mL', patient: 'P-1013', by: NURSE })
    const voided = await w.ledger.correct({ seq: after.stored.entry.seq, reason: 'wrong patient', witness: NURSE2, by: NURSE })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'n', linked: [voided.stored.entry.seq], by: PIC }))).toMatchObject({ code: 'LINK_NOT_LATE', exit: 3 })
  })
})

describe('reconciliation refusals', () => {
  it('given a documentation error with no linked entry, then it is refused: the correcting entry comes first', async () => {
    const w = await shortCount()
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'n', by: PIC }))).toMatchObject({ code: 'LINK_REQUIRED', exit: 3 })
  })

  it('given a linked entry recorded before the count, then it is refused (the count already included it)', async () => {
    const w = await shortCount()
    const r = await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'n', linked: [15], by: PIC }))
    expect(r).toMatchObject({ code: 'LINK_NOT_LATE', exit: 3 })
  })

  it('given a linked entry that happened after the count, then it is refused (it cannot explain what the count found)', async () => {
    const w = await shortCount()
    const after = await w.ledger.administer({ container: 'C-0001', dose: '0.4mL', patient: 'P-1005', by: NURSE })
    const r = await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'n', linked: [after.stored.entry.seq], by: PIC }))
    expect(r).toMatchObject({ code: 'LINK_NOT_LATE', exit: 3 })
  })

  it('given a linked entry that does not exist, then it is refused', async () => {
    const w = await shortCount()
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'n', linked: [999], by: PIC }))).toMatchObject({ code: 'UNKNOWN_ENTRY', exit: 3 })
  })

  it('given a resolved or unknown discrepancy, or an unknown reason, then reconciling is refused', async () => {
    const w = await shortCount()
    await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'unexplained', note: 'n', by: PIC })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'n', by: PIC }))).toMatchObject({ code: 'ALREADY_RESOLVED', exit: 3 })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0099', reason: 'loss', note: 'n', by: PIC }))).toMatchObject({ code: 'UNKNOWN_DISCREPANCY', exit: 3 })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'lost-it', note: 'n', by: PIC }))).toMatchObject({ code: 'INVALID_REASON', exit: 2 })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'loss', note: '  ', by: PIC }))).toMatchObject({ code: 'MISSING_FIELD', exit: 2 })
  })

  it('given a nurse, then reconciling is refused (PIC only)', async () => {
    const w = await shortCount()
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'n', by: NURSE }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
  })

  it('given an overage, when it is reconciled as theft or loss, then it is refused as NOT_A_SHORTAGE', async () => {
    const w = await buildWorld()
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [{ ref: 'K2417A', value: '4' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.35' }], by: PIC, witness: NURSE })
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'theft', note: 'n', by: PIC }))).toMatchObject({ code: 'NOT_A_SHORTAGE', exit: 3 })
  })

  it('given a shortage fully explained by a late dose, when reconciled as a loss, then it is refused: nothing is lost', async () => {
    const w = await shortCount()
    const dose = await lateDose(w)
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'loss', note: 'n', linked: [dose], by: PIC }))).toMatchObject({ code: 'NOT_A_SHORTAGE' })
  })

  it.each([
    { what: 'not a time', discoveredAt: 'yesterday', code: 'INVALID_TIME', exit: 2 },
    { what: 'without a zone', discoveredAt: '2026-11-27T15:00', code: 'INVALID_TIME', exit: 2 },
    { what: 'in the future', discoveredAt: '2026-12-01T09:00:00Z', code: 'FUTURE_TIME', exit: 3 },
  ])('given a discovery time that is $what, when a loss is reconciled, then it is refused with $code', async ({ discoveredAt, code, exit }) => {
    const w = await shortCount()
    const before = await w.head()
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'n', discoveredAt, by: PIC }))).toMatchObject({ code, exit })
    expect(await w.head()).toBe(before)
  })

  it('given a discovery time before the count that found the shortage, then it is accepted (a loss can be discovered before it is counted)', async () => {
    const w = await shortCount()
    const r = await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'n', discoveredAt: '2026-11-27T19:00:00Z', by: PIC })
    expect((r.stored.entry as Entry<'reconciliation'>).data.loss?.discovered_at).toBe('2026-11-27T19:00:00.000Z')
  })
})

describe('an exact count needs no reconciliation', () => {
  it('given an exact count, then there is nothing to reconcile', async () => {
    const w = await buildWorld()
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [...EXACT_SAFE_1], by: PIC, witness: NURSE })
    expect(await w.store.read().list('discrepancy')).toEqual([])
    expect(await refusal(w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'n', by: PIC }))).toMatchObject({ code: 'UNKNOWN_DISCREPANCY' })
  })
})

// Reported, not fixed here (rules/dose.ts, rules/stock.ts, rules/common.ts are outside this work):
// usableLot and withinBeyondUse compare the lot expiry and the beyond-use date with the time the
// entry is recorded (ctx.now), not the time it happened (--at). A dose given while the vial was
// usable but documented after its beyond-use date can then never be recorded, so the count
// discrepancy it explains cannot be reconciled as a documentation error. When that is fixed,
// these tests start passing and vitest reports them: drop `.fails`. Each fails only with the
// bug's own error code, so any other outcome is reported too.
describe('known bug: late records are checked against the recording time', () => {
  it('given a dose given on 2026-12-24 (vial usable through 12-25), when it is recorded on 12-26, then it is accepted', async () => {
    const w = await buildWorld()
    w.at('2026-12-26T15:00:00Z')
    const outcome = await w.ledger.administer({ container: 'C-0001', dose: '0.4mL', patient: 'P-1014', at: '2026-12-24T20:00:00Z', by: NURSE }).then(() => 'accepted', (e: { code?: string }) => e.code)
    expect(outcome).not.toBe('BEYOND_USE_DATE') // fails only for this bug; anything else makes vitest report the test
  })

  it('given a vial opened on 2026-12-30 (lot good through 12-31), when the opening is recorded on 2027-01-01, then it is accepted', async () => {
    const w = await buildWorld()
    w.at('2027-01-01T15:00:00Z')
    const outcome = await w.ledger.open({ product: 'MDZ-5', lot: 'M7788', location: 'SAFE-1', at: '2026-12-30T15:00:00Z', by: NURSE }).then(() => 'accepted', (e: { code?: string }) => e.code)
    expect(outcome).not.toBe('LOT_EXPIRED')
  })
})
