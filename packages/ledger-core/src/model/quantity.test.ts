import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { MAX_INPUT_DECIMALS, dec, decimalOf, fmtQty, parseCount, parseDecimal, parseQuantity, toMlAndMg } from './quantity.ts'

function refusal(fn: () => unknown): { code: string; name: string } {
  try {
    fn()
  } catch (err) {
    if (err instanceof InputError) return { code: err.code, name: err.name }
    throw err
  }
  throw new Error('expected an InputError, got a value')
}

describe('parseQuantity', () => {
  it.each([
    ['35mg', '35', 'mg'],
    ['0.7mL', '0.7', 'mL'],
    ['0.7ml', '0.7', 'mL'],
    [' 12.5 mg ', '12.5', 'mg'],
    ['0.0001mL', '0.0001', 'mL'],
    ['9999999mg', '9999999', 'mg'],
  ])('reads %j as %s %s', (text, amount, unit) => {
    const q = parseQuantity(text)
    expect({ amount: dec(q.amount), unit: q.unit }).toEqual({ amount, unit })
  })

  it.each([
    ['-5mg', 'INVALID_QUANTITY'],
    ['0mg', 'INVALID_QUANTITY'],
    ['0.0000mL', 'INVALID_QUANTITY'],
    ['NaN', 'INVALID_QUANTITY'],
    ['NaNmg', 'INVALID_QUANTITY'],
    ['Infinitymg', 'INVALID_QUANTITY'],
    ['1e309', 'INVALID_QUANTITY'],
    ['1e309mg', 'INVALID_QUANTITY'],
    ['0.1e1mg', 'INVALID_QUANTITY'],
    ['0x10mg', 'INVALID_QUANTITY'],
    ['1,000mg', 'INVALID_QUANTITY'],
    ['.5mL', 'INVALID_QUANTITY'],
    ['5.mL', 'INVALID_QUANTITY'],
    ['35', 'INVALID_QUANTITY'],
    ['35g', 'INVALID_QUANTITY'],
    ['35mcg', 'INVALID_QUANTITY'],
    ['35 mg/mL', 'INVALID_QUANTITY'],
    ['35ML', 'INVALID_QUANTITY'],
    ['35mg 2mg', 'INVALID_QUANTITY'],
    ['', 'INVALID_QUANTITY'],
    ['0.12345mL', 'TOO_PRECISE'],
    ['35.00001mg', 'TOO_PRECISE'],
  ])('refuses %j with %s', (text, code) => {
    expect(refusal(() => parseQuantity(text))).toEqual({ code, name: 'InputError' })
  })

  it(`accepts exactly ${MAX_INPUT_DECIMALS} decimal places and zero only when asked`, () => {
    expect(dec(parseQuantity('1.2345mL').amount)).toBe('1.2345')
    expect(dec(parseQuantity('0mg', { allowZero: true }).amount)).toBe('0')
  })

  it('names the field in its message', () => {
    expect(() => parseQuantity('lots', { field: 'dose' })).toThrow(/^dose "lots"/)
  })
})

describe('parseDecimal and parseCount', () => {
  it('parseDecimal takes plain decimals only', () => {
    expect(dec(parseDecimal('50'))).toBe('50')
    expect(dec(parseDecimal('0.5'))).toBe('0.5')
    for (const bad of ['-1', '1e3', 'NaN', '5mg', '']) expect(refusal(() => parseDecimal(bad)).code).toBe('INVALID_NUMBER')
  })

  it('parseCount takes whole containers only', () => {
    expect(parseCount('3')).toBe(3)
    expect(parseCount('0', 'count', { allowZero: true })).toBe(0)
    for (const bad of ['0', '3.0', '1e3', '-1', '1000000', 'two']) expect(refusal(() => parseCount(bad)).code).toBe('INVALID_COUNT')
  })
})

describe('dec: the one stored spelling of a decimal', () => {
  it.each([
    ['1e-7', '0.0000001'],
    ['0.0000001', '0.0000001'],
    ['1e21', '1000000000000000000000'],
    ['35.000', '35'],
    ['0.70', '0.7'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['100', '100'],
  ])('spells %s as %s', (input, spelled) => {
    expect(dec(new Decimal(input))).toBe(spelled)
  })

  it('refuses NaN and infinities', () => {
    expect(refusal(() => dec(new Decimal(NaN))).code).toBe('INVALID_NUMBER')
    expect(refusal(() => dec(new Decimal(Infinity))).code).toBe('INVALID_NUMBER')
  })

  it('fmtQty prints for people', () => {
    expect(fmtQty('35.50', 'mg')).toBe('35.5 mg')
    expect(fmtQty(new Decimal('0.70'), 'mL')).toBe('0.7 mL')
  })
})

describe('toMlAndMg: mg and mL through the concentration, exactly', () => {
  const at = (text: string, conc: string) => {
    const { ml, mg } = toMlAndMg(parseQuantity(text), new Decimal(conc))
    return { ml: dec(ml), mg: dec(mg) }
  }

  it('0.7 mL of 50 mg/mL is exactly 35 mg, and back', () => {
    expect(at('0.7mL', '50')).toEqual({ ml: '0.7', mg: '35' })
    expect(at('35mg', '50')).toEqual({ ml: '0.7', mg: '35' })
    expect(at('0.7mL', '3')).toEqual({ ml: '0.7', mg: '2.1' })
    expect(0.7 * 3).not.toBe(2.1) // what a float would have stored: 2.0999999999999996
  })

  it.each([
    ['0.1mL', '50', '0.1', '5'],
    ['0.3mL', '1', '0.3', '0.3'],
    ['2.5mg', '1', '2.5', '2.5'],
    ['1mg', '3', null, null],
    ['0.0001mg', '100', '0.000001', '0.0001'],
    ['0.0001mg', '1000', null, null],
    ['12.5mg', '50', '0.25', '12.5'],
    ['0.0003mL', '0.0007', '0.0003', '0.00000021'],
  ])('%s at %s mg/mL is %s mL = %s mg', (text, conc, ml, mg) => {
    if (ml === null) {
      expect(refusal(() => at(text, conc)).code).toBe('INEXACT_CONVERSION')
    } else {
      expect(at(text, conc)).toEqual({ ml, mg })
    }
  })

  it('whenever a mass converts, the volume times the concentration is the mass again', () => {
    for (const conc of ['1', '5', '10', '50', '100', '2.5', '0.5']) {
      for (let hundredths = 1; hundredths <= 2000; hundredths += 7) {
        const mg = new Decimal(hundredths).dividedBy(100)
        try {
          const { ml, mg: back } = toMlAndMg({ amount: mg, unit: 'mg' }, new Decimal(conc))
          expect(dec(ml.times(conc))).toBe(dec(mg))
          expect(dec(back)).toBe(dec(mg))
        } catch (err) {
          expect((err as InputError).code).toBe('INEXACT_CONVERSION')
        }
      }
    }
  })
})

describe('decimalOf', () => {
  it('given strings, numbers and Decimals, then it gives what new Decimal gives, for the same string every time', () => {
    for (const v of ['0', '0.8', '10', '9.2', '0.000001', '1e-7', '-0', '123456789.123456789', 7, 0.5, new Decimal('2.50')]) {
      expect(decimalOf(v).equals(new Decimal(v)), String(v)).toBe(true)
      expect(decimalOf(v).toString()).toBe(new Decimal(v).toString())
    }
    expect(decimalOf('0.8')).toBe(decimalOf('0.8'))
  })

  it('given what decimal.js refuses, then the same error, every time (a refusal is not remembered)', () => {
    for (const v of ['abc', '', '1.2.3', undefined as unknown as string, null as unknown as string]) {
      const expected = (() => { try { return new Decimal(v).toString() } catch (e) { return (e as Error).message } })()
      expect(() => decimalOf(v)).toThrow(expected)
      expect(() => decimalOf(v)).toThrow(expected)
    }
  })

  it('given more distinct strings than it keeps, then every answer is still right', () => {
    for (let i = 0; i < 10_000; i++) expect(decimalOf(`${i}.5`).toString()).toBe(`${i}.5`)
    expect(decimalOf('0.5').toString()).toBe('0.5')
  })
})
