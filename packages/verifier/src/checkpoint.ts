// C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint): origin line, tree size in decimal,
// base64 root hash, optional non-empty extension lines. csledger origins are
// "<authority>/<ledger_id>" (default authority csledger.invalid). Plus the short code printed on
// count sheets: "<size> " then the first characters of the root in RFC 4648 base32.
import { strictBase64 } from './signed-note.ts'

export interface Checkpoint {
  readonly origin: string
  readonly size: number
  readonly root: Buffer
  /** When it was signed: csledger's `time <ISO-8601>` extension line (docs/signatures.md §3), if present. */
  readonly time: string | null
}

/** Parses a checkpoint body; returns the reason when it is malformed. */
export function parseCheckpoint(text: string): Checkpoint | string {
  if (!text.endsWith('\n')) return 'the body does not end with a newline'
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n')
  if (origin === undefined || size === undefined || root === undefined) return 'it needs an origin, a size and a root hash line'
  if (origin === '') return 'the origin line is empty'
  if (!/^(?:0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return `the size ${JSON.stringify(size)} is not a decimal tree size`
  const hash = strictBase64(root)
  if (hash === undefined || hash.length !== 32) return 'the root hash is not the base64 of 32 bytes'
  if (extensions.some((e) => e === '')) return 'an extension line is empty'
  const time = extensions.find((e) => e.startsWith('time '))?.slice(5) ?? null
  return { origin, size: Number(size), root: hash, time }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32, uppercase, no padding. */
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

/** The printed code of a checkpoint: "1042 MFRG-GZDF-MZTW-Q2LK" (16 base32 characters of the root). */
export function checkpointCode(size: number, root: Uint8Array): string {
  return `${size} ${(base32(root).slice(0, 16).match(/.{1,4}/g) ?? []).join('-')}`
}

/** Reads a code as typed (case, spaces and hyphens ignored); returns undefined when it is not one. */
export function parseCheckpointCode(code: string): { size: number; rootPrefix: string } | undefined {
  const m = /^\s*(0|[1-9][0-9]*)[\s:/#-]+([A-Za-z2-7][A-Za-z2-7\s-]*)$/.exec(code)
  const rootPrefix = m?.[2]?.replace(/[\s-]/g, '').toUpperCase() ?? ''
  if (!m || rootPrefix.length < 8 || !Number.isSafeInteger(Number(m[1]))) return undefined
  return { size: Number(m[1]), rootPrefix }
}

/** The ledger_id an origin names: its last path segment. */
export function ledgerIdOfOrigin(origin: string): string | undefined {
  const at = origin.lastIndexOf('/')
  return at > 0 && at < origin.length - 1 ? origin.slice(at + 1) : undefined
}
