import { describe, expect, it } from 'vitest'
import { refusal } from '../../../../test/support/accountability-expect.ts'
import { NURSE, PIC, SHORT_SAFE_1, type World, buildWorld } from '../../../../test/support/accountability-world.ts'
import type { Entry } from '../model/entry.ts'

const FRIDAY_4PM = '2026-11-27T21:00:00.000Z' // Friday 16:00 in New York

async function sealedAtSafe1(w: World, lot = 'K2417A'): Promise<number> {
  return (await w.store.read().list('stock')).find((s) => s.location === 'SAFE-1' && s.lot === lot)?.sealed ?? 0
}

async function recordLoss(w: World, items: Parameters<World['ledger']['loss']>[0]['items'], type = 'loss') {
  const r = await w.ledger.loss({ type, items, note: 'found during restock', by: PIC })
  return (r.stored.entry as Entry<'loss'>).data
}

describe('a theft or loss found outside a count', () => {
  it('given sealed vials stolen, when recorded on a Friday afternoon, then the stock leaves the book and both clocks start', async () => {
    const w = await buildWorld()
    w.at(FRIDAY_4PM)
    const d = await recordLoss(w, [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', containers: 2 }], 'theft')
    expect(d).toEqual({
      id: 'L-0001', type: 'theft', discovered_at: FRIDAY_4PM,
      items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', ndc: '67457-108-10', containers: 2, amount_ml: '20', amount_mg: '1000' }],
      note: 'found during restock',
      notice_due: '2026-11-30T21:00:00.000Z', // Monday 16:00 New York
      form106_due: '2027-01-11T21:00:00.000Z',
      adjusts_stock: true,
    })
    expect(await sealedAtSafe1(w)).toBe(1)
  })

  it('given a volume spilled from an open vial, when recorded, then exactly that volume leaves the container', async () => {
    const w = await buildWorld()
    const d = await recordLoss(w, [{ container: 'C-0001', amount: '12.5mg' }], 'breakage-spill')
    expect(d.items).toEqual([{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', ndc: '67457-108-10', containers: 0, container: 'C-0001', amount_ml: '0.25', amount_mg: '12.5' }])
    expect((await w.store.read().get('container', 'C-0001'))?.remaining_ml).toBe('6.1')
  })

  it('given a discovery time in the past, then the clocks count from it', async () => {
    const w = await buildWorld()
    w.at('2026-11-30T15:00:00.000Z')
    const r = await w.ledger.loss({ type: 'loss', items: [{ container: 'C-0001', amount: '1mL' }], note: 'n', discoveredAt: '2026-11-28T10:00:00-05:00', by: PIC })
    const d = (r.stored.entry as Entry<'loss'>).data
    expect([d.discovered_at, d.notice_due, r.stored.entry.occurred_at]).toEqual(['2026-11-28T15:00:00.000Z', '2026-11-30T15:00:00.000Z', '2026-11-28T15:00:00.000Z'])
  })

  it.each([
    { what: 'more sealed vials than on hand', items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', containers: 4 }], code: 'INSUFFICIENT_STOCK', exit: 3 },
    { what: 'more than the vial holds', items: [{ container: 'C-0001', amount: '6.4mL' }], code: 'INSUFFICIENT_STOCK', exit: 3 },
    { what: 'nothing', items: [], code: 'NO_ITEMS', exit: 2 },
    { what: 'an unknown container', items: [{ container: 'C-0404' }], code: 'UNKNOWN_CONTAINER', exit: 3 },
  ])('given $what, when a loss is recorded, then it is refused with $code', async ({ items, code, exit }) => {
    const w = await buildWorld()
    const before = await w.head()
    expect(await refusal(w.ledger.loss({ type: 'loss', items, note: 'n', by: PIC }))).toMatchObject({ code, exit })
    expect(await w.head()).toBe(before)
  })

  it('given a nurse or an unknown type, then recording a loss is refused', async () => {
    const w = await buildWorld()
    const items = [{ container: 'C-0001', amount: '1mL' }]
    expect(await refusal(w.ledger.loss({ type: 'loss', items, note: 'n', by: NURSE }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
    expect(await refusal(w.ledger.loss({ type: 'misplaced', items, note: 'n', by: PIC }))).toMatchObject({ code: 'INVALID_LOSS_TYPE', exit: 2 })
  })
})

describe('the two clocks', () => {
  it('given a loss on Friday, when Monday 16:00 passes without a notice, then status flags the notice overdue; the notice stops that clock', async () => {
    const w = await buildWorld()
    w.at(FRIDAY_4PM)
    await recordLoss(w, [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', containers: 1 }])
    w.at('2026-11-30T20:59:00.000Z')
    expect((await w.ledger.status()).losses[0]).toMatchObject({ notice_overdue: false, form106_overdue: false })
    w.at('2026-11-30T21:01:00.000Z')
    const late = await w.ledger.status()
    expect(late.losses[0]).toMatchObject({ id: 'L-0001', notice: null, notice_overdue: true, form106_overdue: false })
    expect(late.attention).toBe(1)

    await w.ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'Columbus District Office', by: PIC })
    const noticed = await w.ledger.status()
    expect(noticed.losses[0]).toMatchObject({ notice: '2026-11-30T21:01:00.000Z', notice_overdue: false, filing: null })
    expect(noticed.attention).toBe(0)
  })

  it('given the notice sent and no Form 106 after 45 days, then the Form 106 clock is overdue; the filing stops it and the loss leaves status', async () => {
    const w = await buildWorld()
    w.at(FRIDAY_4PM)
    await recordLoss(w, [{ container: 'C-0001', amount: '2mL' }])
    w.at('2026-11-28T14:00:00.000Z')
    await w.ledger.lossNotice({ loss: 'L-0001', method: 'fax', to: 'Columbus District Office', at: '2026-11-27T21:30:00Z', by: PIC })
    w.at('2027-01-11T21:00:01.000Z')
    expect((await w.ledger.status()).losses[0]).toMatchObject({ notice_overdue: false, form106_overdue: true })
    await w.ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-2027-000123', by: PIC })
    const s = await w.ledger.status()
    expect(s.losses).toEqual([])
    expect(await w.store.read().get('loss', 'L-0001')).toMatchObject({ notice: { at: '2026-11-27T21:30:00.000Z', method: 'fax' }, filing: { confirmation: 'TLR-2027-000123' } })
  })

  it('given a filed Form 106, when a correction is filed, then it is recorded as an amended report', async () => {
    const w = await buildWorld()
    await recordLoss(w, [{ container: 'C-0001', amount: '2mL' }])
    await w.ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-1', by: PIC })
    const again = await w.ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-1A', by: PIC })
    expect(again.stored.entry.data).toEqual({ loss: 'L-0001', confirmation: 'TLR-1A', amended: true })
  })

  it('given a notice already recorded, or an unknown loss, then a notice is refused', async () => {
    const w = await buildWorld()
    await recordLoss(w, [{ container: 'C-0001', amount: '2mL' }])
    await w.ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'DO', by: PIC })
    expect(await refusal(w.ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'DO', by: PIC }))).toMatchObject({ code: 'ALREADY_NOTIFIED', exit: 3 })
    expect(await refusal(w.ledger.lossNotice({ loss: 'L-0009', method: 'email', to: 'DO', by: PIC }))).toMatchObject({ code: 'UNKNOWN_LOSS', exit: 3 })
    expect(await refusal(w.ledger.lossFiling({ loss: 'L-0009', confirmation: 'X', by: PIC }))).toMatchObject({ code: 'UNKNOWN_LOSS', exit: 3 })
    expect(await refusal(w.ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'DO', by: NURSE }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
  })

  it('given a notice or a filing dated before the loss was discovered, then it is refused: it would stop a clock that had not started', async () => {
    const w = await buildWorld()
    w.at(FRIDAY_4PM)
    await recordLoss(w, [{ container: 'C-0001', amount: '2mL' }])
    expect(await refusal(w.ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'DO', at: '2026-11-27T20:00:00Z', by: PIC }))).toMatchObject({ code: 'BEFORE_DISCOVERY', exit: 3 })
    expect(await refusal(w.ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-1', at: '2026-11-26T20:00:00Z', by: PIC }))).toMatchObject({ code: 'BEFORE_DISCOVERY', exit: 3 })
  })
})

describe('a pattern of small losses (21 CFR 1301.76(b) factor 4)', () => {
  it('given three small losses of one product within 30 days, then status flags the product for significance review', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T15:00:00Z')
    await recordLoss(w, [{ container: 'C-0001', amount: '0.1mL' }], 'breakage-spill')
    w.at('2026-12-03T15:00:00Z')
    await recordLoss(w, [{ container: 'C-0001', amount: '0.1mL' }], 'breakage-spill')
    expect((await w.ledger.status()).significance_review).toEqual([])
    w.at('2026-12-10T15:00:00Z')
    await recordLoss(w, [{ container: 'C-0001', amount: '0.2mL' }], 'loss')
    const s = await w.ledger.status()
    expect(s.significance_review).toEqual([{ product: 'KET-50', events: 3, window_days: 30 }])
    // 30 days after the first, the window holds two: no longer a pattern by the setting
    w.at('2026-12-27T15:00:01Z')
    expect((await w.ledger.status()).significance_review).toEqual([])
  })

  it('given unexplained count shortages, then they count toward the pattern; documentation errors do not', async () => {
    const w = await buildWorld()
    await w.ledger.setSetting({ name: 'loss_pattern_count', value: '2', by: PIC })
    w.at('2026-11-27T21:00:00Z')
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [...SHORT_SAFE_1], by: PIC, witness: NURSE })
    await w.ledger.reconcile({ discrepancy: 'D-0002', reason: 'unexplained', note: 'meniscus?', by: PIC })
    expect((await w.ledger.status()).significance_review).toEqual([])
    await w.ledger.reconcile({ discrepancy: 'D-0001', reason: 'unexplained', note: 'not found', by: PIC })
    expect((await w.ledger.status()).significance_review).toEqual([{ product: 'KET-50', events: 2, window_days: 30 }])
  })
})
