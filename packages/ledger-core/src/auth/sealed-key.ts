import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto'
import { AuthError, InputError } from '../errors.ts'

/** First field of a sealed key: the format and its algorithm (AES-256-GCM over an Ed25519 seed). */
export const SEALED_KEY_FORMAT = 'sealed-ed25519-v1'
/** Domain tag of the additional authenticated data, so a sealed key cannot be moved to another use. */
export const SEALED_KEY_AAD_DOMAIN = 'csledger:sealed-key:v1'

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * Seals an Ed25519 private key with a 32-byte sealing key (derived from the user's passphrase, see
 * auth/passphrase.ts): AES-256-GCM over the 32-byte seed, with a fresh 12-byte nonce, and the
 * username and public key as additional authenticated data, so a sealed key copied onto another
 * user, or paired with another public key, does not open. The result is
 * `sealed-ed25519-v1$<nonce>$<ciphertext>$<tag>` (base64url), safe to store beside the chain.
 *
 * @example
 * const sealed = sealPrivateKey(privateKey, sealingKey, { username: 'nkim', publicKey: 'ed25519:…' })
 */
export function sealPrivateKey(privateKey: KeyObject, sealingKey: Uint8Array, binding: SealBinding): string {
  assertSealingKey(sealingKey)
  const seed = ed25519Seed(privateKey)
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', sealingKey, nonce)
  cipher.setAAD(aad(binding))
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()])
  seed.fill(0)
  return [SEALED_KEY_FORMAT, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('$')
}

/**
 * Opens a sealed key. Throws AuthError SEALED_KEY_UNREADABLE when the sealing key, the username or
 * the public key is not the one it was sealed with (GCM authentication fails), or when the stored
 * value is not a sealed key.
 */
export function unsealPrivateKey(sealed: string, sealingKey: Uint8Array, binding: SealBinding): KeyObject {
  assertSealingKey(sealingKey)
  const parts = sealed.split('$')
  const [format, nonceText = '', ciphertextText = '', tagText = ''] = parts
  const nonce = Buffer.from(nonceText, 'base64url')
  const ciphertext = Buffer.from(ciphertextText, 'base64url')
  const tag = Buffer.from(tagText, 'base64url')
  if (parts.length !== 4 || format !== SEALED_KEY_FORMAT || nonce.length !== 12 || ciphertext.length !== 32 || tag.length !== 16) {
    throw unreadable(binding.username, 'the stored value is not a sealed key')
  }
  let seed: Buffer
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey, nonce)
    decipher.setAAD(aad(binding))
    decipher.setAuthTag(tag)
    seed = Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    throw unreadable(binding.username, 'it was sealed for another passphrase, user or public key')
  }
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  seed.fill(0)
  return key
}

/** What a sealed key is bound to (its additional authenticated data). */
export interface SealBinding {
  readonly username: string
  /** The public key as recorded in the chain, `ed25519:<base64>`. */
  readonly publicKey: string
}

/** The 32-byte seed of an Ed25519 private key. */
export function ed25519Seed(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: 'jwk' })
  if (privateKey.type !== 'private' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new InputError('BAD_PRIVATE_KEY', 'not an Ed25519 private key')
  return Buffer.from(jwk.d, 'base64url')
}

/** AAD = domain || 0x00 || username || 0x00 || public key text. */
function aad(b: SealBinding): Buffer {
  return Buffer.concat([Buffer.from(SEALED_KEY_AAD_DOMAIN, 'ascii'), Buffer.from([0]), Buffer.from(b.username, 'utf8'), Buffer.from([0]), Buffer.from(b.publicKey, 'utf8')])
}

function assertSealingKey(k: Uint8Array): void {
  if (k.length !== 32) throw new InputError('BAD_SEALING_KEY', `a sealing key is 32 bytes, got ${k.length}`)
}

function unreadable(username: string, why: string): AuthError {
  return new AuthError('SEALED_KEY_UNREADABLE', `the signing key of ${username} cannot be opened: ${why}`, {
    hint: 'the credential store was changed or damaged; restore it from a backup, or deactivate the user and add them again',
  })
}
