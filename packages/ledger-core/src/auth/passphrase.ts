import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/** scrypt cost used for new passphrase hashes (2^15, r=8, p=1: 32 MiB, tens of ms). */
export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const

/** Minimum passphrase length accepted for a new user. */
export const MIN_PASSPHRASE_LENGTH = 8

/**
 * Hashes a passphrase as `scrypt$N$r$p$salt$hash` (base64url). The parameters travel with the
 * hash, so a cost raised later still verifies old hashes.
 *
 * @example
 * const stored = await hashPassphrase('correct horse battery')
 */
export async function hashPassphrase(passphrase: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(passphrase, salt, params.N, params.r, params.p, SCRYPT_DEFAULTS.keylen)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** True when `passphrase` matches the stored hash (constant-time comparison). */
export async function verifyPassphrase(passphrase: string, stored: string): Promise<boolean> {
  return (await openPassphrase(passphrase, stored, false)).ok
}

/** Length of the sealing key derived beside the verifier (AES-256). */
export const SEALING_KEY_BYTES = 32

/**
 * A new passphrase hash and, from the same scrypt run, a sealing key for the user's signing key.
 * scrypt's last step is PBKDF2-HMAC-SHA256, whose output blocks are independent: asking for 64
 * bytes gives the same first 32 bytes as asking for 32 (the verifier, stored exactly as
 * {@link hashPassphrase} stores it) plus 32 more that are never stored (the sealing key). Knowing
 * the stored verifier tells nothing about the sealing key.
 *
 * @example
 * const { hash, sealingKey } = await hashPassphraseWithSealingKey('correct horse battery')
 */
export async function hashPassphraseWithSealingKey(passphrase: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<{ hash: string; sealingKey: Buffer }> {
  const salt = randomBytes(16)
  const out = await derive(passphrase, salt, params.N, params.r, params.p, SCRYPT_DEFAULTS.keylen + SEALING_KEY_BYTES)
  const verifier = out.subarray(0, SCRYPT_DEFAULTS.keylen)
  return { hash: ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), verifier.toString('base64url')].join('$'), sealingKey: Buffer.from(out.subarray(SCRYPT_DEFAULTS.keylen)) }
}

/**
 * Checks a passphrase against a stored hash with one scrypt run and, when `withSealingKey`, returns
 * the sealing key derived in that same run (see {@link hashPassphraseWithSealingKey}). The sealing
 * key is returned only when the passphrase matched.
 */
export async function openPassphrase(passphrase: string, stored: string, withSealingKey: boolean): Promise<{ ok: boolean; sealingKey?: Buffer }> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false }
  const [, n, r, p, saltText = '', keyText = ''] = parts
  const expected = Buffer.from(keyText, 'base64url')
  const extra = withSealingKey ? SEALING_KEY_BYTES : 0
  const out = await derive(passphrase, Buffer.from(saltText, 'base64url'), Number(n), Number(r), Number(p), expected.length + extra)
  const key = out.subarray(0, expected.length)
  const ok = expected.length > 0 && key.length === expected.length && timingSafeEqual(key, expected)
  return ok && withSealingKey ? { ok, sealingKey: Buffer.from(out.subarray(expected.length)) } : { ok }
}

function derive(passphrase: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)))
  })
}
