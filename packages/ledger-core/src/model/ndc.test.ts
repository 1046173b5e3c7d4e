import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { parseNdc } from './ndc.ts'

// The table of dea-requirements.md section 3.2.
describe('parseNdc', () => {
  it.each([
    ['0409-2587-05', '4-4-2', '00409258705'],
    ['70860-600-02', '5-3-2', '70860060002'],
    ['67457-108-10', '5-3-2', '67457010810'],
    ['60575-4112-1', '5-4-1', '60575411201'],
  ])('%s (%s) is %s in the 11-digit form', (printed, configuration, ndc11) => {
    expect(parseNdc(printed)).toEqual({ printed, configuration, ndc11 })
  })

  it.each([
    ['00409-2587-05', '00409258705'],
    ['70860-0600-02', '70860060002'],
    ['60575-4112-01', '60575411201'],
  ])('the 11-digit form %s is taken as printed', (printed, ndc11) => {
    expect(parseNdc(printed)).toEqual({ printed, configuration: '5-4-2', ndc11 })
  })

  it('accepts the 12-digit 6-4-2 form of the 2033 rule, and its interim 6-digit-labeler forms', () => {
    expect(parseNdc('123456-7890-12')).toEqual({ printed: '123456-7890-12', configuration: '6-4-2', ndc11: '123456789012' })
    expect(parseNdc('123456-789-12').configuration).toBe('6-3-2')
    expect(parseNdc('123456-7890-1').configuration).toBe('6-4-1')
  })

  it('keeps the printed form with its hyphens (segment lengths carry information)', () => {
    expect(parseNdc(' 0409-2587-05 ').printed).toBe('0409-2587-05')
  })

  it.each([
    ['00409258705'], // unhyphenated 11 digits: 12345-0678-09 could be 5-3-2 or 5-4-1
    ['0409258705'],
    ['0409 2587 05'],
    ['0409-2587'],
    ['0409-2587-05-1'],
    ['1234-123-12'], // 4-3-2 is no NDC configuration
    ['1234-1234-1'], // 4-4-1 neither
    ['04O9-2587-05'],
    [''],
  ])('refuses %j', (raw) => {
    expect(() => parseNdc(raw)).toThrow(InputError)
    try {
      parseNdc(raw)
    } catch (err) {
      expect((err as InputError).code).toBe('INVALID_NDC')
    }
  })
})
