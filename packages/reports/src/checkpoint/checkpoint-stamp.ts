import { InputError, checkpointCode, checkpointTime, peekCheckpoint } from '@csledger/ledger-core'

/**
 * A signed checkpoint as a document prints it (docs/checkpoints.md): its short code, what it signs,
 * who signed, and the signed note itself, printed as text and as a QR code so that whoever holds
 * the paper can give it to `csledger verify --checkpoint` or the standalone verifier later.
 */
export interface CheckpointStamp {
  /** `<size> <base32 root prefix>`, e.g. `1042 WVT4-BS5S-5BOC-SXTK`. */
  readonly code: string
  readonly origin: string
  /** Entries 1..size are covered. */
  readonly size: number
  /** The signed Merkle root, base64 as in the note. */
  readonly root: string
  /** When it was signed (its `time` line), or null. */
  readonly time: string | null
  /** Who signed, as the ledger names them (usernames). */
  readonly signed_by: readonly string[]
  /** `signed-now`: signed when this document was made; `stored`: the newest one the ledger keeps. */
  readonly basis: 'signed-now' | 'stored'
  /** The signed note (C2SP signed-note over a tlog-checkpoint body), exactly as signed. */
  readonly note: string
}

/** A checkpoint given to a document: the signed note, who signed it, and why this one. */
export interface CheckpointGiven {
  readonly note: string
  readonly signed_by: readonly string[]
  readonly basis: 'signed-now' | 'stored'
}

/**
 * Reads a signed checkpoint into a stamp. The signatures are not checked here: the caller gives a
 * checkpoint that verification accepted (the CLI takes it from `Ledger.verify()`); the audit packet
 * checks the root against its own entries. Throws InputError MALFORMED_CHECKPOINT for a note that
 * is not a checkpoint.
 *
 * @example
 * const stamp = checkpointStamp({ note, signed_by: ['pkim'], basis: 'signed-now' })
 */
export function checkpointStamp(given: CheckpointGiven): CheckpointStamp {
  const cp = peekCheckpoint(given.note)
  if (!cp) throw new InputError('MALFORMED_CHECKPOINT', 'the checkpoint given to the report is not a signed checkpoint', { hint: 'give the note exactly as `csledger checkpoint` wrote it' })
  return {
    code: checkpointCode(cp), origin: cp.origin, size: cp.size, root: Buffer.from(cp.rootHash).toString('base64'), time: checkpointTime(cp) ?? null,
    signed_by: [...given.signed_by], basis: given.basis, note: given.note,
  }
}
