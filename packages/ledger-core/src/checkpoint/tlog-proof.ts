import { InputError } from '../errors.ts'
import { decodeStrictBase64 } from './strict-base64.ts'

/** First line of every C2SP tlog-proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'

/**
 * A C2SP tlog-proof (https://c2sp.org/tlog-proof): an offline proof that one entry is in a signed
 * checkpoint. For csledger: entry seq = index + 1, leaf = hashLeaf(its entry hash).
 */
export interface TlogProof {
  /** Unauthenticated extra data (never trusted). */
  readonly extra?: Uint8Array
  /** 0-based leaf index (entry seq - 1). */
  readonly index: number
  /** RFC 6962 inclusion proof, from the leaf's sibling up to the root's child. */
  readonly proof: readonly Uint8Array[]
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string
}

/**
 * Writes a tlog-proof file: header, optional `extra`, `index N`, one base64 hash per line, a blank
 * line, then the signed checkpoint.
 *
 * @example
 * formatTlogProof({ index: 1041, proof: inclusionProof(1041, size, leaves), checkpoint: signedNote })
 */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new InputError('MALFORMED_PROOF', `a proof index is a non-negative integer, got ${String(p.index)}`)
  if (p.proof.some((h) => h.length !== 32)) throw new InputError('MALFORMED_PROOF', 'proof hashes are 32 bytes')
  const lines = [TLOG_PROOF_HEADER]
  if (p.extra !== undefined) lines.push(`extra ${Buffer.from(p.extra).toString('base64')}`)
  lines.push(`index ${p.index}`, ...p.proof.map((h) => Buffer.from(h).toString('base64')))
  return `${lines.join('\n')}\n\n${p.checkpoint}`
}

/** Reads a tlog-proof file (the checkpoint is returned verbatim, not verified). Throws InputError MALFORMED_PROOF. */
export function parseTlogProof(text: string): TlogProof {
  const split = text.indexOf('\n\n')
  if (split < 0) bad('no blank line before the checkpoint')
  const head = text.slice(0, split).split('\n')
  const checkpoint = text.slice(split + 2)
  if (head.shift() !== TLOG_PROOF_HEADER) bad(`the first line is not ${TLOG_PROOF_HEADER}`)
  let extra: Uint8Array | undefined
  if (head[0]?.startsWith('extra ')) {
    extra = decodeStrictBase64((head.shift() as string).slice(6))
    if (extra === undefined) bad('the extra line is not base64')
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(head.shift() ?? '')
  if (!m || !Number.isSafeInteger(Number(m[1]))) bad('no "index N" line')
  const proof = head.map((line, i) => {
    const h = decodeStrictBase64(line)
    if (h === undefined || h.length !== 32) bad(`proof line ${i + 1} is not the base64 of a 32-byte hash`)
    return h
  })
  return { ...(extra === undefined ? {} : { extra }), index: Number(m[1]), proof, checkpoint }
}

function bad(why: string): never {
  throw new InputError('MALFORMED_PROOF', `malformed tlog-proof: ${why}`)
}
