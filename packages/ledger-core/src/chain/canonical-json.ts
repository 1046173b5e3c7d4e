import canonicalizeModule from 'canonicalize'
import { InputError } from '../errors.ts'

// canonicalize is CommonJS; its default export is the function itself under Node's ESM interop.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, no insignificant whitespace, ES number formatting,
 * NaN and Infinity refused. The ledger hashes these bytes.
 *
 * @example
 * canonicalJson({ b: 1, a: 'x' }) // '{"a":"x","b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value)
  if (out === undefined) throw new InputError('NOT_SERIALIZABLE', 'value has no JSON form')
  return out
}
