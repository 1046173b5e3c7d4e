import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { MULTILINE, text } from './common.ts'

describe('free text', () => {
  it.each([['a line feed', 'Acme\nWholesale'], ['a tab', 'Pat\tKim'], ['a line separator', 'Main\u2028safe']])(
    'given a one-line field with %s, then INVALID_TEXT names the field and says one line',
    (_what, value) => {
      let err: unknown
      try { text(value, 'supplier') } catch (e) { err = e }
      expect(err).toBeInstanceOf(InputError)
      expect(err).toMatchObject({ code: 'INVALID_TEXT', message: 'supplier must be one line: it contains a line break or a tab' })
    },
  )

  it('given a reason or a note over several lines, then it is kept as typed (trimmed)', () => {
    expect(text('  vial dropped\nglass in the sharps bin\n', 'reason', 500, MULTILINE)).toBe('vial dropped\nglass in the sharps bin')
    expect(text('a\nb\tc', 'note', 1000, MULTILINE)).toBe('a\nb\tc')
  })

  it('given a reason pasted with Windows line ends (CR LF), then it is kept with LF', () => {
    expect(text('vial dropped\r\nglass in the sharps bin\r\n', 'reason', 500, MULTILINE)).toBe('vial dropped\nglass in the sharps bin')
    expect(() => text('INV-1\r\n2', 'invoice')).toThrow(/control characters/)
  })

  it('given control characters (a carriage return among them), then even a multi-line field refuses them', () => {
    expect(() => text('a\u0007b', 'note', 1000, MULTILINE)).toThrow(/control characters/)
    expect(() => text('a\rb', 'note', 1000, MULTILINE)).toThrow(/control characters/)
    expect(() => text('INV-1\r2', 'invoice')).toThrow(/control characters/)
  })
})
