import { describe, expect, it } from 'vitest'
import { AuthError, RuleViolation } from '../errors.ts'
import { givenClinic, ledger } from '../testing/index.ts'

// C-0001 (ketamine 50 mg/mL, 10 mL) is open; 0.8 mL was drawn for a 35 mg dose: 0.1 mL (5 mg) is left to waste.
const drawnDose = ledger`
  receive    KET-50 lot=K2417A containers=1
  open       KET-50 lot=K2417A
  administer C-0001 dose=35mg drawn=0.8mL patient=P-1042   as=dose
`

describe('waste of a dose remainder', () => {
  it('records the drawn-but-not-given remainder with a witness', async () => {
    const { clinic, entry } = await givenClinic(drawnDose)
      .when('waste dose=$dose amount=5mg witness=rdiaz reason="drawn, not given"')
      .thenEntry({
        kind: 'waste', actor: 'nlopez', witness: 'rdiaz',
        data: { container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', amount_ml: '0.1', amount_mg: '5', reason: 'drawn, not given' },
      })
    expect(entry.kind === 'waste' && entry.data.administration).toBe(clinic.seq('dose'))
    expect((await clinic.ledger.balance()).rows[0]!.open[0]!.remaining_mL).toBe('9.2') // the remainder left the vial with the draw
  })

  it('waste needs a witness', async () => {
    await givenClinic(drawnDose).when('waste dose=$dose amount=5mg').thenRejects('WITNESS_REQUIRED', RuleViolation)
  })

  it('the witness must be someone other than the person wasting', async () => {
    await givenClinic(drawnDose).when('waste dose=$dose amount=5mg witness=nlopez').thenRejects('WITNESS_IS_ACTOR', RuleViolation)
  })

  it('an auditor cannot witness', async () => {
    await givenClinic(drawnDose).when('waste dose=$dose amount=5mg witness=aford').thenRejects('ROLE_FORBIDDEN', AuthError)
  })

  it('a deactivated user cannot witness', async () => {
    await givenClinic(drawnDose, 'deactivate rdiaz').when('waste dose=$dose amount=5mg witness=rdiaz').thenRejects('USER_DEACTIVATED', AuthError)
  })

  it('an unknown user cannot witness', async () => {
    await givenClinic(drawnDose).when('waste dose=$dose amount=5mg witness=ghost').thenRejects('UNKNOWN_USER', AuthError)
  })

  it('the remainder cannot go below zero: no more than was drawn and not given', async () => {
    const { error } = await givenClinic(drawnDose).when('waste dose=$dose amount=5.05mg witness=rdiaz').thenRejects('WASTE_EXCEEDS_REMAINDER', RuleViolation)
    expect(error.details).toEqual({ drawn_ml: '0.8', given_ml: '0.7', already_wasted_ml: '0' })
  })

  it('nor in two parts: the second waste is measured against what the first left', async () => {
    await givenClinic(drawnDose, 'waste dose=$dose amount=3mg witness=rdiaz').when('waste dose=$dose amount=2.5mg witness=rdiaz').thenRejects('WASTE_EXCEEDS_REMAINDER', RuleViolation)
    await givenClinic(drawnDose, 'waste dose=$dose amount=3mg witness=rdiaz').when('waste dose=$dose amount=0.04mL witness=rdiaz').thenEntry({ data: { amount_ml: '0.04', amount_mg: '2' } })
  })

  it('a dose drawn exactly as given has nothing to waste', async () => {
    await givenClinic(drawnDose, 'administer C-0001 dose=10mg as=exact').when('waste dose=$exact amount=0.0001mL witness=rdiaz').thenRejects('WASTE_EXCEEDS_REMAINDER', RuleViolation)
  })

  it('names a container or an administration, not both and not neither', async () => {
    await givenClinic(drawnDose).when('waste dose=$dose container=C-0001 amount=5mg witness=rdiaz').thenRejects('WASTE_TARGET', RuleViolation)
    await givenClinic(drawnDose).when('waste amount=5mg witness=rdiaz').thenRejects('WASTE_TARGET', RuleViolation)
  })

  it('a voided administration has no remainder to waste', async () => {
    await givenClinic(drawnDose, 'void $dose reason="wrong patient chart" witness=rdiaz').when('waste dose=$dose amount=5mg witness=rdiaz').thenRejects('UNKNOWN_ADMINISTRATION', RuleViolation)
  })

  it('a seq that is not an administration is refused', async () => {
    await givenClinic(drawnDose).when('waste dose=3 amount=5mg witness=rdiaz').thenRejects('UNKNOWN_ADMINISTRATION', RuleViolation)
  })
})

describe('waste of an open container remainder', () => {
  const vial = ledger`
    receive    KET-50 lot=K2417A containers=1
    open       KET-50 lot=K2417A
    administer C-0001 dose=9.75mL
  `

  it('takes the remainder out of the container, which is then empty', async () => {
    const { clinic } = await givenClinic(vial)
      .when('waste container=C-0001 amount=0.25mL witness=rdiaz reason="end of day, multi-dose vial discarded"')
      .thenEntry({ kind: 'waste', witness: 'rdiaz', data: { container: 'C-0001', amount_ml: '0.25', amount_mg: '12.5' } })
    expect((await clinic.ledger.balance()).rows).toEqual([])
  })

  it('the container cannot go below zero', async () => {
    await givenClinic(vial).when('waste container=C-0001 amount=12.55mg witness=rdiaz').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('needs a witness too', async () => {
    await givenClinic(vial).when('waste container=C-0001 amount=0.25mL').thenRejects('WITNESS_REQUIRED', RuleViolation)
  })

  it('an unknown container is refused', async () => {
    await givenClinic(vial).when('waste container=C-0042 amount=0.25mL witness=rdiaz').thenRejects('UNKNOWN_CONTAINER', RuleViolation)
  })
})
