import { describe, expect, it } from 'vitest'
import { checkDeaNumber } from './dea-number.ts'

// Worked examples of dea-requirements.md section 3.1.
describe('checkDeaNumber', () => {
  it.each([
    ['AB1234563'],
    ['BJ6125341'],
    ['BJ2165341'], // a same-weight swap of d1/d3: the formula cannot see it, so it passes
    ['FS3456781'],
    ['F91234563'], // "9" for a business name
    ['F91234563-001AB'], // practitioner suffix on an institution's number
    ['ab1234563'],
    [' AB1234563 '],
  ])('%s is well formed and its check digit holds', (raw) => {
    expect(checkDeaNumber(raw)).toMatchObject({ ok: true, errors: [], warnings: [] })
  })

  it.each([
    ['FS3456782', 1, 2],
    ['AB4523763', 1, 3],
    ['MK7654328', 9, 8],
    ['BJ6215341', 2, 1], // adjacent swap of d2/d3: detected
  ])('%s fails its check digit (formula gives %i, printed %i): a warning, not an error', (raw, formula, printed) => {
    const check = checkDeaNumber(raw)
    expect(check).toMatchObject({ ok: true, errors: [] })
    expect(check.warnings).toEqual([`check digit is ${printed} but the formula gives ${formula}`])
  })

  it('an unusual first letter is a warning too, never a hard refusal', () => {
    const check = checkDeaNumber('CB1234563')
    expect(check.ok).toBe(true)
    expect(check.warnings).toEqual(['first letter C is unusual for a registrant'])
  })

  it.each([['AB123456'], ['AB12345633'], ['A11234563'], ['1B1234563'], ['AB-1234563'], ['AB1234563-'], ['AB12E4563'], ['']])('%j is malformed', (raw) => {
    const check = checkDeaNumber(raw)
    expect(check.ok).toBe(false)
    expect(check.errors).toHaveLength(1)
  })

  it('normalises case and spaces in the value it returns', () => {
    expect(checkDeaNumber(' ab1234563 ').value).toBe('AB1234563')
  })
})
