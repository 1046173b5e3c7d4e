import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { InputError } from '../errors.ts'
import { decodeStrictBase64 } from './strict-base64.ts'

/** Signature type byte of Ed25519 in C2SP signed-note (and golang.org/x/mod/sumdb/note). */
export const ED25519_SIGNATURE_TYPE = 0x01

/** Something that signs note text with one key. */
export interface NoteSigner {
  /** Key name: non-empty, no Unicode spaces, no '+'. */
  readonly name: string
  /** 32-bit key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
  readonly keyId: number
  /** Ed25519 signature of the exact note text bytes (UTF-8, final newline included). */
  sign(message: Uint8Array): Uint8Array
}

/** A trusted public key that checks signatures on notes. */
export interface NoteVerifier {
  readonly name: string
  readonly keyId: number
  /** The verifier key string `<name>+<hex key ID>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string
  verify(message: Uint8Array, signature: Uint8Array): boolean
}

/** A freshly generated Ed25519 note key. */
export interface GeneratedNoteKey {
  readonly signer: NoteSigner
  /** Public: give it to verifiers (keys.txt of an export bundle). */
  readonly verifierKey: string
  /** Secret: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`, the Go note package's format. */
  readonly signerKey: string
  readonly privateKey: KeyObject
}

const NOTE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/
// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * Whether `name` can name a note key (C2SP signed-note): non-empty, well-formed Unicode, without
 * Unicode spaces (Go's unicode.IsSpace) or '+'.
 */
export function isValidKeyName(name: string): boolean {
  return name !== '' && isWellFormedText(name) && !NOTE_SPACE.test(name) && !name.includes('+')
}

/**
 * The key ID of an Ed25519 note key: the first 4 bytes, big-endian, of
 * SHA-256(name || 0x0A || 0x01 || 32-byte public key).
 *
 * @example
 * noteKeyId('PeterNeumann', pub).toString(16) // 'c74f20a3' for the Go package's test key
 */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  if (publicKey.length !== 32) throw new InputError('BAD_PUBLIC_KEY', `an Ed25519 public key is 32 bytes, got ${publicKey.length}`)
  return createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519_SIGNATURE_TYPE])).update(publicKey).digest().readUInt32BE(0)
}

/**
 * The verifier key string for an Ed25519 public key: `<name>+<8 hex key ID>+<base64(0x01 || key)>`.
 *
 * @example
 * formatVerifierKey('csledger.invalid/3f2a…', rawPublicKey) // 'csledger.invalid/3f2a…+1a2b3c4d+AR…'
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array | KeyObject): string {
  assertName(name)
  const raw = publicKey instanceof Uint8Array ? publicKey : rawPublicKey(publicKey)
  return `${name}+${hex8(noteKeyId(name, raw))}+${Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), raw]).toString('base64')}`
}

/**
 * Parses a verifier key string into a verifier. Refuses a malformed string, an unknown signature
 * type, a key of the wrong length, and a key ID that does not match the name and key.
 *
 * @example
 * const v = parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')
 */
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  const [name, idHex, keyB64] = splitPlus(verifierKey, 3)
  const key = keyB64 === undefined ? undefined : decodeStrictBase64(keyB64)
  if (name === undefined || !isValidKeyName(name) || idHex === undefined || !/^[0-9a-fA-F]{8}$/.test(idHex) || key === undefined || key.length === 0) {
    throw new InputError('BAD_VERIFIER_KEY', `not a verifier key: ${clip(verifierKey)}`, { hint: 'a verifier key reads <name>+<8 hex digits>+<base64>, one per line' })
  }
  const keyId = Number.parseInt(idHex, 16)
  if (key[0] !== ED25519_SIGNATURE_TYPE) throw new InputError('BAD_VERIFIER_KEY', `verifier key ${name}: unknown signature type 0x${(key[0] ?? 0).toString(16).padStart(2, '0')} (only Ed25519, 0x01, is supported)`)
  const raw = key.subarray(1)
  if (raw.length !== 32) throw new InputError('BAD_VERIFIER_KEY', `verifier key ${name}: an Ed25519 key is 32 bytes, got ${raw.length}`)
  if (noteKeyId(name, raw) !== keyId) throw new InputError('BAD_VERIFIER_KEY', `verifier key ${name}: key ID ${idHex} does not match the name and key`)
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  return Object.freeze({
    name,
    keyId,
    verifierKey,
    verify: (message: Uint8Array, signature: Uint8Array) => signature.length === 64 && verify(null, message, publicKey, signature),
  })
}

/**
 * A note signer over an Ed25519 private key held by the caller (generated, loaded from a file, or
 * parsed by {@link parseSignerKey}).
 *
 * @example
 * const signer = ed25519NoteSigner(origin, privateKey)
 */
export function ed25519NoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertName(name)
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new InputError('BAD_PRIVATE_KEY', 'a note signer needs an Ed25519 private key')
  const keyId = noteKeyId(name, rawPublicKey(createPublicKey(privateKey)))
  return Object.freeze({ name, keyId, sign: (message: Uint8Array) => sign(null, message, privateKey) })
}

/**
 * Generates a new Ed25519 note key named `name` (uses the system's randomness: call it only where
 * a key is meant to be created, e.g. when a PIC enrols).
 *
 * @example
 * const { signer, verifierKey, signerKey } = generateNoteKey(checkpointOrigin(ledgerId))
 */
export function generateNoteKey(name: string): GeneratedNoteKey {
  assertName(name)
  const { privateKey } = generateKeyPairSync('ed25519')
  const signer = ed25519NoteSigner(name, privateKey)
  return { signer, verifierKey: formatVerifierKey(name, createPublicKey(privateKey)), signerKey: formatSignerKey(name, privateKey), privateKey }
}

/**
 * Parses a secret signer key in the Go note package's format,
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`, checking the key ID.
 */
export function parseSignerKey(signerKey: string): NoteSigner {
  const [p1, p2, name, idHex, keyB64] = splitPlus(signerKey, 5)
  const key = keyB64 === undefined ? undefined : decodeStrictBase64(keyB64)
  // Never echo a signer key into an error: it is a secret.
  if (p1 !== 'PRIVATE' || p2 !== 'KEY' || name === undefined || !isValidKeyName(name) || idHex === undefined || !/^[0-9a-fA-F]{8}$/.test(idHex) || key === undefined || key.length !== 33 || key[0] !== ED25519_SIGNATURE_TYPE) {
    throw new InputError('BAD_SIGNER_KEY', 'not an Ed25519 signer key (PRIVATE+KEY+<name>+<hex key ID>+<base64>)')
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, key.subarray(1)]), format: 'der', type: 'pkcs8' })
  const signer = ed25519NoteSigner(name, privateKey)
  if (signer.keyId !== Number.parseInt(idHex, 16)) throw new InputError('BAD_SIGNER_KEY', `signer key ${name}: key ID ${idHex} does not match the key`)
  return signer
}

/** Formats an Ed25519 private key as a Go-compatible signer key string (a secret). */
export function formatSignerKey(name: string, privateKey: KeyObject): string {
  assertName(name)
  const jwk = privateKey.export({ format: 'jwk' })
  if (jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new InputError('BAD_PRIVATE_KEY', 'not an Ed25519 private key')
  const seed = Buffer.from(jwk.d, 'base64url')
  const keyId = noteKeyId(name, rawPublicKey(createPublicKey(privateKey)))
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), seed]).toString('base64')}`
}

/** The 32 raw bytes of an Ed25519 public key object. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new InputError('BAD_PUBLIC_KEY', 'not an Ed25519 public key')
  return Buffer.from(jwk.x, 'base64url')
}

/** Whether a string has no lone surrogates, i.e. has a UTF-8 encoding (String#isWellFormed is ES2024). */
export function isWellFormedText(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
}

/** Eight lowercase hex digits. */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}

function assertName(name: string): void {
  if (!isValidKeyName(name)) throw new InputError('BAD_KEY_NAME', `not a valid key name: ${clip(name)}`, { hint: 'a key name is non-empty, without spaces or "+", e.g. csledger.invalid/<ledger id>' })
}

// Splits at the first parts-1 '+' characters, as the Go package's chop does: the last part keeps any
// further '+' (base64 uses '+'). Parts missing for want of a '+' are undefined.
function splitPlus(s: string, parts: number): (string | undefined)[] {
  const out: (string | undefined)[] = []
  let rest: string | undefined = s
  for (let i = 0; i < parts - 1; i++) {
    const at: number = rest === undefined ? -1 : rest.indexOf('+')
    if (rest === undefined || at < 0) { out.push(rest); rest = undefined; continue }
    out.push(rest.slice(0, at))
    rest = rest.slice(at + 1)
  }
  out.push(rest)
  return out
}

function clip(s: string): string { return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s) }
