import { hash } from 'node:crypto'
import type { Entry } from '../model/entry.ts'
import { canonicalJson } from './canonical-json.ts'

/** prev_hash of the first entry (seq 1): 64 zeros, not NULL, so a second genesis cannot be stored. */
export const GENESIS_PREV_HASH = '0'.repeat(64)
/** Domain tag hashed before every entry, so an entry hash can never be mistaken for another hash. */
export const ENTRY_HASH_DOMAIN_V1 = 'csledger:entry:v1'
/** The entry format version this library writes. */
export const ENTRY_FORMAT = 1

// The tag and its 0x00 as text: ASCII, so UTF-8(prefix + canonical) is tag ‖ 0x00 ‖ UTF-8(canonical).
const DOMAIN_PREFIX = `${ENTRY_HASH_DOMAIN_V1}\u0000`

/**
 * hash = lowercase hex SHA-256( "csledger:entry:v1" ‖ 0x00 ‖ UTF-8(canonical JSON of the entry) ).
 *
 * @example
 * const { canonical, hash } = hashEntry(entry)
 */
export function hashEntry(entry: Entry): { canonical: string; hash: string } {
  const canonical = canonicalJson(entry)
  return { canonical, hash: hashCanonical(canonical) }
}

/** Hash of canonical entry bytes already in hand (verification, export checks). */
export function hashCanonical(canonical: string): string {
  // One-shot crypto.hash: about half the cost of createHash().update().digest() for an entry.
  return hash('sha256', DOMAIN_PREFIX + canonical, 'hex')
}
