// The verifier package restates the entry hash, the Merkle tree and the signed-note checks so an
// inspector can read it alone. This test keeps the two implementations in agreement: on the
// published vectors, on random trees, and on notes and codes made by one and read by the other.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENTRY_FORMAT, ENTRY_HASH_DOMAIN_V1, GENESIS_PREV_HASH, canonicalJson, hashCanonical } from '@csledger/ledger-core'
// Deep imports until ledger-core's index exports the merkle/ and checkpoint/ modules.
import { entryLeafHash, hashLeaf } from '../../../packages/ledger-core/src/merkle/rfc6962-hasher.ts'
import { merkleRoot } from '../../../packages/ledger-core/src/merkle/merkle-root.ts'
import { inclusionProof } from '../../../packages/ledger-core/src/merkle/inclusion-proof.ts'
import { consistencyProof, verifyConsistency } from '../../../packages/ledger-core/src/merkle/consistency-proof.ts'
import { MerkleFrontier } from '../../../packages/ledger-core/src/merkle/merkle-frontier.ts'
import { checkpointOrigin } from '../../../packages/ledger-core/src/checkpoint/checkpoint-origin.ts'
import { base32, checkpointCode } from '../../../packages/ledger-core/src/checkpoint/checkpoint-code.ts'
import { generateNoteKey, parseSignerKey } from '../../../packages/ledger-core/src/checkpoint/note-key.ts'
import { cosignNote, signNote } from '../../../packages/ledger-core/src/checkpoint/signed-note.ts'
import { signCheckpoint } from '../../../packages/ledger-core/src/checkpoint/signed-checkpoint.ts'
import * as verifier from '@csledger/verifier'

const V = JSON.parse(readFileSync(new URL('./rfc6962.json', import.meta.url), 'utf8'))
const GO = JSON.parse(readFileSync(new URL('../checkpoint/go-sumdb-note.json', import.meta.url), 'utf8'))
const core = { ENTRY_FORMAT, ENTRY_HASH_DOMAIN_V1, GENESIS_PREV_HASH, canonicalJson, hashCanonical, entryLeafHash, hashLeaf, merkleRoot, inclusionProof, consistencyProof, verifyConsistency, MerkleFrontier, checkpointOrigin, base32, checkpointCode, generateNoteKey, parseSignerKey, cosignNote, signNote, signCheckpoint }
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => Buffer.from(s, 'hex')

function leafStore(leaves: readonly Uint8Array[]): verifier.LeafStore {
  const s = new verifier.LeafStore()
  for (const l of leaves) s.push(l)
  return s
}
function verifierRoot(leaves: readonly Buffer[]): Buffer {
  const f = new verifier.Frontier()
  for (const l of leaves) f.append(l)
  return f.root()
}

describe('the verifier\'s Merkle code on the published RFC 6962 vectors', () => {
  const leaves = (V.leaves as string[]).map((l) => verifier.hashLeaf(unhex(l)))
  it('given the vector leaves, then the verifier computes the published roots, proofs and verdicts', () => {
    expect(hex(verifierRoot([]))).toBe(V.emptyRoot)
    for (let n = 1; n <= 8; n++) expect(hex(verifierRoot(leaves.slice(0, n)))).toBe(V.roots[String(n)])
    const store = leafStore(leaves)
    for (const v of V.inclusion as { index: number; size: number; proof: string[] }[]) {
      expect(verifier.inclusionProof(v.index, v.size, store).map(hex)).toEqual(v.proof)
      expect(verifier.verifyInclusion(v.index, v.size, leaves[v.index]!, v.proof.map(unhex), unhex(V.roots[String(v.size)]))).toBe(true)
    }
    for (const v of V.consistency as { size1: number; size2: number; proof: string[] }[]) {
      expect(verifier.consistencyProof(v.size1, v.size2, store).map(hex)).toEqual(v.proof)
      expect(verifier.verifyConsistency(v.size1, v.size2, unhex(V.roots[String(v.size1)]), unhex(V.roots[String(v.size2)]), v.proof.map(unhex))).toBe(true)
    }
  })
})

describe('ledger-core and the verifier agree', () => {
  it('given random trees of every size 1..200, then roots and proofs are identical and each accepts the other\'s proofs', () => {
    const leaves = Array.from({ length: 200 }, (_, i) => core.hashLeaf(createHash('sha256').update(`agree ${i}`).digest()))
    const store = leafStore(leaves)
    const frontier = new core.MerkleFrontier()
    for (let n = 1; n <= 200; n++) {
      frontier.append(leaves[n - 1]!)
      const root = core.merkleRoot(leaves.slice(0, n))
      expect(hex(verifierRoot(leaves.slice(0, n))), `root ${n}`).toBe(hex(root))
      expect(hex(frontier.root())).toBe(hex(root))
      const i = (n * 7919) % n
      const m = 1 + ((n * 104729) % n)
      const ip = core.inclusionProof(i, n, leaves)
      expect(verifier.inclusionProof(i, n, store).map(hex), `path ${i}@${n}`).toEqual(ip.map(hex))
      expect(verifier.verifyInclusion(i, n, leaves[i]!, ip, root)).toBe(true)
      const cp = verifier.consistencyProof(m, n, store)
      expect(core.consistencyProof(m, n, leaves).map(hex), `proof ${m}->${n}`).toEqual(cp.map(hex))
      const root1 = core.merkleRoot(leaves.slice(0, m))
      expect(core.verifyConsistency({ size1: m, size2: n, root1, root2: root, proof: cp }).ok).toBe(true)
      expect(verifier.verifyConsistency(m, n, root1, root, cp)).toBe(true)
      if (cp.length > 0) {
        const bad = cp.map((p) => Buffer.from(p))
        bad[bad.length - 1]![0]! ^= 1
        expect(core.verifyConsistency({ size1: m, size2: n, root1, root2: root, proof: bad }).ok).toBe(false)
        expect(verifier.verifyConsistency(m, n, root1, root, bad)).toBe(false)
      }
    }
  })

  it('given entries, then the canonical bytes and the entry hash are the same in both', () => {
    const entries = [
      { format: 1, ledger_id: 'L', seq: 1, prev_hash: core.GENESIS_PREV_HASH, kind: 'registrant', z: 'é', a: [1, 2.5, -0], n: null },
      { format: 1, ledger_id: 'L', seq: 2, prev_hash: 'ab'.repeat(32), data: { given_mg: '25.5', b: true, '\u20ac': 'euro' } },
    ]
    for (const e of entries) {
      const canonical = core.canonicalJson(e)
      expect(verifier.canonicalJson(e)).toBe(canonical)
      expect(verifier.entryHash(canonical)).toBe(core.hashCanonical(canonical))
      expect(hex(verifier.entryLeaf(core.hashCanonical(canonical)))).toBe(hex(core.entryLeafHash(core.hashCanonical(canonical))))
    }
    expect(verifier.ENTRY_HASH_DOMAIN_V1).toBe(core.ENTRY_HASH_DOMAIN_V1)
    expect(verifier.GENESIS_PREV_HASH).toBe(core.GENESIS_PREV_HASH)
    expect(verifier.ENTRY_FORMAT).toBe(core.ENTRY_FORMAT)
  })

  it('given a checkpoint signed by ledger-core with two keys, then the verifier reads the keys, the note, the body and the code the same way', () => {
    const origin = core.checkpointOrigin('ledger-agree')
    const pic = core.generateNoteKey(origin)
    const director = core.generateNoteKey(`${origin}/medical-director`)
    const cp = { origin, size: 42, rootHash: createHash('sha256').update('root').digest() }
    const note = core.cosignNote(core.signCheckpoint(cp, [pic.signer]), [director.signer])
    const parsed = verifier.parseNote(Buffer.from(note))
    if (typeof parsed === 'string') throw new Error(parsed)
    const keys = [pic.verifierKey, director.verifierKey].map((k) => verifier.parseVerifierKey(k))
    parsed.signatures.forEach((sig, i) => {
      const key = keys[i]
      if (typeof key === 'string' || key === undefined) throw new Error(String(key))
      expect([sig.name, sig.keyId]).toEqual([key.name, key.keyId])
      expect(verifier.signatureVerifies(key, parsed.text, sig.signature)).toBe(true)
    })
    const body = verifier.parseCheckpoint(parsed.text)
    if (typeof body === 'string') throw new Error(body)
    expect([body.origin, body.size, hex(body.root)]).toEqual([origin, 42, hex(cp.rootHash)])
    expect(verifier.checkpointCode(42, body.root)).toBe(core.checkpointCode(cp))
    expect(verifier.base32(cp.rootHash)).toBe(core.base32(cp.rootHash))
  })

  it('given the Go sumdb/note vector, then the verifier verifies what ledger-core signs byte for byte', () => {
    const signed = core.signNote(GO.text, [core.parseSignerKey(GO.peter.signerKey)])
    expect(signed).toBe(GO.signedByPeter)
    const parsed = verifier.parseNote(Buffer.from(signed))
    const key = verifier.parseVerifierKey(GO.peter.verifierKey)
    if (typeof parsed === 'string' || typeof key === 'string') throw new Error('vector did not parse')
    expect(verifier.signatureVerifies(key, parsed.text, parsed.signatures[0]!.signature)).toBe(true)
    expect(typeof verifier.parseVerifierKey(GO.badVerifierKeys[0].key)).toBe('string')
  })
})
