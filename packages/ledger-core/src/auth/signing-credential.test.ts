import { createPublicKey, generateKeyPairSync, scryptSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AuthError } from '../errors.ts'
import { formatPublicKey } from '../signing/public-key.ts'
import { hashPassphrase, hashPassphraseWithSealingKey, openPassphrase, verifyPassphrase } from './passphrase.ts'
import { sealPrivateKey, unsealPrivateKey } from './sealed-key.ts'
import { createSigningCredential, ed25519KeyFromSeed, openSigningCredential, sealCredential } from './signing-credential.ts'

const KDF = { N: 1024, r: 8, p: 1 }
const PASS = 'correct horse battery'

describe('one scrypt run for the verifier and the sealing key', () => {
  it('given a passphrase hashed with a sealing key, then the stored verifier is exactly the first 32 bytes of a 64-byte scrypt output and the sealing key the last 32', async () => {
    const { hash, sealingKey } = await hashPassphraseWithSealingKey(PASS, KDF)
    const [, N, r, p, salt, verifier] = hash.split('$') as [string, string, string, string, string, string]
    const out = scryptSync(PASS, Buffer.from(salt, 'base64url'), 64, { N: Number(N), r: Number(r), p: Number(p) })
    expect(Buffer.from(verifier, 'base64url')).toEqual(out.subarray(0, 32))
    expect(sealingKey).toEqual(out.subarray(32))
    expect(sealingKey.equals(out.subarray(0, 32))).toBe(false)
  })

  it('given such a hash, then the passphrase check of before accepts it, and openPassphrase gives the same sealing key back', async () => {
    const { hash, sealingKey } = await hashPassphraseWithSealingKey(PASS, KDF)
    expect(await verifyPassphrase(PASS, hash)).toBe(true)
    expect(await verifyPassphrase('wrong passphrase', hash)).toBe(false)
    expect(await openPassphrase(PASS, hash, true)).toEqual({ ok: true, sealingKey })
    expect(await openPassphrase('wrong passphrase', hash, true)).toEqual({ ok: false })
  })

  it('given a hash written before signing existed, then it still verifies', async () => {
    const old = await hashPassphrase(PASS, KDF)
    expect((await openPassphrase(PASS, old, false)).ok).toBe(true)
  })

  it('given a stored hash with an empty verifier, then no passphrase matches it', async () => {
    expect((await openPassphrase('', 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$', false)).ok).toBe(false)
  })
})

describe('sealed keys', () => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = formatPublicKey(createPublicKey(privateKey))
  const sealingKey = Buffer.alloc(32, 7)

  it('given a key sealed for nkim, when opened with the same sealing key and binding, then it is the same key', () => {
    const sealed = sealPrivateKey(privateKey, sealingKey, { username: 'nkim', publicKey })
    expect(sealed).toMatch(/^sealed-ed25519-v1\$[A-Za-z0-9_-]{16}\$[A-Za-z0-9_-]{43}\$[A-Za-z0-9_-]{22}$/)
    expect(formatPublicKey(unsealPrivateKey(sealed, sealingKey, { username: 'nkim', publicKey }))).toBe(publicKey)
  })

  it.each([
    ['another sealing key', Buffer.alloc(32, 8), 'nkim', undefined],
    ['another username', sealingKey, 'rdiaz', undefined],
    ['another public key', sealingKey, 'nkim', formatPublicKey(createPublicKey(generateKeyPairSync('ed25519').privateKey))],
  ])('given %s, when opened, then SEALED_KEY_UNREADABLE', (_what, key, username, otherPublic) => {
    const sealed = sealPrivateKey(privateKey, sealingKey, { username: 'nkim', publicKey })
    expect(() => unsealPrivateKey(sealed, key, { username, publicKey: otherPublic ?? publicKey })).toThrow(expect.objectContaining({ code: 'SEALED_KEY_UNREADABLE' }))
  })

  it('given a sealed key with one byte changed, when opened, then SEALED_KEY_UNREADABLE', () => {
    const sealed = sealPrivateKey(privateKey, sealingKey, { username: 'nkim', publicKey })
    const parts = sealed.split('$')
    const ct = Buffer.from(parts[2]!, 'base64url')
    ct[0] = ct[0]! ^ 1
    parts[2] = ct.toString('base64url')
    expect(() => unsealPrivateKey(parts.join('$'), sealingKey, { username: 'nkim', publicKey })).toThrow(AuthError)
  })
})

describe('a user\'s signing credential', () => {
  it('given a new credential, when opened with the passphrase and the key the chain records, then the private key is the one created', async () => {
    const cred = await createSigningCredential('nkim', PASS, KDF)
    const opened = await openSigningCredential('nkim', PASS, { passphrase_hash: cred.passphraseHash, sealed_key: cred.sealedKey }, cred.publicKey)
    expect(opened.ok).toBe(true)
    expect(formatPublicKey(createPublicKey((opened as { privateKey: import('node:crypto').KeyObject }).privateKey))).toBe(cred.publicKey)
  })

  it('given a wrong passphrase, then not ok (and nothing is unsealed)', async () => {
    const cred = await createSigningCredential('nkim', PASS, KDF)
    expect(await openSigningCredential('nkim', 'not the passphrase', { passphrase_hash: cred.passphraseHash, sealed_key: cred.sealedKey }, cred.publicKey)).toEqual({ ok: false })
  })

  it('given a passphrase change, then the same key is sealed under the new passphrase and the old one no longer opens it', async () => {
    const cred = await createSigningCredential('nkim', PASS, KDF)
    const resealed = await sealCredential('nkim', 'a new passphrase here', cred.privateKey, KDF)
    expect(resealed.publicKey).toBe(cred.publicKey)
    const stored = { passphrase_hash: resealed.passphraseHash, sealed_key: resealed.sealedKey }
    expect((await openSigningCredential('nkim', 'a new passphrase here', stored, cred.publicKey)).ok).toBe(true)
    expect((await openSigningCredential('nkim', PASS, stored, cred.publicKey)).ok).toBe(false)
  })

  it('given a credential replaced by a forger (their passphrase, their key, bound to the real public key), then KEY_MISMATCH', async () => {
    const real = await createSigningCredential('drlee', PASS, KDF)
    const { hash, sealingKey } = await hashPassphraseWithSealingKey('forger passphrase', KDF)
    const forged = sealPrivateKey(generateKeyPairSync('ed25519').privateKey, sealingKey, { username: 'drlee', publicKey: real.publicKey })
    await expect(openSigningCredential('drlee', 'forger passphrase', { passphrase_hash: hash, sealed_key: forged }, real.publicKey)).rejects.toMatchObject({ code: 'KEY_MISMATCH' })
  })

  it('given a key in the chain but no sealed key stored, then SIGNING_KEY_MISSING; given neither, then ok without a key', async () => {
    const real = await createSigningCredential('nkim', PASS, KDF)
    await expect(openSigningCredential('nkim', PASS, { passphrase_hash: real.passphraseHash, sealed_key: null }, real.publicKey)).rejects.toMatchObject({ code: 'SIGNING_KEY_MISSING' })
    expect(await openSigningCredential('nkim', PASS, { passphrase_hash: real.passphraseHash }, undefined)).toEqual({ ok: true })
  })

  it('given a sealed key but no key in the chain, then KEY_MISMATCH', async () => {
    const real = await createSigningCredential('nkim', PASS, KDF)
    await expect(openSigningCredential('nkim', PASS, { passphrase_hash: real.passphraseHash, sealed_key: real.sealedKey }, undefined)).rejects.toMatchObject({ code: 'KEY_MISMATCH' })
  })
})

describe('keys from a seed (the demo, test vectors)', () => {
  it('given RFC 8032 test 1\'s seed, when made a key, then its public key is the RFC\'s', () => {
    const key = ed25519KeyFromSeed(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'))
    const raw = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32)
    expect(raw.toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
  })

  it('given a seed that is not 32 bytes, when made a key, then it is refused', () => {
    expect(() => ed25519KeyFromSeed(new Uint8Array(31))).toThrow(/32 bytes/)
  })

  it('given a key passed in, when a credential is created, then it seals that key (the same public key every time)', async () => {
    const key = ed25519KeyFromSeed(new Uint8Array(32).fill(7))
    const a = await createSigningCredential('nkim', 'a long passphrase', { N: 1024, r: 8, p: 1 }, key)
    const b = await createSigningCredential('nkim', 'another passphrase', { N: 1024, r: 8, p: 1 }, key)
    expect(a.publicKey).toBe(b.publicKey)
    expect(a.publicKey).toBe(formatPublicKey(createPublicKey(key)))
  })
})
