import canonicalizeModule from 'canonicalize'
import { InputError } from '../errors.ts'

// canonicalize is CommonJS; its default export is the function itself under Node's ESM interop.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, no insignificant whitespace, ES number formatting,
 * NaN and Infinity refused. The ledger hashes these bytes.
 *
 * Two paths, one output. Plain JSON data (what entries and projections are) goes through the
 * engine's own `JSON.stringify` on a copy whose keys are in canonical order: for such data its
 * output is RFC 8785 byte for byte (strings and numbers are the same ES serialisations the
 * `canonicalize` package uses). Anything else (toJSON, NaN, sparse arrays, functions, class
 * instances, integer-like keys out of order) goes to the `canonicalize` package, which defines the
 * behaviour; canonical-json.test.ts compares the two on generated values.
 *
 * @example
 * canonicalJson({ b: 1, a: 'x' }) // '{"a":"x","b":1}'
 */
export function canonicalJson(value: unknown): string {
  const ordered = inCanonicalOrder(value)
  const out = ordered === NOT_PLAIN ? canonicalize(value) : JSON.stringify(ordered)
  if (out === undefined) throw new InputError('NOT_SERIALIZABLE', 'value has no JSON form')
  return out
}

const NOT_PLAIN = Symbol('not plain JSON data')
/** Keys an object enumerates before all others, in numeric order (ES OrdinaryOwnPropertyKeys). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

/**
 * `value` itself when `JSON.stringify(value)` is already its canonical form; else a copy whose
 * objects enumerate their keys in canonical order (UTF-16 code units); NOT_PLAIN when the value
 * holds anything `JSON.stringify` and RFC 8785 (as `canonicalize` implements it) might treat
 * differently.
 */
function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN
    case 'object': {
      if (value === null) return value
      if ((value as { toJSON?: unknown }).toJSON !== undefined) return NOT_PLAIN
      const proto = Object.getPrototypeOf(value) as unknown
      if (proto === Array.prototype) return arrayInOrder(value as readonly unknown[])
      if (proto === Object.prototype || proto === null) return objectInOrder(value as Readonly<Record<string, unknown>>)
      return NOT_PLAIN
    }
    default:
      return NOT_PLAIN
  }
}

function arrayInOrder(a: readonly unknown[]): unknown {
  let copy: unknown[] | undefined
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    if (x === undefined) return NOT_PLAIN // a hole, too
    const y = inCanonicalOrder(x)
    if (y === NOT_PLAIN) return NOT_PLAIN
    if (y !== x && copy === undefined) copy = a.slice(0, i)
    if (copy !== undefined) copy.push(y)
  }
  return copy ?? a
}

function objectInOrder(o: Readonly<Record<string, unknown>>): unknown {
  const keys = Object.keys(o)
  const n = keys.length
  let sorted = true
  for (let i = 1; i < n; i++) {
    if (keys[i - 1]! > keys[i]!) {
      sorted = false
      break
    }
  }
  // values[i]: what key i is written with (undefined: left out, as JSON.stringify and canonicalize do).
  let values: unknown[] | undefined
  for (let i = 0; i < n; i++) {
    const x = o[keys[i]!]
    switch (typeof x) {
      case 'string': case 'boolean': case 'undefined': case 'symbol':
        continue
      case 'number':
        if (!Number.isFinite(x)) return NOT_PLAIN
        continue
      default: {
        const y = inCanonicalOrder(x)
        if (y === NOT_PLAIN) return NOT_PLAIN
        if (y !== x) (values ??= new Array<unknown>(n))[i] = y
      }
    }
  }
  if (sorted && values === undefined) return o
  // In a copy, __proto__ would set the prototype instead of making a key; and an integer-like key
  // enumerates before all others whatever the insertion order (harmless if the keys were in order).
  for (let i = 0; i < n; i++) if (keys[i] === '__proto__' || (!sorted && ARRAY_INDEX.test(keys[i]!))) return NOT_PLAIN
  // Key positions in canonical order: an insertion sort, quick for the dozen keys of an entry.
  const order: number[] = new Array(n)
  for (let i = 0; i < n; i++) {
    let j = i
    const k = keys[i]!
    while (j > 0 && keys[order[j - 1]!]! > k) {
      order[j] = order[j - 1]!
      j--
    }
    order[j] = i
  }
  const out: Record<string, unknown> = {}
  for (let j = 0; j < n; j++) {
    const i = order[j]!
    const y = values?.[i]
    if (y !== undefined) {
      out[keys[i]!] = y
      continue
    }
    const x = o[keys[i]!]
    if (x !== undefined && typeof x !== 'symbol') out[keys[i]!] = x
  }
  return out
}
