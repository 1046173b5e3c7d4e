/** What a CSV column holds; free text is guarded against formula injection, numbers are not touched. */
export type CsvType = 'text' | 'decimal' | 'integer' | 'time' | 'date' | 'unit'

export interface CsvColumn<T> {
  readonly name: string
  readonly type: CsvType
  readonly value: (row: T) => string | number | boolean | null | undefined
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A cell as written: decimals stay in their exact spelling, booleans are `true`/`false`, null is
 * empty, and a text cell that a spreadsheet would run as a formula gets a leading `'`.
 *
 * @example
 * csvCell('text', '=HYPERLINK("http://x")') // "'=HYPERLINK(\"http://x\")"
 * csvCell('decimal', '-0.9')               // '-0.9'
 */
export function csvCell(type: CsvType, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  const s = typeof value === 'string' ? value : String(value)
  if ((type === 'text' || type === 'unit') && FORMULA_START.test(s)) return `'${s}`
  return s
}
