import { describe, expect, it } from 'vitest'
import { InputError } from './errors.ts'
import { givenClinic, ledger } from './testing/index.ts'

// Monday: 3 vials of ketamine in the safe, 2 of midazolam moved to the lockbox, one ketamine vial
// opened and a 35 mg dose drawn from it, then 2 mL of a midazolam vial given in the procedure room.
const monday = ledger`
  clock      2026-11-30T08:00:00.000Z
  receive    KET-50 lot=K2417A containers=3                      as=ketamine
  receive    MDZ-1  lot=M0915  containers=2
  transfer   MDZ-1  lot=M0915  containers=2 to=LOCKBOX-2
  clock      2026-11-30T09:30:00.000Z
  open       KET-50 lot=K2417A                                   as=opened
  administer C-0001 dose=35mg patient=P-1042                     as=dose
  clock      2026-11-30T11:00:00.000Z
  open       MDZ-1  lot=M0915 location=LOCKBOX-2
  administer C-0002 dose=2mg patient=P-2207                      as=midazolam
`

describe('balance', () => {
  it('shows sealed and open stock per location, product and lot, as exact decimal strings', async () => {
    const clinic = await givenClinic(monday).build()
    const { as_of_seq, rows } = await clinic.ledger.balance()
    expect(as_of_seq).toBe(clinic.seq('midazolam'))
    expect(rows).toEqual([
      { location: 'LOCKBOX-2', product: 'MDZ-1', lot: 'M0915', sealed: 1, open: [{ container: 'C-0002', remaining_mL: '8', remaining_mg: '8' }], total_mL: '18', total_mg: '18' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 2, open: [{ container: 'C-0001', remaining_mL: '9.3', remaining_mg: '465' }], total_mL: '29.3', total_mg: '1465' },
    ])
  })

  it('filters by location and by product', async () => {
    const clinic = await givenClinic(monday).build()
    expect((await clinic.ledger.balance({ location: 'SAFE-1' })).rows.map((r) => r.product)).toEqual(['KET-50'])
    expect((await clinic.ledger.balance({ product: 'MDZ-1' })).rows.map((r) => r.location)).toEqual(['LOCKBOX-2'])
    expect((await clinic.ledger.balance({ location: 'SAFE-1', product: 'MDZ-1' })).rows).toEqual([])
  })

  it('as of a seq: the stock right after that entry', async () => {
    const clinic = await givenClinic(monday).build()
    const beforeDose = await clinic.ledger.balance({ asOf: clinic.seq('opened') })
    expect(beforeDose.as_of_seq).toBe(clinic.seq('opened'))
    expect(beforeDose.rows).toEqual([
      { location: 'LOCKBOX-2', product: 'MDZ-1', lot: 'M0915', sealed: 2, open: [], total_mL: '20', total_mg: '20' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 2, open: [{ container: 'C-0001', remaining_mL: '10', remaining_mg: '500' }], total_mL: '30', total_mg: '1500' },
    ])
    const afterKetamine = await clinic.ledger.balance({ asOf: clinic.seq('ketamine') })
    expect(afterKetamine.rows).toEqual([{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 3, open: [], total_mL: '30', total_mg: '1500' }])
  })

  it('as of seq 0 is empty, as of the head is now, beyond the head is refused', async () => {
    const clinic = await givenClinic(monday).build()
    expect((await clinic.ledger.balance({ asOf: 0 })).rows).toEqual([])
    expect((await clinic.ledger.balance({ asOf: clinic.seq('midazolam') })).rows).toEqual((await clinic.ledger.balance()).rows)
    await expect(clinic.ledger.balance({ asOf: clinic.seq('midazolam') + 1 })).rejects.toMatchObject({ code: 'SEQ_OUT_OF_RANGE' })
    await expect(clinic.ledger.balance({ asOf: 999 })).rejects.toBeInstanceOf(InputError)
  })

  it('as of a time: the last entry recorded at or before it', async () => {
    const clinic = await givenClinic(monday).build()
    const at10 = await clinic.ledger.balance({ asOf: '2026-11-30T10:00:00.000Z' })
    expect(at10.as_of_seq).toBe(clinic.seq('dose'))
    expect(at10.rows.find((r) => r.product === 'KET-50')!.total_mg).toBe('1465')
    expect(at10.rows.find((r) => r.product === 'MDZ-1')!.open).toEqual([])
  })

  it('an empty container is no longer on hand', async () => {
    const clinic = await givenClinic(monday, 'administer C-0002 dose=8mL').build()
    expect((await clinic.ledger.balance({ product: 'MDZ-1' })).rows).toEqual([{ location: 'LOCKBOX-2', product: 'MDZ-1', lot: 'M0915', sealed: 1, open: [], total_mL: '10', total_mg: '10' }])
  })
})
