import { createPublicKey, type KeyObject } from 'node:crypto'
import { InputError } from '../errors.ts'
import { decodeStrictBase64 } from '../checkpoint/strict-base64.ts'
import { rawPublicKey } from '../checkpoint/note-key.ts'

/** Prefix of a public key as written in user and registrant entries. */
export const PUBLIC_KEY_PREFIX = 'ed25519:'

/**
 * A user's public key as recorded in the chain: `ed25519:` and the standard base64 (padded) of the
 * 32 raw bytes of the Ed25519 public key (RFC 8032), e.g. `ed25519:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=`.
 *
 * @example
 * formatPublicKey(createPublicKey(privateKey)) // 'ed25519:…'
 */
export function formatPublicKey(key: KeyObject | Uint8Array): string {
  const raw = key instanceof Uint8Array ? Buffer.from(key) : rawPublicKey(key.type === 'private' ? createPublicKey(key) : key)
  if (raw.length !== 32) throw new InputError('BAD_PUBLIC_KEY', `an Ed25519 public key is 32 bytes, got ${raw.length}`)
  return `${PUBLIC_KEY_PREFIX}${raw.toString('base64')}`
}

/** The 32 raw bytes of a recorded public key, or undefined when the text is not one. */
export function publicKeyBytes(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !text.startsWith(PUBLIC_KEY_PREFIX)) return undefined
  const raw = decodeStrictBase64(text.slice(PUBLIC_KEY_PREFIX.length))
  return raw !== undefined && raw.length === 32 ? raw : undefined
}

/** A node:crypto public key object from a recorded public key; InputError BAD_PUBLIC_KEY if malformed. */
export function parsePublicKey(text: string): KeyObject {
  const raw = publicKeyBytes(text)
  if (!raw) throw new InputError('BAD_PUBLIC_KEY', `not an Ed25519 public key: ${JSON.stringify(String(text).slice(0, 60))}`, { hint: 'a public key reads ed25519:<base64 of 32 bytes>' })
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
}
