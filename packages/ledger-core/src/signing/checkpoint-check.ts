import type { Finding } from '../chain/finding.ts'
import { parseCheckpoint, type Checkpoint } from '../checkpoint/checkpoint.ts'
import { checkpointCode } from '../checkpoint/checkpoint-code.ts'
import { ledgerIdOfOrigin } from '../checkpoint/checkpoint-origin.ts'
import { hex8 } from '../checkpoint/note-key.ts'
import { parseNote, verifyNote, type ParsedNote } from '../checkpoint/signed-note.ts'
import { InputError } from '../errors.ts'
import { consistencyProof, verifyConsistency } from '../merkle/consistency-proof.ts'
import type { LeafHashSource } from '../merkle/leaf-hash-source.ts'
import type { KeyDirectory } from './key-directory.ts'

/** The extension line csledger signs into each checkpoint: `time <ISO-8601 UTC>`, when it was signed. */
export const CHECKPOINT_TIME_PREFIX = 'time '

/** The signed time of a checkpoint (its `time` extension line), if it has one. */
export function checkpointTime(cp: Checkpoint): string | undefined {
  return cp.extensions?.find((e) => e.startsWith(CHECKPOINT_TIME_PREFIX))?.slice(CHECKPOINT_TIME_PREFIX.length)
}

/** What became of one checkpoint checked against the ledger. */
export interface CheckpointVerdict {
  /** Where it came from: a file name, or `stored checkpoint N`. */
  readonly label: string
  /** Kept in the ledger's store, or given to verify (a file handed out earlier). */
  readonly source: 'stored' | 'given'
  readonly origin: string | null
  readonly size: number | null
  /** The signed root, base64. */
  readonly root: string | null
  readonly code: string | null
  /** When it was signed, as its `time` extension line says (null when it has none). */
  readonly time: string | null
  /** Users whose keys signed it (verified). */
  readonly signed_by: readonly string[]
  /** Signature lines by keys this ledger does not record (`<name>+<key ID>`). */
  readonly unknown_signers: readonly string[]
  /**
   * ok: signed by a key of this ledger and the ledger still extends it.
   * malformed | other-ledger | bad-signature | unknown-signer: the note itself fails.
   * truncated: it covers more entries than the ledger holds. root-mismatch: entries 1..size changed.
   */
  readonly status: 'ok' | 'malformed' | 'other-ledger' | 'bad-signature' | 'unknown-signer' | 'truncated' | 'root-mismatch'
  /** The RFC 9162 consistency proof from this checkpoint to the ledger's head, when asked for and it holds. */
  readonly consistency?: { readonly size1: number; readonly size2: number; readonly root2: string; readonly proof: readonly string[] }
}

/** What a checkpoint is checked against: the ledger as verify read it. */
export interface CheckpointContext {
  readonly label: string
  readonly source?: 'stored' | 'given'
  readonly ledgerId: string | null
  readonly directory: KeyDirectory
  /** Entries in the ledger. */
  readonly size: number
  /** Merkle roots at the sizes of the checkpoints (computed while streaming the entries). */
  readonly roots: ReadonlyMap<number, Uint8Array>
  /** All leaf hashes, to prove consistency with the head (only for checkpoints given from outside). */
  readonly leaves?: LeafHashSource
}

/** The body of a signed checkpoint, read without checking signatures (the sizes verify must compute roots at). */
export function peekCheckpoint(note: string): Checkpoint | undefined {
  try {
    return parseCheckpoint(parseNote(note).text)
  } catch (err) {
    if (err instanceof InputError) return undefined
    throw err
  }
}

/**
 * Checks a signed checkpoint against the ledger: well-formed, of this ledger (its origin ends in
 * the ledger_id), signed by at least one key the chain records (a PIC's under the origin, anyone's
 * under `<origin>/<username>`), every such signature valid, and the Merkle root of entries 1..size
 * equal to the signed root. A checkpoint given out before a rewrite fails the last check: that is
 * what catches truncation and wholesale rewriting with recomputed hashes.
 *
 * @example
 * const { verdict, findings } = checkCheckpoint(noteText, { label: 'count-2026-11-26.txt', ledgerId, directory, size, roots })
 */
export function checkCheckpoint(note: string, ctx: CheckpointContext): { verdict: CheckpointVerdict; findings: Finding[] } {
  const findings: Finding[] = []
  const base = { label: ctx.label, source: ctx.source ?? 'given', origin: null, size: null, root: null, code: null, time: null, signed_by: [], unknown_signers: [] }
  let parsed: ParsedNote
  let cp: Checkpoint
  try {
    parsed = parseNote(note)
    cp = parseCheckpoint(parsed.text)
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    findings.push({ code: 'CHECKPOINT_MALFORMED', seq: null, message: `${ctx.label} is not a signed checkpoint: ${err.message}` })
    return { verdict: { ...base, status: 'malformed' }, findings }
  }
  const summary = { ...base, origin: cp.origin, size: cp.size, root: Buffer.from(cp.rootHash).toString('base64'), code: checkpointCode(cp), time: checkpointTime(cp) ?? null }
  const id = ledgerIdOfOrigin(cp.origin)
  if (ctx.ledgerId !== null && id !== ctx.ledgerId) {
    findings.push({ code: 'CHECKPOINT_OTHER_LEDGER', seq: null, message: `${ctx.label} is a checkpoint of ${JSON.stringify(cp.origin)}, not of this ledger (${ctx.ledgerId})`, expected: ctx.ledgerId, found: cp.origin })
    return { verdict: { ...summary, status: 'other-ledger' }, findings }
  }
  const keys = ctx.directory.noteKeys(cp.origin)
  const v = verifyNote(note, { verifiers: keys.map((k) => k.verifier) })
  const signedBy = [...new Set(v.verified.map((s) => keys.find((k) => k.verifier.name === s.name && k.verifier.keyId === s.keyId)?.username ?? s.name))]
  const unknown = v.unverified.map((s) => `${s.name}+${hex8(s.keyId)}`)
  const signed = { ...summary, signed_by: signedBy, unknown_signers: unknown }
  const bad = v.problems.find((p) => p.code === 'BAD_SIGNATURE' || p.code === 'AMBIGUOUS_KEY')
  if (bad) {
    findings.push({ code: 'CHECKPOINT_BAD_SIGNATURE', seq: null, message: `${ctx.label}: ${bad.message}` })
    return { verdict: { ...signed, status: 'bad-signature' }, findings }
  }
  if (v.verified.length === 0) {
    findings.push({
      code: 'CHECKPOINT_UNKNOWN_SIGNER', seq: null,
      message: `${ctx.label} (${summary.code}) is signed by ${unknown.length ? unknown.join(', ') : 'no one'}, a key this ledger does not record: the ledger's keys were replaced since it was signed, or it is not this ledger's checkpoint`,
    })
    return { verdict: { ...signed, status: 'unknown-signer' }, findings }
  }
  if (cp.size > ctx.size) {
    findings.push({
      code: 'CHECKPOINT_TRUNCATED', seq: ctx.size + 1,
      message: `${ctx.label} (${summary.code}, signed by ${signedBy.join(', ')}) covers ${cp.size} entries but the ledger holds ${ctx.size}: ${ctx.size + 1 === cp.size ? `entry ${cp.size} was` : `entries ${ctx.size + 1}-${cp.size} were`} removed (truncated)`,
      expected: String(cp.size), found: String(ctx.size),
    })
    return { verdict: { ...signed, status: 'truncated' }, findings }
  }
  const root = ctx.roots.get(cp.size)
  if (!root) throw new Error(`no root computed at size ${cp.size}`)
  if (!Buffer.from(root).equals(Buffer.from(cp.rootHash))) {
    findings.push({
      code: 'CHECKPOINT_MISMATCH', seq: null,
      message: `entries 1-${cp.size} no longer hash to the root signed in ${ctx.label} (${summary.code}, signed by ${signedBy.join(', ')}): history up to seq ${cp.size} was rewritten after it was signed`,
      expected: Buffer.from(cp.rootHash).toString('base64'), found: Buffer.from(root).toString('base64'),
    })
    return { verdict: { ...signed, status: 'root-mismatch' }, findings }
  }
  if (ctx.leaves) {
    const root2 = ctx.roots.get(ctx.size)
    if (!root2) throw new Error(`no root computed at size ${ctx.size}`)
    const proof = consistencyProof(cp.size, ctx.size, ctx.leaves)
    const ok = verifyConsistency({ size1: cp.size, size2: ctx.size, root1: cp.rootHash, root2, proof })
    if (!ok.ok) {
      findings.push({ code: 'CHECKPOINT_INCONSISTENT', seq: null, message: `${ctx.label}: the consistency proof to the head does not verify (${ok.reason})` })
      return { verdict: { ...signed, status: 'root-mismatch' }, findings }
    }
    return { verdict: { ...signed, status: 'ok', consistency: { size1: cp.size, size2: ctx.size, root2: Buffer.from(root2).toString('base64'), proof: proof.map((h) => Buffer.from(h).toString('base64')) } }, findings }
  }
  return { verdict: { ...signed, status: 'ok' }, findings }
}
