import { describe, expect, it } from 'vitest'
import { toSafeInteger } from './schema.ts'

describe('toSafeInteger (pg returns int8 and count(*) as strings)', () => {
  it('given an int8 as text or a number, then it is a JavaScript number', () => {
    expect(toSafeInteger('42', 'seq')).toBe(42)
    expect(toSafeInteger(42, 'seq')).toBe(42)
    expect(toSafeInteger('9007199254740991', 'seq')).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('given a value a number cannot hold exactly, or not an integer, then it refuses rather than rounds', () => {
    for (const bad of ['9007199254740993', '1.5', '', 'abc', null, undefined]) {
      expect(() => toSafeInteger(bad, 'seq'), String(bad)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }))
    }
  })
})
