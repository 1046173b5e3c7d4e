import { InputError, IntegrityError } from '../errors.ts'
import { hex8, isValidKeyName, isWellFormedText, type NoteSigner, type NoteVerifier } from './note-key.ts'
import { decodeStrictBase64 } from './strict-base64.ts'

/** The most signature lines a note may carry (the Go reference's limit; C2SP requires at least 16). */
export const MAX_NOTE_SIGNATURES = 100
/** Em dash (U+2014) and a space: how every signature line starts. */
export const SIGNATURE_LINE_PREFIX = '\u2014 '

/** One signature line of a note, verified or not. */
export interface NoteSignature {
  /** Key name. */
  readonly name: string
  /** Key ID (first 4 bytes of the decoded signature, big-endian). */
  readonly keyId: number
  /** base64(key ID || signature), exactly as on the line. */
  readonly base64: string
}

/** A note split into its signed text and its signature lines (nothing verified yet). */
export interface ParsedNote {
  /** The signed text, final newline included. */
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

/** A note whose signatures were checked against trusted keys. */
export interface OpenedNote {
  readonly text: string
  /** Signatures by trusted keys that verified. */
  readonly verified: readonly NoteSignature[]
  /** Signatures by keys not among the verifiers (ignored, as C2SP requires). */
  readonly unverified: readonly NoteSignature[]
}

/** A problem found while checking a note. Codes: MALFORMED_NOTE, BAD_SIGNATURE, AMBIGUOUS_KEY, NO_VERIFIED_SIGNATURE, MISSING_SIGNER. */
export interface NoteProblem {
  readonly code: 'MALFORMED_NOTE' | 'BAD_SIGNATURE' | 'AMBIGUOUS_KEY' | 'NO_VERIFIED_SIGNATURE' | 'MISSING_SIGNER'
  readonly message: string
  /** The key concerned, as `<name>+<hex key ID>` (absent for MALFORMED_NOTE and NO_VERIFIED_SIGNATURE). */
  readonly key?: string
}

/** The outcome of {@link verifyNote}, as data. */
export interface NoteVerification extends OpenedNote {
  /** True when the note is well formed, every signature by a trusted key verifies, at least one does, and every required signer signed. */
  readonly ok: boolean
  readonly problems: readonly NoteProblem[]
}

export interface VerifyNoteOptions {
  /** The trusted keys. */
  readonly verifiers: readonly NoteVerifier[]
  /** Key names that must each have a verified signature (e.g. the PIC's key and the medical director's). */
  readonly require?: readonly string[]
}

/**
 * Splits a signed note (C2SP signed-note) into text and signature lines, checking only syntax:
 * UTF-8 without control characters other than newline, the text separated from the signatures by
 * the last blank line, each signature line `— <name> <base64>` ending in a newline, at most
 * {@link MAX_NOTE_SIGNATURES}. Throws InputError MALFORMED_NOTE saying what is wrong.
 *
 * @example
 * const { text, signatures } = parseNote(readFileSync('checkpoints/1042.txt'))
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const msg = decodeNote(note)
  for (const ch of msg) {
    const c = ch.codePointAt(0) as number
    if (c < 0x20 && c !== 0x0a) malformed(`it contains the control character U+${c.toString(16).padStart(4, '0')}`)
  }
  const split = msg.lastIndexOf('\n\n')
  if (split < 0) malformed('no blank line separates the text from the signatures')
  const text = msg.slice(0, split + 1)
  const block = msg.slice(split + 2)
  if (block === '' || !block.endsWith('\n')) malformed('the signature block is empty or does not end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) malformed(`it has ${lines.length} signature lines; at most ${MAX_NOTE_SIGNATURES} are accepted`)
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1))
  return { text, signatures }
}

/**
 * Signs note text with each signer and returns the signed note: the text, a blank line, then one
 * line `— <name> base64(key ID || signature)` per signer, in order. The text must end with a newline.
 * Ed25519 is deterministic, so the same text and keys always give the same bytes.
 *
 * @example
 * const note = signNote(formatCheckpoint(cp), [picSigner])
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertSignableText(text)
  return `${text}\n${signatureLines(text, signers).join('')}`
}

/**
 * Adds signatures to a signed note (a second signer, such as the medical director, countersigning
 * what the PIC signed). Existing lines stay in place unless a new signer uses the same key, whose
 * old line is replaced; the new lines follow, as the Go reference's Sign does. Existing signatures
 * are not verified here.
 *
 * @example
 * const both = cosignNote(picSignedNote, [directorSigner])
 */
export function cosignNote(note: string | Uint8Array, signers: readonly NoteSigner[]): string {
  const { text, signatures } = parseNote(note)
  assertSignableText(text)
  const replaced = new Set(signers.map((s) => keyLabel(s.name, s.keyId)))
  const kept = signatures.filter((s) => !replaced.has(keyLabel(s.name, s.keyId))).map((s) => `${SIGNATURE_LINE_PREFIX}${s.name} ${s.base64}\n`)
  return `${text}\n${kept.join('')}${signatureLines(text, signers).join('')}`
}

/**
 * Checks a note's signatures against trusted keys and returns what it found, never throwing for a
 * bad note. Follows C2SP signed-note and the Go reference: signatures by unknown keys are set
 * aside, a signature by a known key must verify (else the whole note is rejected), repeated
 * signatures by one key count once, and at least one known signature must verify.
 *
 * @example
 * const v = verifyNote(note, { verifiers: [pic, director], require: [pic.name, director.name] })
 * if (!v.ok) for (const p of v.problems) console.log(p.code, p.message)
 */
export function verifyNote(note: string | Uint8Array, options: VerifyNoteOptions): NoteVerification {
  let parsed: ParsedNote
  try {
    parsed = parseNote(note)
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    return { ok: false, text: '', verified: [], unverified: [], problems: [{ code: 'MALFORMED_NOTE', message: err.message }] }
  }
  const problems: NoteProblem[] = []
  const verified: NoteSignature[] = []
  const unverified: NoteSignature[] = []
  const seen = new Set<string>()
  const seenUnverified = new Set<string>()
  const message = Buffer.from(parsed.text, 'utf8')
  for (const sig of parsed.signatures) {
    const label = keyLabel(sig.name, sig.keyId)
    const candidates = options.verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId)
    if (candidates.length === 0) {
      const line = `${sig.name} ${sig.base64}`
      if (!seenUnverified.has(line)) unverified.push(sig)
      seenUnverified.add(line)
      continue
    }
    if (candidates.length > 1) {
      if (!seen.has(label)) problems.push({ code: 'AMBIGUOUS_KEY', message: `two trusted keys are both named ${label}`, key: label })
      seen.add(label)
      continue
    }
    if (seen.has(label)) continue
    seen.add(label)
    const raw = decodeStrictBase64(sig.base64) as Buffer
    if ((candidates[0] as NoteVerifier).verify(message, raw.subarray(4))) verified.push(sig)
    else problems.push({ code: 'BAD_SIGNATURE', message: `the signature by ${label} does not verify: the note text was changed after it was signed, or the signature is forged`, key: label })
  }
  if (verified.length === 0 && !problems.some((p) => p.code === 'BAD_SIGNATURE' || p.code === 'AMBIGUOUS_KEY')) {
    problems.push({ code: 'NO_VERIFIED_SIGNATURE', message: parsed.signatures.length === 0 ? 'the note has no signatures' : `none of its ${parsed.signatures.length} signatures is by a trusted key` })
  }
  for (const name of options.require ?? []) {
    if (!verified.some((s) => s.name === name)) problems.push({ code: 'MISSING_SIGNER', message: `no verified signature by ${name}`, key: name })
  }
  return { ok: problems.length === 0, text: parsed.text, verified, unverified, problems }
}

/**
 * Opens a note: checks it as {@link verifyNote} does and returns its text and signatures, or
 * throws the first problem: InputError MALFORMED_NOTE, or IntegrityError with the problem's code.
 *
 * @example
 * const { text } = openNote(note, [picVerifier])
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[], require?: readonly string[]): OpenedNote {
  const v = verifyNote(note, require === undefined ? { verifiers } : { verifiers, require })
  const first = v.problems[0]
  if (first) {
    if (first.code === 'MALFORMED_NOTE') throw new InputError(first.code, first.message)
    throw new IntegrityError(first.code, first.message, first.key === undefined ? {} : { details: { key: first.key } })
  }
  return { text: v.text, verified: v.verified, unverified: v.unverified }
}

function signatureLines(text: string, signers: readonly NoteSigner[]): string[] {
  const message = Buffer.from(text, 'utf8')
  return signers.map((s) => {
    if (!isValidKeyName(s.name)) throw new InputError('BAD_KEY_NAME', `signer has an invalid key name: ${JSON.stringify(s.name)}`)
    const id = Buffer.alloc(4)
    id.writeUInt32BE(s.keyId >>> 0)
    return `${SIGNATURE_LINE_PREFIX}${s.name} ${Buffer.concat([id, s.sign(message)]).toString('base64')}\n`
  })
}

function assertSignableText(text: string): void {
  if (!text.endsWith('\n')) throw new InputError('MALFORMED_NOTE', 'note text must end with a newline')
  if (!isWellFormedText(text)) throw new InputError('MALFORMED_NOTE', 'note text is not well-formed Unicode')
  for (const ch of text) {
    const c = ch.codePointAt(0) as number
    if (c < 0x20 && c !== 0x0a) throw new InputError('MALFORMED_NOTE', `note text contains the control character U+${c.toString(16).padStart(4, '0')}`)
  }
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) malformed(`signature line ${n} does not start with an em dash and a space`)
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = space < 0 ? rest : rest.slice(0, space)
  const b64 = space < 0 ? '' : rest.slice(space + 1)
  const raw = decodeStrictBase64(b64)
  if (!isValidKeyName(name)) malformed(`signature line ${n} has an invalid key name`)
  if (raw === undefined || raw.length < 5) malformed(`signature line ${n} does not carry a base64 key ID and signature`)
  return { name, keyId: raw.readUInt32BE(0), base64: b64 }
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') {
    if (!isWellFormedText(note)) malformed('it is not well-formed Unicode')
    return note
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note)
  } catch {
    return malformed('it is not valid UTF-8')
  }
}

function keyLabel(name: string, keyId: number): string { return `${name}+${hex8(keyId)}` }

function malformed(why: string): never {
  throw new InputError('MALFORMED_NOTE', `malformed signed note: ${why}`, { hint: 'a signed note is text ending in a newline, a blank line, then lines "— <key name> <base64 signature>"' })
}
