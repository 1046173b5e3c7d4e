import { describe, expect, it } from 'vitest'
import { AuthError, InputError, RuleViolation } from '../errors.ts'
import { givenClinic, ledger } from '../testing/index.ts'

// One 10 mL vial of ketamine 50 mg/mL (500 mg) open as C-0001; one sealed vial behind it.
const openVial = ledger`
  receive KET-50 lot=K2417A expires=2027-06-30 containers=2
  open    KET-50 lot=K2417A
`

describe('administration', () => {
  it('a dose in mg is converted to mL exactly: 35 mg of 50 mg/mL is 0.7 mL', async () => {
    const { clinic } = await givenClinic(openVial)
      .when('administer C-0001 dose=35mg patient=P-1042 prescriber=drlee')
      .thenEntry({
        kind: 'administration', actor: 'nlopez',
        data: { container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', patient: 'P-1042', given_ml: '0.7', given_mg: '35', drawn_ml: '0.7', drawn_mg: '35', prescriber: 'drlee' },
      })
    const { rows } = await clinic.ledger.balance()
    expect(rows[0]!.open).toEqual([{ container: 'C-0001', remaining_mL: '9.3', remaining_mg: '465' }])
  })

  it('a dose in mL is converted to mg exactly: 0.7 mL of 50 mg/mL is 35 mg', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=0.7mL').thenEntry({ data: { given_ml: '0.7', given_mg: '35', drawn_ml: '0.7', drawn_mg: '35' } })
  })

  it('records more drawn than given (the rest must be wasted)', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg drawn=0.8mL').thenEntry({ data: { given_mg: '35', drawn_ml: '0.8', drawn_mg: '40' } })
  })

  it('a draw cannot exceed what the container holds', async () => {
    const { error } = await givenClinic(openVial, 'administer C-0001 dose=9.5mL').when('administer C-0001 dose=30mg').thenRejects('DRAW_EXCEEDS_CONTAINER', RuleViolation)
    expect(error.details).toEqual({ remaining: '25 mg (0.5 mL of 50 mg/mL)', requested: '30 mg (5 mg short)' })
  })

  it('the drawn amount, not the dose, is what must fit in the container', async () => {
    await givenClinic(openVial, 'administer C-0001 dose=9.5mL').when('administer C-0001 dose=20mg drawn=0.6mL').thenRejects('DRAW_EXCEEDS_CONTAINER', RuleViolation)
  })

  it('drawing exactly what is left empties the container, and an empty container gives nothing more', async () => {
    const { clinic } = await givenClinic(openVial, 'administer C-0001 dose=9.3mL').when('administer C-0001 dose=35mg').thenEntry({ data: { drawn_ml: '0.7' } })
    expect((await clinic.ledger.balance()).rows[0]!.open).toEqual([])
    await givenClinic(openVial, 'administer C-0001 dose=10mL').when('administer C-0001 dose=1mg').thenRejects('CONTAINER_EMPTY', RuleViolation)
  })

  it('the dose cannot exceed the amount drawn', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg drawn=0.6mL').thenRejects('DOSE_EXCEEDS_DRAWN', RuleViolation)
  })

  it('a mass that is not a whole number of microlitres is refused, not rounded', async () => {
    await givenClinic('product KET-30 ketamine 30mg/mL 10mL multi-dose ndc=0409-2053-10', 'receive KET-30 lot=K30 containers=1', 'open KET-30 lot=K30')
      .when('administer C-0001 dose=1mg')
      .thenRejects('INEXACT_CONVERSION', InputError)
  })

  it.each([
    ['administer C-0001 dose=-5mg', 'INVALID_QUANTITY'],
    ['administer C-0001 dose=0mg', 'INVALID_QUANTITY'],
    ['administer C-0001 dose=1e309', 'INVALID_QUANTITY'],
    ['administer C-0001 dose=35', 'INVALID_QUANTITY'],
    ['administer C-0001 dose=35.12345mg', 'TOO_PRECISE'],
    ['administer C-0009 dose=35mg', 'UNKNOWN_CONTAINER'],
    ['administer C-0001 dose=35mg patient=""', 'MISSING_FIELD'],
    ['administer C-0001 dose=35mg prescriber=rdiaz', 'PRESCRIBER_NOT_PHYSICIAN'],
    ['administer C-0001 dose=35mg prescriber=nobody', 'PRESCRIBER_NOT_PHYSICIAN'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic(openVial).when(line).thenRejects(code)
  })

  it('a deactivated physician cannot be named as prescriber', async () => {
    await givenClinic(openVial, 'deactivate drpatel reason="left the practice"').when('administer C-0001 dose=35mg prescriber=drpatel').thenRejects('PRESCRIBER_NOT_PHYSICIAN', RuleViolation)
  })

  it('an auditor cannot record a dose', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg by=aford').thenRejects('ROLE_FORBIDDEN', AuthError)
  })

  it('no dose from a container whose lot has expired', async () => {
    await givenClinic(ledger`
      receive KET-50 lot=K2417A expires=2026-12-31 containers=1
      open    KET-50 lot=K2417A
      clock   2027-01-01T08:00:00.000Z
    `).when('administer C-0001 dose=35mg').thenRejects('LOT_EXPIRED', RuleViolation)
  })
})

describe('when it happened (occurred_at)', () => {
  it('a back-dated dose keeps the time it was given; recorded_at is the clock', async () => {
    await givenClinic(openVial)
      .when('administer C-0001 dose=35mg at=2026-11-26T09:30:00-05:00')
      .thenEntry({ occurred_at: '2026-11-26T14:30:00.000Z', recorded_at: '2026-11-26T15:00:00.000Z' })
  })

  it('up to five minutes ahead is clock skew and accepted', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg at=2026-11-26T15:05:00Z').thenEntry({ occurred_at: '2026-11-26T15:05:00.000Z' })
  })

  it('a time in the future is refused', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg at=2026-11-26T15:05:01Z').thenRejects('FUTURE_TIME', RuleViolation)
  })

  it('the future is refused for every kind that takes a time', async () => {
    const tomorrow = 'at=2026-11-27T15:00:00Z'
    for (const line of [
      `receive KET-50 lot=K2417A containers=1 ${tomorrow}`,
      `open KET-50 lot=K2417A ${tomorrow}`,
      `transfer KET-50 lot=K2417A containers=1 ${tomorrow}`,
      `waste container=C-0001 amount=1mL witness=rdiaz ${tomorrow}`,
    ]) await givenClinic(openVial).when(line).thenRejects('FUTURE_TIME', RuleViolation)
  })

  it.each([['2026-02-30T09:30:00Z'], ['2026-02-29T09:30:00Z'], ['2026-04-31T09:30:00-05:00']])('%j is a day that does not exist: refused, never rolled over to another day', async (at) => {
    await givenClinic(openVial).when(`administer C-0001 dose=35mg at=${at}`).thenRejects('INVALID_TIME', InputError)
  })

  it.each([['2026-11-26 09:30'], ['2026-11-26T09:30:00'], ['yesterday'], ['2026-13-01T09:30:00Z']])('%j is not a time with a zone', async (at) => {
    await givenClinic(openVial).when(`administer C-0001 dose=35mg at="${at}"`).thenRejects('INVALID_TIME', InputError)
  })
})
