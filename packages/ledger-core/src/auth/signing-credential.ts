import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { AuthError, InputError } from '../errors.ts'
import { formatPublicKey } from '../signing/public-key.ts'
import { SCRYPT_DEFAULTS, hashPassphraseWithSealingKey, openPassphrase } from './passphrase.ts'
import { sealPrivateKey, unsealPrivateKey } from './sealed-key.ts'

type Kdf = { N: number; r: number; p: number }

/** A new user's credential: what is stored beside the chain, and the public key that goes into it. */
export interface NewSigningCredential {
  /** `scrypt$N$r$p$salt$verifier`, stored (the format of auth/passphrase.ts). */
  readonly passphraseHash: string
  /** The private key sealed under the passphrase, stored. */
  readonly sealedKey: string
  /** `ed25519:<base64>`, recorded in the user's entry. */
  readonly publicKey: string
  /** The key itself, to sign the entry that records it where that entry is the user's own. */
  readonly privateKey: KeyObject
}

/**
 * Generates a user's Ed25519 key pair (node:crypto) and seals the private key under their
 * passphrase: one scrypt run gives both the stored verifier and the sealing key.
 *
 * @example
 * const cred = await createSigningCredential('nkim', passphrase)
 * // user entry: { …, public_key: cred.publicKey }; credential row: cred.passphraseHash, cred.sealedKey
 */
export async function createSigningCredential(username: string, passphrase: string, kdf: Kdf = SCRYPT_DEFAULTS, privateKey: KeyObject = generateKeyPairSync('ed25519').privateKey): Promise<NewSigningCredential> {
  return { ...(await sealCredential(username, passphrase, privateKey, kdf)), privateKey }
}

/**
 * The Ed25519 private key of a 32-byte seed (RFC 8032), for keys that must be reproducible: the
 * demo's users and published test vectors. A real user's key comes from createSigningCredential.
 *
 * @example
 * const key = ed25519KeyFromSeed(createHash('sha256').update('demo:pkim').digest())
 */
export function ed25519KeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new InputError('BAD_PRIVATE_KEY', `an Ed25519 seed has 32 bytes, not ${seed.length}`)
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' })
}

/**
 * Seals an existing private key under a (new) passphrase: a passphrase change re-seals the same key,
 * so the public key in the chain stays valid and nothing is re-signed.
 */
export async function sealCredential(username: string, passphrase: string, privateKey: KeyObject, kdf: Kdf = SCRYPT_DEFAULTS): Promise<{ passphraseHash: string; sealedKey: string; publicKey: string }> {
  const publicKey = formatPublicKey(createPublicKey(privateKey))
  const { hash, sealingKey } = await hashPassphraseWithSealingKey(passphrase, kdf)
  try {
    return { passphraseHash: hash, sealedKey: sealPrivateKey(privateKey, sealingKey, { username, publicKey }), publicKey }
  } finally {
    sealingKey.fill(0)
  }
}

/**
 * Checks a passphrase and opens the user's signing key, with one scrypt run. `chainKey` is the
 * public key the chain records for the user (undefined for a user created before signing existed).
 * Returns `{ ok: false }` for a wrong passphrase. Throws AuthError when the stored credential and
 * the chain disagree: a sealed key whose public key is not the chain's (KEY_MISMATCH: someone
 * replaced the credential), or a key in the chain with no sealed key (SIGNING_KEY_MISSING).
 */
export async function openSigningCredential(
  username: string,
  passphrase: string,
  stored: { readonly passphrase_hash: string; readonly sealed_key?: string | null | undefined },
  chainKey: string | undefined,
): Promise<{ ok: false } | { ok: true; privateKey?: KeyObject }> {
  const sealed = stored.sealed_key ?? null
  const opened = await openPassphrase(passphrase, stored.passphrase_hash, sealed !== null)
  if (!opened.ok) return { ok: false }
  if (sealed === null) {
    if (chainKey !== undefined) {
      throw new AuthError('SIGNING_KEY_MISSING', `the ledger records a signing key for ${username}, but no sealed key is stored for them`, {
        hint: 'the credential store was changed or restored from an older copy; restore it from a backup, or deactivate the user and add them again',
      })
    }
    return { ok: true }
  }
  const sealingKey = opened.sealingKey as Buffer
  try {
    if (chainKey === undefined) throw mismatch(username, 'the ledger records no key for them')
    const privateKey = unsealPrivateKey(sealed, sealingKey, { username, publicKey: chainKey })
    if (formatPublicKey(createPublicKey(privateKey)) !== chainKey) throw mismatch(username, 'it is not the key the ledger records')
    return { ok: true, privateKey }
  } finally {
    sealingKey.fill(0)
  }
}

function mismatch(username: string, why: string): AuthError {
  return new AuthError('KEY_MISMATCH', `the stored signing key of ${username} cannot be used: ${why}`, {
    hint: 'someone changed the credential store; keep the file as evidence and run `csledger verify`',
  })
}
