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

// The reference: the canonicalize package (erdtman), which canonicalJson falls back to for anything
// but plain JSON data. Its fast path must give the same bytes, and the same refusals.
import canonicalizeModule from 'canonicalize'
const reference = canonicalizeModule as unknown as (input: unknown) => string | undefined

function outcome(f: () => string | undefined): { text: string | undefined } | { error: string } {
  try {
    return { text: f() }
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` }
  }
}

/** Same bytes as the reference, or the same refusal (canonicalJson adds NOT_SERIALIZABLE for "no JSON form"). */
function expectSameAsReference(value: unknown): void {
  const ref = outcome(() => reference(value))
  const mine = outcome(() => canonicalJson(value))
  if ('text' in ref && ref.text === undefined) expect(mine).toEqual({ error: 'InputError: value has no JSON form' })
  else expect(mine).toEqual(ref)
}

/** A small seeded generator (mulberry32): JSON data with keys in any order, plus the odd values JavaScript allows. */
function generator(seed: number) {
  let a = seed >>> 0
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const KEYS = ['a', 'b', 'z', 'A', 'kind', 'seq', 'data', '', ' ', '0', '1', '10', '9', '01', '-1', '1.5', '4294967295', '__proto__', 'toJSON', 'constructor', 'é', '\u20ac', '\ud83d\ude02', '\ufb33', '\u0000', 'a"b', 'a\\b']
  const ODD: readonly unknown[] = [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, () => 1, Symbol('s'), new Date(0), new Decimal('1.50'), new Map(), { toJSON: () => 'x' }]
  const STRINGS = ['', 'x', 'a"b\\c', '\u0000\u001f\u007f', '\ud800', 'é\u0301', '\ud83d\ude02', '2026-11-26T14:05:00.000Z']
  const NUMBERS = [0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 123.456, -0.5]
  const value = (depth: number, odd: boolean): unknown => {
    const r = rand()
    if (odd && r < 0.06) return pick(ODD)
    if (depth <= 0 || r < 0.45) return pick<unknown>([pick(STRINGS), pick(NUMBERS), true, false, null])
    if (r < 0.65) {
      const arr = Array.from({ length: Math.floor(rand() * 4) }, () => value(depth - 1, odd))
      if (odd && rand() < 0.05) arr.length += 2 // holes
      return arr
    }
    const o: Record<string, unknown> = odd && rand() < 0.1 ? Object.create(null) : {}
    for (let i = Math.floor(rand() * 6); i > 0; i--) {
      const k = pick(KEYS)
      if (k === '__proto__') Object.defineProperty(o, k, { value: value(depth - 1, odd), enumerable: true, writable: true, configurable: true })
      else o[k] = value(depth - 1, odd)
    }
    return o
  }
  return value
}

describe('canonicalJson gives the bytes of the canonicalize package', () => {
  it('on 5000 generated JSON values with keys in any order', () => {
    const value = generator(20261126)
    for (let i = 0; i < 5000; i++) expectSameAsReference(value(4, false))
  })

  it('on 5000 generated values with undefined, NaN, functions, symbols, toJSON, holes and null prototypes mixed in', () => {
    const value = generator(8785)
    for (let i = 0; i < 5000; i++) expectSameAsReference(value(4, true))
  })

  it('on the cases the fast path must hand over: integer-like keys out of order, __proto__, toJSON, class instances', () => {
    const withProtoKey = JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}') as unknown
    const cases: unknown[] = [
      { b: 1, 10: 'x', 9: 'y', ' ': 2 }, { 10: 'x', 9: 'y' }, withProtoKey, { a: withProtoKey }, { a: { toJSON: () => ({ b: 2, a: 1 }) } },
      new Date(0), [new Date(0)], new Decimal('0.30'), new (class { b = 1; a = 2 })(), [1, , 3], [undefined], { a: undefined, b: Symbol('x') },
      { a: () => 1 }, [() => 1], 1n, { a: -0 }, { a: Number.NaN }, [Number.POSITIVE_INFINITY], new String('ab'), Object.assign(Object.create(null), { b: 1, a: 2 }),
    ]
    for (const c of cases) expectSameAsReference(c)
  })

  it('returns unsorted ledger data as sorted bytes without touching the value', () => {
    const entry = { kind: 'administration', seq: 7, data: { lot: 'K1', container: 'C-0001', given_ml: '0.8' }, actor: 'nurse' }
    const before = JSON.stringify(entry)
    expect(canonicalJson(entry)).toBe('{"actor":"nurse","data":{"container":"C-0001","given_ml":"0.8","lot":"K1"},"kind":"administration","seq":7}')
    expect(JSON.stringify(entry)).toBe(before)
  })
})
