import { readFileSync, readdirSync } from 'node:fs'
import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { canonicalJson } from './canonical-json.ts'

// RFC 8785 vectors, kept in the repo (test/vectors/rfc8785, see its README) so the test needs nothing outside it.
const VECTORS = new URL('../../../../test/vectors/rfc8785/', import.meta.url)
const names = readdirSync(new URL('input/', VECTORS)).filter((n) => n.endsWith('.json')).sort()

describe('canonicalJson against the RFC 8785 vectors', () => {
  it('finds the six vector files', () => {
    expect(names).toEqual(['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json'])
  })

  it.each(names)('%s canonicalizes to the output file byte for byte', (name) => {
    const input: unknown = JSON.parse(readFileSync(new URL(`input/${name}`, VECTORS), 'utf8'))
    const expected = readFileSync(new URL(`output/${name}`, VECTORS))
    expect(Buffer.from(canonicalJson(input), 'utf8').equals(expected)).toBe(true)
    expect(canonicalJson(input)).toBe(expected.toString('utf8'))
  })
})

describe('canonicalJson on ledger values', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}')
    expect(canonicalJson({ '\u20ac': 1, '\ud83d\ude02': 2, '\ufb33': 3 })).toBe('{"\u20ac":1,"\ud83d\ude02":2,"\ufb33":3}')
  })

  it('writes a decimal.js value through its string form, never as a float', () => {
    expect(canonicalJson({ amount: new Decimal('0.1').plus('0.2') })).toBe('{"amount":"0.3"}')
  })

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(InputError)
    expect(() => canonicalJson({ n: Number.NaN })).toThrow()
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow()
  })
})
