import { Decimal } from 'decimal.js'
import { InputError } from '../errors.ts'

/** Units a quantity of drug can be given in. Volumes are mL; masses are mg of labelled base. */
export type Unit = 'mg' | 'mL'

/** An exact amount of drug. `amount` is never a JS float. */
export interface Quantity {
  readonly amount: Decimal
  readonly unit: Unit
}

/** Largest number of decimal places accepted in user input. */
export const MAX_INPUT_DECIMALS = 4
/** Decimal places kept for volumes derived from masses (mg / concentration). */
export const MAX_STORED_DECIMALS = 6

const QTY_RE = /^(\d{1,7})(?:\.(\d{1,12}))?\s*(mg|ml|mL)$/
const DEC_RE = /^(\d{1,7})(?:\.(\d{1,12}))?$/

/**
 * Parses a user-typed quantity such as `35mg` or `0.7mL`. Rejects negatives, zero, exponents
 * (`1e309`, `0.1e1mg`), NaN, thousands separators and units other than those allowed.
 *
 * @example
 * parseQuantity('0.7mL') // { amount: Decimal(0.7), unit: 'mL' }
 */
export function parseQuantity(text: string, options: { allowZero?: boolean; field?: string } = {}): Quantity {
  const field = options.field ?? 'quantity'
  const trimmed = String(text).trim()
  const m = QTY_RE.exec(trimmed)
  if (!m) {
    throw new InputError('INVALID_QUANTITY', `${field} "${clip(trimmed)}" is not a quantity like 35mg or 0.7mL`, {
      hint: 'write a plain decimal number followed by mg or mL, e.g. 25mg or 0.5mL',
    })
  }
  const [, int, frac = '', unitRaw] = m
  if (frac.length > MAX_INPUT_DECIMALS) {
    throw new InputError('TOO_PRECISE', `${field} "${trimmed}" has more than ${MAX_INPUT_DECIMALS} decimal places`, {
      hint: `round to at most ${MAX_INPUT_DECIMALS} decimal places`,
    })
  }
  const amount = decimalOf(frac ? `${int}.${frac}` : String(int))
  if (!options.allowZero && amount.isZero()) {
    throw new InputError('INVALID_QUANTITY', `${field} must be greater than zero`, { hint: 'give a positive amount, e.g. 25mg' })
  }
  return { amount, unit: unitRaw === 'mg' ? 'mg' : 'mL' }
}

// Strings already parsed: an append parses the same few amounts over and over ('0.8', '50', a
// container's remaining volume). Decimal instances are immutable, so one can serve every caller.
const PARSED = new Map<string, Decimal>()
const PARSED_LIMIT = 4096

/**
 * `new Decimal(value)`, reusing the Decimal of a string seen before (the same value: decimal.js
 * does not round on construction, and nothing here changes its configuration). Errors are
 * decimal.js's own.
 *
 * @example
 * decimalOf('0.8').plus(decimalOf('0.4')) // Decimal(1.2)
 */
export function decimalOf(value: string | number | Decimal): Decimal {
  if (typeof value !== 'string') return new Decimal(value)
  let d = PARSED.get(value)
  if (d === undefined) {
    d = new Decimal(value)
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear()
    PARSED.set(value, d)
  }
  return d
}

/** Parses a plain non-negative decimal string (no unit, no exponent). */
export function parseDecimal(text: string, field = 'value'): Decimal {
  const trimmed = String(text).trim()
  const m = DEC_RE.exec(trimmed)
  if (!m) {
    throw new InputError('INVALID_NUMBER', `${field} "${clip(trimmed)}" is not a plain decimal number`, {
      hint: 'write digits with an optional decimal point, e.g. 50 or 0.5',
    })
  }
  return new Decimal(trimmed)
}

/** Parses a positive whole number of containers (`3`), refusing `3.0`, `1e3`, `-1`. */
export function parseCount(text: string, field = 'count', options: { allowZero?: boolean } = {}): number {
  const trimmed = String(text).trim()
  if (!/^\d{1,6}$/.test(trimmed)) {
    throw new InputError('INVALID_COUNT', `${field} "${clip(trimmed)}" is not a whole number`, { hint: 'give a whole number of containers, e.g. 2' })
  }
  const n = Number(trimmed)
  if (n === 0 && !options.allowZero) {
    throw new InputError('INVALID_COUNT', `${field} must be at least 1`, { hint: 'give a whole number of containers, e.g. 2' })
  }
  return n
}

/** The one spelling of a decimal that is stored and hashed: `toFixed()` with trailing zeros removed. */
export function dec(value: Decimal): string {
  if (!value.isFinite()) throw new InputError('INVALID_NUMBER', 'not a finite number')
  const fixed = value.toFixed()
  if (!fixed.includes('.')) return fixed === '-0' ? '0' : fixed
  const trimmed = fixed.replace(/0+$/, '').replace(/\.$/, '')
  return trimmed === '-0' ? '0' : trimmed
}

/** A quantity printed for people: `35 mg`, `0.7 mL`. */
export function fmtQty(amount: Decimal | string, unit: Unit): string {
  return `${dec(new Decimal(amount))} ${unit}`
}

/**
 * Converts a quantity to both mL and mg through a concentration (mg per mL), exactly.
 * A mass that does not divide to at most MAX_STORED_DECIMALS mL is refused rather than rounded.
 *
 * @example
 * toMlAndMg(parseQuantity('0.7mL'), new Decimal(50)) // { ml: 0.7, mg: 35 }
 */
export function toMlAndMg(q: Quantity, concentrationMgPerMl: Decimal): { ml: Decimal; mg: Decimal } {
  if (q.unit === 'mL') return { ml: q.amount, mg: q.amount.times(concentrationMgPerMl) }
  const ml = q.amount.dividedBy(concentrationMgPerMl)
  if (ml.decimalPlaces() > MAX_STORED_DECIMALS) {
    throw new InputError('INEXACT_CONVERSION', `${fmtQty(q.amount, 'mg')} does not convert exactly to mL (at most 6 decimal places) at ${dec(concentrationMgPerMl)} mg/mL`, {
      hint: 'give the amount in mL instead',
    })
  }
  return { ml, mg: q.amount }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}
