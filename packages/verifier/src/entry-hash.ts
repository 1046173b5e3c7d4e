// How a csledger entry is hashed (format v1), restated here so that this package can be read and
// run alone: hash = lowercase hex SHA-256( "csledger:entry:v1" || 0x00 || RFC 8785 canonical JSON ).
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'

// canonicalize is CommonJS; its default export is the function itself under Node's ESM interop.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

/** Domain tag hashed before every entry. */
export const ENTRY_HASH_DOMAIN_V1 = 'csledger:entry:v1'
/** prev_hash of entry seq 1. */
export const GENESIS_PREV_HASH = '0'.repeat(64)
/** The entry format this verifier knows. */
export const ENTRY_FORMAT = 1

const PREFIX = Buffer.concat([Buffer.from(ENTRY_HASH_DOMAIN_V1, 'ascii'), Buffer.from([0])])

/**
 * RFC 8785 (JCS) canonical JSON of a value, or undefined when it has no JSON form.
 *
 * @example
 * canonicalJson({ b: 1, a: 'x' }) // '{"a":"x","b":1}'
 */
export function canonicalJson(value: unknown): string | undefined {
  return canonicalize(value)
}

/**
 * The entry hash of canonical entry bytes: lowercase hex SHA-256("csledger:entry:v1" || 0x00 || bytes).
 *
 * @example
 * entryHash('{"format":1,…}') // '3fa2…'
 */
export function entryHash(canonical: string): string {
  return createHash('sha256').update(PREFIX).update(canonical, 'utf8').digest('hex')
}
