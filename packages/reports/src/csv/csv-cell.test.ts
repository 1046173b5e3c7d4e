import { describe, expect, it } from 'vitest'
import { csvCell } from './csv-cell.ts'

describe('csvCell', () => {
  it('given free text a spreadsheet would run, when written, then it is prefixed with a quote', () => {
    expect(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx'].map((v) => csvCell('text', v))).toEqual(["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx"])
  })

  it('given numbers, times and ordinary text, when written, then they are left exactly as they are', () => {
    expect([csvCell('decimal', '-0.9'), csvCell('integer', 12), csvCell('time', '2027-03-01T13:00:00.000Z'), csvCell('text', 'a = b'), csvCell('text', true), csvCell('decimal', null)])
      .toEqual(['-0.9', '12', '2027-03-01T13:00:00.000Z', 'a = b', 'true', ''])
  })
})
