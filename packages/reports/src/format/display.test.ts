import { describe, expect, it } from 'vitest'
import { grouped, signed } from './display.ts'

describe('display', () => {
  it('given decimals, when grouped, then thousands are separated and decimals kept exactly', () => {
    expect(['0', '1950', '152350.25', '-1000000', '0.125'].map(grouped)).toEqual(['0', '1,950', '152,350.25', '-1,000,000', '0.125'])
  })
  it('given movements, when signed, then gains carry a plus and zero none', () => {
    expect(['20', '-0.2', '0', '1000'].map(signed)).toEqual(['+20', '-0.2', '0', '+1,000'])
  })
})
