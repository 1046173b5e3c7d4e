// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, restated here so that this
// package can be read and run alone. A note is text ending in a newline, a blank line, then lines
// "— <key name> <base64(4-byte key ID || 64-byte Ed25519 signature of the text)>". A verifier key is
// "<name>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>", where the key ID is the first four
// bytes of SHA-256(name || 0x0A || 0x01 || public key).
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'

/** A trusted key read from keys.txt. */
export interface TrustedKey {
  readonly name: string
  readonly keyId: number
  readonly publicKey: KeyObject
  /** `<name>+<hex key ID>`, how findings name the key. */
  readonly label: string
}

export interface NoteSignatureLine {
  readonly name: string
  readonly keyId: number
  /** `<name>+<hex key ID>` */
  readonly label: string
  readonly signature: Buffer
}

export interface ParsedNote {
  readonly text: string
  readonly signatures: readonly NoteSignatureLine[]
}

const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Standard base64, strictly (Node's decoder skips what it does not understand). */
export function strictBase64(s: string): Buffer | undefined {
  if (!BASE64.test(s)) return undefined
  const b = Buffer.from(s, 'base64')
  return b.toString('base64') === s ? b : undefined
}

export function isValidKeyName(name: string): boolean {
  return name !== '' && !SPACE.test(name) && !name.includes('+') && Buffer.from(name, 'utf8').toString('utf8') === name
}

export function keyLabel(name: string, keyId: number): string {
  return `${name}+${keyId.toString(16).padStart(8, '0')}`
}

/** Parses one verifier key; returns the reason when it is not one. */
export function parseVerifierKey(s: string): TrustedKey | string {
  const first = s.indexOf('+')
  const second = first < 0 ? -1 : s.indexOf('+', first + 1)
  if (second < 0) return 'not of the form <name>+<hex key ID>+<base64 key>'
  const name = s.slice(0, first)
  const idHex = s.slice(first + 1, second)
  const key = strictBase64(s.slice(second + 1))
  if (!isValidKeyName(name)) return 'the key name is empty or contains a space or "+"'
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) return 'the key ID is not 8 hex digits'
  if (key === undefined) return 'the key is not base64'
  if (key[0] !== 0x01 || key.length !== 33) return 'not an Ed25519 key (0x01 followed by 32 bytes)'
  const raw = key.subarray(1)
  const keyId = createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, 0x01])).update(raw).digest().readUInt32BE(0)
  if (keyId !== Number.parseInt(idHex, 16)) return `the key ID ${idHex} does not match the name and key`
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  return { name, keyId, publicKey, label: keyLabel(name, keyId) }
}

/** Splits a signed note into text and signature lines; returns the reason when it is malformed. */
export function parseNote(bytes: Buffer): ParsedNote | string {
  let msg: string
  try {
    msg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return 'it is not valid UTF-8'
  }
  if (/[\u0000-\u0009\u000b-\u001f]/.test(msg)) return 'it contains a control character'
  const split = msg.lastIndexOf('\n\n')
  if (split < 0) return 'no blank line separates the text from the signatures'
  const text = msg.slice(0, split + 1)
  const block = msg.slice(split + 2)
  if (block === '' || !block.endsWith('\n')) return 'the signature block is empty or does not end with a newline'
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > 100) return `it has ${lines.length} signature lines (at most 100)`
  const signatures: NoteSignatureLine[] = []
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('\u2014 ')) return `signature line ${i + 1} does not start with an em dash and a space`
    const rest = line.slice(2)
    const space = rest.indexOf(' ')
    const name = space < 0 ? rest : rest.slice(0, space)
    const raw = strictBase64(space < 0 ? '' : rest.slice(space + 1))
    if (!isValidKeyName(name) || raw === undefined || raw.length < 5) return `signature line ${i + 1} is malformed`
    const keyId = raw.readUInt32BE(0)
    signatures.push({ name, keyId, label: keyLabel(name, keyId), signature: raw.subarray(4) })
  }
  return { text, signatures }
}

/** Whether `signature` is `key`'s Ed25519 signature of `text`. */
export function signatureVerifies(key: TrustedKey, text: string, signature: Buffer): boolean {
  return signature.length === 64 && verify(null, Buffer.from(text, 'utf8'), key.publicKey, signature)
}
