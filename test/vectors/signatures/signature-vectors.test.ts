// The published vectors of docs/signatures.md (signatures.json and bundle/), checked against
// ledger-core and, independently, against the standalone verifier. The files are committed and
// never regenerated here: a change in how entries are signed, keys are sealed or checkpoints are
// signed shows up as a failure.
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import {
  KeyDirectory, checkCheckpoint, checkpointCode, ed25519NoteSigner, entryLeafHash, entrySignatureMessage, formatPublicKey, hashEntry, openPassphrase,
  openSigningCredential, parseCheckpoint, parseNote, signCheckpoint, signEntryHash, unsealPrivateKey, verifierKeysOf, verifyConsistency, verifyEntrySignature,
  verifyInclusion, type Entry,
} from '@csledger/ledger-core'
import { verifyBundle } from '@csledger/verifier'
import { signatureMessage } from '../../../packages/verifier/src/entry-signatures.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const V = JSON.parse(readFileSync(join(HERE, 'signatures.json'), 'utf8')) as {
  entry_signature_domain: string; ledger_id: string; origin: string
  users: Array<{ username: string; role: string; seed_hex: string; public_key: string }>
  entries: Array<{ entry: Entry; canonical: string; hash: string; signatures: Array<{ role: 'actor' | 'witness'; signer: string; message_hex: string; signature: string }> }>
  sealed_key: { username: string; passphrase: string; passphrase_hash: string; sealing_key_hex: string; aad_hex: string; sealed: string; seed_hex: string }
  keys_txt: string[]
  checkpoint: { size: number; root_base64: string; code: string; note: string }
  checkpoint_3: { size: number; root_base64: string; note: string }
  inclusion: { seq: number; index: number; size: number; proof_base64: string[]; tlog_proof: string }
  consistency: { size1: number; size2: number; proof_base64: string[] }
}
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex')
const keyOf = (username: string) => createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.from(V.users.find((u) => u.username === username)!.seed_hex, 'hex')]), format: 'der', type: 'pkcs8' })
const b64 = (s: string) => Buffer.from(s, 'base64')
const tmp: string[] = []
afterAll(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }) })

describe('entry signature vectors', () => {
  it('gives each user the public key of their seed', () => {
    for (const u of V.users) expect(formatPublicKey(createPublicKey(keyOf(u.username)))).toBe(u.public_key)
  })

  it.each(V.entries.map((e) => [e.entry.seq, e.entry.kind, e] as const))('entry %i (%s): hash, signed message and deterministic signatures match, in both implementations', (_seq, _kind, e) => {
    expect(hashEntry(e.entry)).toEqual({ canonical: e.canonical, hash: e.hash })
    for (const s of e.signatures) {
      expect(entrySignatureMessage(s.role, e.hash).toString('hex')).toBe(s.message_hex)
      expect(signatureMessage(s.role, e.hash).toString('hex')).toBe(s.message_hex)
      expect(Buffer.from(s.message_hex, 'hex').subarray(0, 16).toString('latin1')).toBe(`${V.entry_signature_domain}\0`)
      expect(signEntryHash(keyOf(s.signer), s.role, e.hash)).toBe(s.signature)
      expect(verifyEntrySignature(createPublicKey(keyOf(s.signer)), s.role, e.hash, s.signature)).toBe(true)
    }
  })
})

describe('sealed key vector', () => {
  it('derives the stored verifier and the sealing key from one scrypt run, and the sealed key opens to the seed', async () => {
    const s = V.sealed_key
    const opened = await openPassphrase(s.passphrase, s.passphrase_hash, true)
    expect(opened.ok).toBe(true)
    expect(opened.sealingKey!.toString('hex')).toBe(s.sealing_key_hex)
    const publicKey = V.users.find((u) => u.username === s.username)!.public_key
    const key = unsealPrivateKey(s.sealed, Buffer.from(s.sealing_key_hex, 'hex'), { username: s.username, publicKey })
    expect(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url').toString('hex')).toBe(s.seed_hex)
    const cred = await openSigningCredential(s.username, s.passphrase, { passphrase_hash: s.passphrase_hash, sealed_key: s.sealed }, publicKey)
    expect(cred.ok && cred.privateKey && formatPublicKey(createPublicKey(cred.privateKey))).toBe(publicKey)
  })
})

describe('checkpoint and proof vectors', () => {
  const leaves = V.entries.map((e) => entryLeafHash(e.hash))
  const directory = new KeyDirectory()
  for (const e of V.entries) directory.push(e.entry)

  it('re-signs the checkpoint to the same bytes, with the PIC under the origin and the physician under origin/drlee', () => {
    const cp = parseCheckpoint(parseNote(V.checkpoint.note).text)
    expect(cp).toMatchObject({ origin: V.origin, size: V.checkpoint.size, extensions: ['time 2026-11-03T12:00:00.000Z'] })
    expect(Buffer.from(cp.rootHash).toString('base64')).toBe(V.checkpoint.root_base64)
    expect(signCheckpoint(cp, [ed25519NoteSigner(V.origin, keyOf('pkim')), ed25519NoteSigner(`${V.origin}/drlee`, keyOf('drlee'))])).toBe(V.checkpoint.note)
    expect(checkpointCode(cp)).toBe(V.checkpoint.code)
  })

  it('lists the verifier keys the chain records, and checks both checkpoints against the entries', () => {
    expect(directory.keys.flatMap((k) => verifierKeysOf(k, V.origin))).toEqual(V.keys_txt)
    const roots = new Map([[3, b64(V.checkpoint_3.root_base64)], [6, b64(V.checkpoint.root_base64)]])
    for (const note of [V.checkpoint.note, V.checkpoint_3.note]) {
      const r = checkCheckpoint(note, { label: 'vector', ledgerId: V.ledger_id, directory, size: 6, roots })
      expect(r.findings).toEqual([])
      expect(r.verdict.status).toBe('ok')
    }
  })

  it('verifies the inclusion proof of entry 5 and the consistency proof 3 -> 6', () => {
    const i = V.inclusion
    expect(verifyInclusion({ index: i.index, size: i.size, leafHash: leaves[i.index]!, proof: i.proof_base64.map(b64), root: b64(V.checkpoint.root_base64) })).toEqual({ ok: true })
    expect(i.tlog_proof.endsWith(V.checkpoint.note)).toBe(true)
    const c = V.consistency
    expect(verifyConsistency({ size1: c.size1, size2: c.size2, root1: b64(V.checkpoint_3.root_base64), root2: b64(V.checkpoint.root_base64), proof: c.proof_base64.map(b64) })).toEqual({ ok: true })
  })
})

describe('the vector bundle', () => {
  it('is exactly the entries and signatures of signatures.json, and csledger-verify verifies it', async () => {
    const dir = join(HERE, 'bundle')
    expect(readFileSync(join(dir, 'entries.jsonl'), 'utf8')).toBe(V.entries.map((e) => `{"entry":${e.canonical},"hash":"${e.hash}"}\n`).join(''))
    const lines = readFileSync(join(dir, 'signatures.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines).toEqual(V.entries.flatMap((e) => e.signatures.map((s) => ({ role: s.role, seq: e.entry.seq, signature: s.signature, signer: s.signer }))))
    const r = await verifyBundle(dir)
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(r.status).toBe('verified')
    expect(r.signatures).toEqual({ file: true, verified: 7, unsignedWithoutKey: 0, keyedUsers: 3 })
  })

  it('given one signature of the bundle changed, then csledger-verify names the entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csledger-vector-bundle-'))
    tmp.push(dir)
    cpSync(join(HERE, 'bundle'), dir, { recursive: true })
    const sigs = readFileSync(join(dir, 'signatures.jsonl'), 'utf8').split('\n')
    const cosign = V.entries[5]!.signatures[0]!
    const forged = signEntryHash(keyOf('pkim'), 'actor', V.entries[5]!.hash)
    writeFileSync(join(dir, 'signatures.jsonl'), sigs.map((l) => l.replace(cosign.signature, forged)).join('\n'))
    const r = await verifyBundle(dir)
    expect(r.status).toBe('failed')
    expect(r.verdict).toBe("FAILED: the actor signature on entry 6 (cosign, actor drlee) does not verify with drlee's key (recorded at entry 3): the entry was changed after it was signed, or the signature is forged")
  })
})
