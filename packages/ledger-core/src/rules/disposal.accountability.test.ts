import { describe, expect, it } from 'vitest'
import { refusal } from '../../../../test/support/accountability-expect.ts'
import { AUDITOR, NURSE, NURSE2, PIC, buildWorld } from '../../../../test/support/accountability-world.ts'
import type { Entry } from '../model/entry.ts'

const RD = { name: 'Return Logistics Inc', address: '400 Commerce Way, Dayton OH 45402', dea: 'AB1234563' }
const FORM41 = { method: 'chemical digestion (Rx Destroyer 2 qt)', place: 'med room, 12 Elm St, Springfield OH 45501' }

describe('multi-dose vial beyond-use date', () => {
  it('given C-0001 first punctured Friday 2026-11-27, then it may be used through 2026-12-25 (28 days) and is refused from 2026-12-26, local time', async () => {
    const w = await buildWorld()
    expect((await w.store.read().get('container', 'C-0001'))?.beyond_use).toBe('2026-12-25')
    w.at('2026-12-26T04:59:00Z') // 23:59 on the 25th in New York
    await w.ledger.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1006', by: NURSE })
    expect((await w.ledger.status()).beyond_use).toEqual([])
    w.at('2026-12-26T05:00:00Z') // midnight in New York
    expect(await refusal(w.ledger.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1006', by: NURSE }))).toMatchObject({ code: 'BEYOND_USE_DATE', exit: 3 })
    expect(await refusal(w.ledger.waste({ container: 'C-0001', amount: '1mL', reason: 'old', witness: NURSE2, by: NURSE }))).toMatchObject({ code: 'BEYOND_USE_DATE', exit: 3 })
    const s = await w.ledger.status()
    expect(s.beyond_use).toEqual([{ container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', beyond_use: '2026-12-25', remaining_ml: '6.15' }])
    expect(s.attention).toBeGreaterThanOrEqual(1)
  })

  it('given the PIC shortens the beyond-use days, then vials opened afterwards get the new date', async () => {
    const w = await buildWorld()
    await w.ledger.setSetting({ name: 'mdv_beyond_use_days', value: '14', by: PIC })
    const r = await w.ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: NURSE })
    expect((r.stored.entry as Entry<'container_opening'>).data.beyond_use).toBe('2026-12-11')
  })

  it('given a vial past its beyond-use date, when it is destroyed on site with two employees, then the entry carries the Form 41 fields and the vial leaves the book and status', async () => {
    const w = await buildWorld()
    w.at('2026-12-28T15:00:00Z')
    const r = await w.ledger.dispose({ method: 'destruction', items: [{ container: 'C-0001' }], reason: 'past beyond-use date', destruction: FORM41, by: NURSE, witness: NURSE2 })
    const e = r.stored.entry as Entry<'disposal'>
    expect(e.occurred_at).toBe('2026-12-28T15:00:00.000Z') // Form 41 section C: date of destruction
    expect([e.actor, e.witness]).toEqual(['nkim', 'rmoss'])
    expect(e.data).toEqual({
      method: 'destruction',
      items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', ndc: '67457-108-10', containers: 0, container: 'C-0001', amount_ml: '6.35', amount_mg: '317.5' }],
      reason: 'past beyond-use date',
      destruction: FORM41,
      witnesses: ['nkim', 'rmoss'], // Form 41 section D: first and second employee witness
    })
    expect((await w.store.read().get('container', 'C-0001'))?.status).toBe('disposed')
    expect((await w.ledger.status()).beyond_use).toEqual([])
    expect((await w.ledger.verify()).ok).toBe(true)
  })
})

describe('expired lots', () => {
  it('given lot M7788 expired on 2026-12-31, then from 2027-01-01 New York time it can be neither opened nor drawn from, and status shows it expired', async () => {
    const w = await buildWorld()
    w.at('2026-12-31T15:00:00Z')
    await w.ledger.open({ product: 'MDZ-5', lot: 'M7788', location: 'SAFE-1', by: NURSE })
    w.at('2027-01-01T04:59:00Z') // still 2026-12-31 in New York
    await w.ledger.administer({ container: 'C-0002', dose: '2mg', patient: 'P-1007', by: NURSE })
    w.at('2027-01-01T05:00:00Z')
    expect(await refusal(w.ledger.administer({ container: 'C-0002', dose: '2mg', patient: 'P-1007', by: NURSE }))).toMatchObject({ code: 'LOT_EXPIRED', exit: 3 })
    expect(await refusal(w.ledger.open({ product: 'MDZ-5', lot: 'M7788', location: 'SAFE-1', by: NURSE }))).toMatchObject({ code: 'LOT_EXPIRED', exit: 3 })
    const s = await w.ledger.status()
    expect(s.expiring_lots).toEqual([{ product: 'MDZ-5', lot: 'M7788', expires: '2026-12-31', days_left: -1, expired: true, sealed_on_hand: 1, open_on_hand: 1 }])
  })

  it('given an expired lot whose only stock is an open vial, then status still shows the lot (an open vial of an expired lot is unusable too)', async () => {
    const w = await buildWorld()
    w.at('2026-12-30T15:00:00Z')
    await w.ledger.open({ product: 'MDZ-5', lot: 'M7788', location: 'SAFE-1', by: NURSE })
    await w.ledger.dispose({ method: 'reverse-distributor', items: [{ location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', containers: 1 }], reason: 'short dated', distributor: RD, by: NURSE, witness: NURSE2 })
    w.at('2027-01-02T15:00:00Z')
    const s = await w.ledger.status()
    expect(s.expiring_lots).toEqual([{ product: 'MDZ-5', lot: 'M7788', expires: '2026-12-31', days_left: -2, expired: true, sealed_on_hand: 0, open_on_hand: 1 }])
    expect(s.attention).toBeGreaterThanOrEqual(1)
  })

  it('given expired sealed stock, when handed to a reverse distributor with two employees, then the entry names the distributor and the stock leaves the book', async () => {
    const w = await buildWorld()
    w.at('2027-01-04T15:00:00Z')
    const r = await w.ledger.dispose({ method: 'reverse-distributor', items: [{ location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', containers: 2 }], reason: 'expired', distributor: RD, by: NURSE, witness: PIC })
    const e = r.stored.entry as Entry<'disposal'>
    expect(e.data).toEqual({
      method: 'reverse-distributor',
      items: [{ location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', ndc: '0409-2596-05', containers: 2, amount_ml: '20', amount_mg: '100' }],
      reason: 'expired',
      reverse_distributor: { name: RD.name, address: RD.address, dea_number: RD.dea },
      witnesses: ['nkim', 'pkim'],
    })
    const s = await w.ledger.status()
    expect(s.expiring_lots).toEqual([])
    expect((await w.store.read().list('stock')).find((x) => x.lot === 'M7788')?.sealed).toBe(0)
  })
})

describe('disposal refusals', () => {
  const sealed = [{ location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', containers: 1 }]
  it.each([
    { what: 'no witness', cmd: { method: 'destruction', destruction: FORM41, by: NURSE }, code: 'WITNESS_REQUIRED', exit: 3 },
    { what: 'the actor as witness', cmd: { method: 'destruction', destruction: FORM41, by: NURSE, witness: NURSE }, code: 'WITNESS_IS_ACTOR', exit: 3 },
    { what: 'an auditor as witness', cmd: { method: 'destruction', destruction: FORM41, by: NURSE, witness: AUDITOR }, code: 'ROLE_FORBIDDEN', exit: 77 },
    { what: 'an auditor disposing', cmd: { method: 'destruction', destruction: FORM41, by: AUDITOR, witness: NURSE }, code: 'ROLE_FORBIDDEN', exit: 77 },
    { what: 'an unknown method', cmd: { method: 'flush', by: NURSE, witness: NURSE2 }, code: 'INVALID_METHOD', exit: 2 },
    { what: 'a destruction without method and place', cmd: { method: 'destruction', by: NURSE, witness: NURSE2 }, code: 'MISSING_OPTION', exit: 2 },
    { what: 'a destruction without a place', cmd: { method: 'destruction', destruction: { method: 'Rx Destroyer', place: ' ' }, by: NURSE, witness: NURSE2 }, code: 'MISSING_FIELD', exit: 2 },
    { what: 'a reverse distributor not named', cmd: { method: 'reverse-distributor', by: NURSE, witness: NURSE2 }, code: 'MISSING_OPTION', exit: 2 },
    { what: 'a malformed distributor DEA number', cmd: { method: 'reverse-distributor', distributor: { ...RD, dea: 'AB12345' }, by: NURSE, witness: NURSE2 }, code: 'INVALID_DEA_NUMBER', exit: 2 },
    { what: 'a distributor DEA number failing its check digit', cmd: { method: 'reverse-distributor', distributor: { ...RD, dea: 'AB1234567' }, by: NURSE, witness: NURSE2 }, code: 'DEA_CHECK_WARNING', exit: 3 },
  ])('given $what, then the disposal is refused with $code', async ({ cmd, code, exit }) => {
    const w = await buildWorld()
    const before = await w.head()
    expect(await refusal(w.ledger.dispose({ items: sealed, reason: 'expired', ...cmd }))).toMatchObject({ code, exit })
    expect(await w.head()).toBe(before)
  })

  it('given more sealed vials than on hand, then the disposal is refused', async () => {
    const w = await buildWorld()
    expect(await refusal(w.ledger.dispose({ method: 'destruction', items: [{ ...sealed[0]!, containers: 3 }], reason: 'expired', destruction: FORM41, by: NURSE, witness: NURSE2 }))).toMatchObject({ code: 'INSUFFICIENT_STOCK', exit: 3 })
  })
})
