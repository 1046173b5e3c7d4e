import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import type { Entry } from './model/entry.ts'
import { givenClinic } from './testing/index.ts'

const DOSES = 1000
const VIALS = 12
const QUANTITY_FIELD = /_(ml|mg|mL)$/
const EXACT = /^\d+(\.\d{1,6})?$/

// 1000 doses of 0.1 mL (5 mg) from ketamine 50 mg/mL 10 mL vials, opening a new vial as each
// empties. In binary floating point, 0.1 added 1000 times is 99.9999999999986, not 100.
describe('exact quantities over a thousand doses', () => {
  it('administered, remaining and balance totals are exact decimal strings', async () => {
    const clinic = await givenClinic(`receive KET-50 lot=K2417A containers=${VIALS}`).build()
    const nurse = { username: 'nlopez' }
    let container = ''
    let remaining = new Decimal(0)
    let seqAfter550 = 0
    for (let i = 1; i <= DOSES; i++) {
      if (remaining.isZero()) {
        const opened = await clinic.ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
        container = (opened.stored.entry as Entry<'container_opening'>).data.container
        remaining = new Decimal(10)
      }
      const dose = await clinic.ledger.administer({ container, dose: '0.1mL', patient: `P-${1000 + (i % 37)}`, by: nurse })
      remaining = remaining.minus('0.1')
      expect((await clinic.store.read().get('container', container))!.remaining_ml).toBe(remaining.toFixed()) // 9.9, 9.8, … 0.1, 0
      expect((dose.stored.entry as Entry<'administration'>).data).toMatchObject({ given_ml: '0.1', given_mg: '5', drawn_ml: '0.1', drawn_mg: '5' })
      if (i === 550) seqAfter550 = dose.stored.entry.seq
    }

    let givenMl = new Decimal(0)
    let givenMg = new Decimal(0)
    let administrations = 0
    for await (const { entry } of clinic.ledger.log({ kinds: ['administration'] })) {
      const d = (entry as Entry<'administration'>).data
      givenMl = givenMl.plus(d.given_ml)
      givenMg = givenMg.plus(d.given_mg)
      administrations++
    }
    expect(administrations).toBe(DOSES)
    expect(givenMl.toFixed()).toBe('100')
    expect(givenMg.toFixed()).toBe('5000')

    const containers = await clinic.store.read().list('container')
    expect(containers).toHaveLength(10)
    expect(containers.every((c) => c.status === 'empty' && c.remaining_ml === '0')).toBe(true)

    expect((await clinic.ledger.balance()).rows).toEqual([{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 2, open: [], total_mL: '20', total_mg: '1000' }])
    // After 550 doses: five vials used up, the sixth half drawn (5 mL), six still sealed.
    expect((await clinic.ledger.balance({ asOf: seqAfter550 })).rows).toEqual([
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 6, open: [{ container: 'C-0006', remaining_mL: '5', remaining_mg: '250' }], total_mL: '65', total_mg: '3250' },
    ])

    // No float spelling anywhere in what was hashed: every quantity is a plain decimal string.
    let quantities = 0
    for await (const { entry, canonical } of clinic.ledger.log()) {
      expect(canonical).not.toMatch(/[:,[]-?\d+(\.\d+)?[eE]/) // no JSON number in exponent form
      for (const [k, v] of Object.entries(entry.data)) {
        if (!QUANTITY_FIELD.test(k)) continue
        expect(v, `${entry.kind} ${entry.seq} ${k}`).toMatch(EXACT)
        quantities++
      }
    }
    expect(quantities).toBeGreaterThan(4 * DOSES)

    expect((await clinic.ledger.verify()).findings).toEqual([])
    let float = 0
    for (let i = 0; i < DOSES; i++) float += 0.1
    expect(float).not.toBe(100) // what the same arithmetic gives in JS numbers
  })
})
