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
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, n, r, p, saltText = '', keyText = ''] = parts
  const expected = Buffer.from(keyText, 'base64url')
  const key = await derive(passphrase, Buffer.from(saltText, 'base64url'), Number(n), Number(r), Number(p), expected.length)
  return key.length === expected.length && timingSafeEqual(key, expected)
}

function derive(passphrase: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)))
  })
}
