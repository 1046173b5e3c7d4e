import { InputError } from '../errors.ts'
import { decodeStrictBase64 } from './strict-base64.ts'

/**
 * A tlog-checkpoint (C2SP): the ledger's Merkle tree head at a size, the statement that gets
 * signed. The body is the origin line, the tree size in decimal, the base64 root hash, then
 * optional extension lines, each ending in a newline.
 */
export interface Checkpoint {
  /** Identifies the log (see checkpointOrigin), e.g. `csledger.invalid/<ledger_id>`. */
  readonly origin: string
  /** Number of entries covered: entries seq 1..size. */
  readonly size: number
  /** RFC 6962 Merkle root over the entry hashes of seq 1..size (32 bytes). */
  readonly rootHash: Uint8Array
  /** Extension lines, non-empty each (not recommended by C2SP; csledger writes none). */
  readonly extensions?: readonly string[]
}

const SIZE = /^(?:0|[1-9][0-9]*)$/

/**
 * The checkpoint note body: `<origin>\n<size>\n<base64 root>\n` plus any extension lines.
 *
 * @example
 * formatCheckpoint({ origin: 'csledger.invalid/3f2a…', size: 1042, rootHash: frontier.root() })
 */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin === '' || /[\n\r]/.test(cp.origin)) throw new InputError('MALFORMED_CHECKPOINT', 'a checkpoint origin is one non-empty line')
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new InputError('MALFORMED_CHECKPOINT', `a checkpoint size is a non-negative integer, got ${String(cp.size)}`)
  if (cp.rootHash.length !== 32) throw new InputError('MALFORMED_CHECKPOINT', `a checkpoint root is 32 bytes, got ${cp.rootHash.length}`)
  for (const ext of cp.extensions ?? []) {
    if (ext === '' || /[\n\r]/.test(ext)) throw new InputError('MALFORMED_CHECKPOINT', 'extension lines are single non-empty lines')
  }
  const lines = [cp.origin, String(cp.size), Buffer.from(cp.rootHash).toString('base64'), ...(cp.extensions ?? [])]
  return `${lines.join('\n')}\n`
}

/**
 * Parses a checkpoint note body (the text of a signed note, not the signatures). Strict: size in
 * decimal without leading zeroes and within 2^53, root in strict base64 of exactly 32 bytes,
 * extension lines non-empty. Throws InputError MALFORMED_CHECKPOINT saying what is wrong.
 *
 * @example
 * const cp = parseCheckpoint(openNote(note, verifiers).text)
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) bad('the body does not end with a newline')
  const lines = text.slice(0, -1).split('\n')
  const [origin, size, root, ...extensions] = lines
  if (origin === undefined || size === undefined || root === undefined) bad('it needs an origin, a size and a root hash line')
  if (origin === '') bad('the origin line is empty')
  if (!SIZE.test(size) || !Number.isSafeInteger(Number(size))) bad(`the size line ${JSON.stringify(size)} is not a decimal tree size`)
  const rootHash = decodeStrictBase64(root)
  if (rootHash === undefined) bad('the root hash line is not base64')
  if (rootHash.length !== 32) bad(`the root hash is ${rootHash.length} bytes; a SHA-256 root is 32`)
  if (extensions.some((e) => e === '')) bad('an extension line is empty')
  return { origin, size: Number(size), rootHash, extensions }
}

function bad(why: string): never {
  throw new InputError('MALFORMED_CHECKPOINT', `malformed checkpoint: ${why}`, { hint: 'a checkpoint body is <origin>, <tree size>, <base64 root hash>, one per line' })
}
