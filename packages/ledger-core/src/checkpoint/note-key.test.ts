import { readFileSync } from 'node:fs'
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { ed25519NoteSigner, formatSignerKey, formatVerifierKey, generateNoteKey, isValidKeyName, noteKeyId, parseSignerKey, parseVerifierKey, rawPublicKey } from './note-key.ts'

const vectors = (file: string) => JSON.parse(readFileSync(new URL(`../../../../test/vectors/checkpoint/${file}`, import.meta.url), 'utf8'))
const GO = vectors('go-sumdb-note.json')
const SUMDB = vectors('sumdb-checkpoint.json')

describe('verifier keys', () => {
  it('given the Go package test key, when parsed, then name and key ID are read and the key ID is recomputed', () => {
    const v = parseVerifierKey(GO.peter.verifierKey)
    expect(v.name).toBe('PeterNeumann')
    expect(v.keyId.toString(16)).toBe(GO.peter.keyId)
    const raw = Buffer.from(GO.peter.verifierKey.split('+')[2], 'base64').subarray(1)
    expect(noteKeyId('PeterNeumann', raw).toString(16)).toBe('c74f20a3')
    expect(formatVerifierKey('PeterNeumann', raw)).toBe(GO.peter.verifierKey)
  })

  it('given every truncation and every single-character change of a valid key (Go TestNewVerifier), then each is refused', () => {
    const key: string = GO.peter.verifierKey
    const bad: string[] = []
    for (let i = 0; i <= key.length; i++) for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) bad.push(key.slice(i, j))
    for (let i = 0; i < key.length; i++) bad.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1))
    bad.push(...GO.badVerifierKeys.map((b: { key: string }) => b.key))
    const accepted = bad.filter((k) => { try { parseVerifierKey(k); return true } catch (e) { expect(e).toBeInstanceOf(InputError); return false } })
    expect(accepted).toEqual([])
  })

  it('given the sum.golang.org and cosigner keys, then all parse', () => {
    for (const k of [SUMDB.logVerifierKey, ...SUMDB.cosigners.map((c: { verifierKey: string }) => c.verifierKey)]) expect(parseVerifierKey(k).verifierKey).toBe(k)
  })
})

describe('signer keys', () => {
  it('given the Go package test signer key, then it parses to the key ID of its verifier key', () => {
    expect(parseSignerKey(GO.peter.signerKey).keyId.toString(16)).toBe('c74f20a3')
  })

  it('given the key pairs published by transparency-dev/formats, then each signer matches its verifier and their signatures verify', () => {
    for (const { verifierKey, signerKey } of SUMDB.testKeys.pairs) {
      const s = parseSignerKey(signerKey)
      const v = parseVerifierKey(verifierKey)
      expect([s.name, s.keyId]).toEqual([v.name, v.keyId])
      const msg = Buffer.from('hi\n')
      const sig = s.sign(msg)
      expect(v.verify(msg, sig)).toBe(true)
      expect(v.verify(Buffer.from('hj\n'), sig)).toBe(false)
    }
  })

  it('given a signer key with any character changed, then it is refused without echoing the secret', () => {
    const key: string = GO.peter.signerKey
    let accepted = 0
    for (let i = 0; i < key.length; i++) {
      const mangled = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1)
      try { parseSignerKey(mangled); accepted++ } catch (e) { expect((e as Error).message).not.toContain(key.slice(-20)) }
    }
    expect(accepted).toBe(0)
  })

  it('given a generated key, then its signer key string round-trips and its verifier key checks its signatures', () => {
    const g = generateNoteKey('csledger.invalid/ledger-1')
    const again = parseSignerKey(g.signerKey)
    const v = parseVerifierKey(g.verifierKey)
    expect(again.keyId).toBe(g.signer.keyId)
    expect(v.verify(Buffer.from('x\n'), again.sign(Buffer.from('x\n')))).toBe(true)
    expect(formatSignerKey(g.signer.name, g.privateKey)).toBe(g.signerKey)
  })

  it('given a node:crypto Ed25519 key, then the signer key ID is computed from its raw public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const s = ed25519NoteSigner('pic', privateKey)
    expect(s.keyId).toBe(noteKeyId('pic', rawPublicKey(publicKey)))
    expect(() => ed25519NoteSigner('pic', generateKeyPairSync('x25519').privateKey)).toThrow(/Ed25519/)
  })
})

describe('key names', () => {
  it('given names with spaces, plus signs, lone surrogates or nothing, then they are invalid; URLs and Unicode are valid', () => {
    for (const bad of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u0085b', 'a\u3000b', 'x\ud800']) expect(isValidKeyName(bad), JSON.stringify(bad)).toBe(false)
    for (const good of ['PeterNeumann', 'csledger.invalid/7d0e', 'Señor-1', 'example.com/behind-the-sofa']) expect(isValidKeyName(good), good).toBe(true)
  })
})
