/** What a DEA registration number check found. Warnings need an explicit override; errors do not pass. */
export interface DeaCheck {
  readonly value: string
  readonly ok: boolean
  readonly errors: readonly string[]
  readonly warnings: readonly string[]
}

const DEA_RE = /^([A-Z])([A-Z9])(\d{7})(-[A-Z0-9]{1,10})?$/
const PRACTITIONER_LETTERS = 'ABFGMPRX'

/**
 * Checks a DEA registration number: two letters, seven digits, optional `-suffix`; the seventh
 * digit must equal (d1+d3+d5 + 2*(d2+d4+d6)) mod 10. A bad check digit is a *warning* (DEA has
 * issued valid numbers that fail it), and so is an unusual first letter.
 *
 * @example
 * checkDeaNumber('AB1234563') // { ok: true, warnings: [] }
 * checkDeaNumber('FS3456782') // { ok: true, warnings: ['check digit is 2 but the formula gives 1'] }
 */
export function checkDeaNumber(raw: string): DeaCheck {
  const value = String(raw).trim().toUpperCase()
  const m = DEA_RE.exec(value)
  if (!m) {
    return { value, ok: false, errors: ['a DEA number is 2 letters and 7 digits, e.g. AB1234563'], warnings: [] }
  }
  const [, first = '', , digits = ''] = m
  const d = [...digits].map(Number)
  const sum = (d[0]! + d[2]! + d[4]!) + 2 * (d[1]! + d[3]! + d[5]!)
  const warnings: string[] = []
  if (sum % 10 !== d[6]) warnings.push(`check digit is ${d[6]} but the formula gives ${sum % 10}`)
  if (!PRACTITIONER_LETTERS.includes(first)) warnings.push(`first letter ${first} is unusual for a registrant`)
  return { value, ok: true, errors: [], warnings }
}
