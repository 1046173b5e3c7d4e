import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/**
 * SHA-256 of a file's bytes (hex), to prove a file was not written.
 *
 * @example
 * const before = fileDigest(file); openFails(file); expect(fileDigest(file)).toBe(before)
 */
export function fileDigest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}
