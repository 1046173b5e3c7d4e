import { InputError } from '../errors.ts'

/** Characters of base32 root printed by default: 16 characters carry 80 bits of the root. */
export const CHECKPOINT_CODE_CHARS = 16
const MIN_CHARS = 8
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** A checkpoint code read back: the size and the base32 prefix of the root. */
export interface CheckpointCode {
  readonly size: number
  /** Uppercase RFC 4648 base32 characters, no separators. */
  readonly rootPrefix: string
}

/**
 * A short code for a checkpoint, to print on a count sheet and compare by eye: the tree size, a
 * space, then the first characters of the root in RFC 4648 base32 (A-Z, 2-7: no 0/O or 1/I to
 * confuse) in groups of four. 16 characters (80 bits) by default: finding another history with the
 * same code takes about 2^80 tries, out of reach; 10 characters would be 2^50, within reach of a
 * determined forger with hardware.
 *
 * @example
 * checkpointCode({ size: 1042, rootHash }) // '1042 MFRG-GZDF-MZTW-Q2LK'
 */
export function checkpointCode(checkpoint: { readonly size: number; readonly rootHash: Uint8Array }, chars: number = CHECKPOINT_CODE_CHARS): string {
  if (!Number.isInteger(chars) || chars < MIN_CHARS || chars > 52) throw new InputError('BAD_CODE_LENGTH', `a checkpoint code has ${MIN_CHARS} to 52 characters of root, got ${chars}`)
  const prefix = base32(checkpoint.rootHash).slice(0, chars)
  return `${checkpoint.size} ${prefix.match(/.{1,4}/g)?.join('-') ?? ''}`
}

/**
 * Reads a code as a person typed it: case, spaces and hyphens do not matter. Throws InputError
 * BAD_CHECKPOINT_CODE when it is not `<size> <base32>` with at least 8 base32 characters.
 */
export function parseCheckpointCode(code: string): CheckpointCode {
  const m = /^\s*(0|[1-9][0-9]*)[\s:/#-]+([A-Za-z2-7][A-Za-z2-7\s-]*)$/.exec(code)
  const rootPrefix = m?.[2]?.replace(/[\s-]/g, '').toUpperCase() ?? ''
  if (!m || rootPrefix.length < MIN_CHARS || !Number.isSafeInteger(Number(m[1]))) {
    throw new InputError('BAD_CHECKPOINT_CODE', `not a checkpoint code: ${JSON.stringify(code)}`, { hint: 'a checkpoint code reads like "1042 MFRG-GZDF-MZTW-Q2LK": the size, then base32 letters and digits 2-7' })
  }
  return { size: Number(m[1]), rootPrefix }
}

/** Whether a code (as typed) matches a checkpoint: same size and the root starts with the code's characters. */
export function matchesCheckpointCode(code: string | CheckpointCode, checkpoint: { readonly size: number; readonly rootHash: Uint8Array }): boolean {
  const c = typeof code === 'string' ? parseCheckpointCode(code) : code
  return c.size === checkpoint.size && base32(checkpoint.rootHash).startsWith(c.rootPrefix)
}

/** RFC 4648 base32, uppercase, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}
