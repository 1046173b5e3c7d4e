import { describe, expect, it } from 'vitest'
import { refusal } from '../../../../test/support/accountability-expect.ts'
import { CLINIC, NURSE, PIC, SUPPLIER, type World, buildWorld } from '../../../../test/support/accountability-world.ts'
import type { Entry } from '../model/entry.ts'

/** Everything on hand in the fixture, as a biennial inventory lists it. */
const ALL_ON_HAND = [
  { ref: 'SAFE-1/K2417A', value: '3' },
  { ref: 'SAFE-1/M7788', value: '2' },
  { ref: 'LOCKBOX-2/K2501B', value: '2' },
  { ref: 'C-0001', value: '6.3~' },
]

async function biennial(w: World, items = ALL_ON_HAND, basedOnSeq?: number) {
  const r = await w.ledger.inventory({ type: 'biennial', at: 'close', basedOnSeq: basedOnSeq ?? (await w.head()), items, by: PIC, witness: NURSE })
  return r.stored.entry as Entry<'inventory'>
}

describe('initial inventory (21 CFR 1304.11(b))', () => {
  it('given no inventory yet, when the first receipt is recorded, then it is refused until an initial (zero) inventory is taken', async () => {
    const w = await buildWorld({ noInventory: true })
    const receipt = { product: 'KET-50', lot: 'K2417A', expires: '2028-03-31', containers: 4, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-1', by: NURSE }
    expect(await refusal(w.ledger.receive(receipt))).toMatchObject({ code: 'INITIAL_INVENTORY_REQUIRED', exit: 3 })
    expect(await refusal(biennial(w, []))).toMatchObject({ code: 'INITIAL_INVENTORY_REQUIRED', exit: 3 })
    const r = await w.ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: await w.head(), items: [], by: PIC, witness: NURSE })
    const d = (r.stored.entry as Entry<'inventory'>).data
    expect(d).toEqual({ type: 'initial', at: 'opening', taken_at: '2026-11-23T14:00:00.000Z', registrant: { name: CLINIC.name, address: CLINIC.address, dea_number: CLINIC.dea }, based_on_seq: 9, items: [], discrepancies: [], zero: true })
    await w.ledger.receive(receipt)
  })

  it('given an initial inventory, when another initial one is taken, then it is refused', async () => {
    const w = await buildWorld({ empty: true })
    expect(await refusal(w.ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: await w.head(), items: [], by: PIC, witness: NURSE }))).toMatchObject({ code: 'INVENTORY_EXISTS', exit: 3 })
  })

  it.each([
    { what: 'a nurse taking it', cmd: { type: 'initial', at: 'opening', by: NURSE, witness: PIC }, code: 'ROLE_FORBIDDEN', exit: 77 },
    { what: 'no witness', cmd: { type: 'initial', at: 'opening', by: PIC }, code: 'WITNESS_REQUIRED', exit: 3 },
    { what: 'an unknown kind', cmd: { type: 'annual', at: 'opening', by: PIC, witness: NURSE }, code: 'INVALID_INVENTORY_KIND', exit: 2 },
    { what: 'neither opening nor close', cmd: { type: 'initial', at: 'noon', by: PIC, witness: NURSE }, code: 'INVALID_INVENTORY_TIME', exit: 2 },
  ])('given $what, then the inventory is refused with $code', async ({ cmd, code, exit }) => {
    const w = await buildWorld({ noInventory: true })
    expect(await refusal(w.ledger.inventory({ basedOnSeq: await w.head(), items: [], ...cmd }))).toMatchObject({ code, exit })
  })
})

describe('biennial inventory (21 CFR 1304.11(c))', () => {
  it('given everything on hand counted, with the open vial estimated, then the record carries date, time, opening/close, registrant, items and the estimate flag', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T23:30:00Z') // 18:30 New York, close of business
    const e = await biennial(w)
    expect(e.occurred_at).toBe('2026-11-27T23:30:00.000Z')
    expect([e.actor, e.witness]).toEqual(['pkim', 'nkim'])
    expect(e.data).toMatchObject({ type: 'biennial', at: 'close', taken_at: '2026-11-27T23:30:00.000Z', registrant: { name: CLINIC.name, address: CLINIC.address, dea_number: CLINIC.dea }, zero: false, discrepancies: [] })
    expect(e.data.items).toEqual([
      { type: 'sealed', location: 'LOCKBOX-2', product: 'KET-50', lot: 'K2501B', expected: 2, counted: 2 },
      { type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', expected: 3, counted: 3 },
      { type: 'sealed', location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', expected: 2, counted: 2 },
      { type: 'open', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', container: 'C-0001', expected_ml: '6.35', counted_ml: '6.3', estimated: true },
    ])
    const status = await w.ledger.status()
    expect(status.inventory).toEqual({ last: { type: 'biennial', seq: e.seq, date: '2026-11-27' }, biennial_due: '2028-11-26', overdue: false })
  })

  it('given an inventory taken earlier in the day, when it is recorded with its time, then that time is the record\'s', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T23:30:00Z')
    const r = await w.ledger.inventory({ type: 'biennial', at: 'opening', takenAt: '2026-11-27T08:00:00-05:00', basedOnSeq: await w.head(), items: ALL_ON_HAND, by: PIC, witness: NURSE })
    expect((r.stored.entry as Entry<'inventory'>).data.taken_at).toBe('2026-11-27T13:00:00.000Z')
  })

  it('given a difference, then the inventory opens a discrepancy like a count does', async () => {
    const w = await buildWorld()
    const e = await biennial(w, [...ALL_ON_HAND.slice(0, 2), { ref: 'LOCKBOX-2/K2501B', value: '1' }, ALL_ON_HAND[3]!])
    expect(e.data.discrepancies.map((d) => [d.id, d.item.location, d.difference])).toEqual([['D-0001', 'LOCKBOX-2', '-1']])
    expect((await w.store.read().get('discrepancy', 'D-0001'))?.status).toBe('open')
  })

  it.each([
    { what: 'a location left out', items: ALL_ON_HAND.slice(0, 2).concat(ALL_ON_HAND[3]!), code: 'COUNT_INCOMPLETE', exit: 2 },
    { what: 'an item without its location', items: [...ALL_ON_HAND.slice(1), { ref: 'K2417A', value: '3' }], code: 'LOCATION_REQUIRED', exit: 2 },
    { what: 'an unknown location', items: [...ALL_ON_HAND, { ref: 'SAFE-9/K2417A', value: '0' }], code: 'UNKNOWN_LOCATION', exit: 2 },
  ])('given $what, then the inventory is refused with $code', async ({ items, code, exit }) => {
    const w = await buildWorld()
    expect(await refusal(biennial(w, items))).toMatchObject({ code, exit })
  })

  it('given any stock entry anywhere after the inventory started, then it is refused with TIP_MOVED; a setting change is not stock', async () => {
    const w = await buildWorld()
    const start = await w.head()
    await w.ledger.setSetting({ name: 'count_tolerance_ml', value: '0.2', by: PIC })
    await biennial(w, ALL_ON_HAND, start)
    const start2 = await w.head()
    await w.ledger.open({ product: 'KET-50', lot: 'K2501B', location: 'LOCKBOX-2', by: NURSE })
    expect(await refusal(biennial(w, ALL_ON_HAND, start2))).toMatchObject({ code: 'TIP_MOVED', exit: 4 })
  })
})

describe('biennial due date', () => {
  it('given the initial inventory on 2026-11-23, then the biennial is due by 2028-11-22 (730 days: never later than two years) and overdue the day after', async () => {
    const w = await buildWorld()
    w.at('2028-11-22T20:00:00Z')
    expect((await w.ledger.status()).inventory).toMatchObject({ biennial_due: '2028-11-22', overdue: false })
    w.at('2028-11-23T05:00:00Z') // 00:00 New York
    const s = await w.ledger.status()
    expect(s.inventory).toMatchObject({ biennial_due: '2028-11-22', overdue: true })
    expect(s.attention).toBeGreaterThanOrEqual(1)
  })
})
