import { IntegrityError } from '../errors.ts'
import { parseCheckpoint, formatCheckpoint, type Checkpoint } from './checkpoint.ts'
import type { NoteSigner, NoteVerifier } from './note-key.ts'
import { openNote, signNote, type NoteSignature } from './signed-note.ts'

/** A checkpoint taken out of a signed note whose signatures verified. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint
  /** The exact signed text. */
  readonly text: string
  readonly verified: readonly NoteSignature[]
  readonly unverified: readonly NoteSignature[]
}

export interface OpenCheckpointOptions {
  readonly verifiers: readonly NoteVerifier[]
  /** The origin the checkpoint must carry (the ledger expected). */
  readonly origin?: string
  /** Key names that must each have signed. */
  readonly require?: readonly string[]
}

/**
 * Signs a checkpoint: its body as the text of a signed note, one signature line per signer.
 *
 * @example
 * const note = signCheckpoint({ origin, size: frontier.size, rootHash: frontier.root() }, [picSigner])
 */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers)
}

/**
 * Verifies a signed checkpoint and parses its body. Throws InputError for a malformed note or body,
 * IntegrityError for a bad or missing signature or (ORIGIN_MISMATCH) another log's checkpoint.
 *
 * @example
 * const { checkpoint } = openCheckpoint(note, { verifiers: [pic], origin: checkpointOrigin(ledgerId) })
 */
export function openCheckpoint(note: string | Uint8Array, options: OpenCheckpointOptions): OpenedCheckpoint {
  const opened = openNote(note, options.verifiers, options.require)
  const checkpoint = parseCheckpoint(opened.text)
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new IntegrityError('ORIGIN_MISMATCH', `the checkpoint is for ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(options.origin)}`, { details: { expected: options.origin, found: checkpoint.origin } })
  }
  return { checkpoint, ...opened }
}
