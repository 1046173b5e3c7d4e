import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { EMPTY_ROOT_HASH, entryLeafHash, hashChildren, hashLeaf } from './rfc6962-hasher.ts'
import { merkleRoot } from './merkle-root.ts'
import { inclusionProof, verifyInclusion } from './inclusion-proof.ts'
import { consistencyProof, verifyConsistency } from './consistency-proof.ts'
import { MerkleFrontier } from './merkle-frontier.ts'
import { splitPoint } from './tree-math.ts'

// Published vectors (transparency-dev/merkle); see the file's "sources".
const V = JSON.parse(readFileSync(new URL('../../../../test/vectors/merkle/rfc6962.json', import.meta.url), 'utf8')) as {
  leaves: string[]; emptyRoot: string; roots: Record<string, string>; nodeHashes: string[][]
  compactTrees: Record<string, [number, number][]>
  inclusion: { index: number; size: number; proof: string[] }[]
  consistency: { size1: number; size2: number; proof: string[] }[]
  hasher: { kind: string; leafAscii?: string; leftAscii?: string; rightAscii?: string; want: string }[]
  base64Crosscheck: { inclusion: { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] }; consistency: { size1: number; size2: number; root1: string; root2: string; proof: string[] } }
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => Buffer.from(s, 'hex')
const vectorLeafHashes = V.leaves.map((l) => hashLeaf(unhex(l)))

// ---- an independent naive implementation, straight from the RFC 9162 §2.1 definitions ----
const sha = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
function naiveK(n: number): number { let k = 1; while (k * 2 < n) k *= 2; return k }
function naiveMth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha()
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!)
  const k = naiveK(d.length)
  return sha(Buffer.from([1]), naiveMth(d.slice(0, k)), naiveMth(d.slice(k)))
}
function naivePath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return []
  const k = naiveK(d.length)
  return m < k ? [...naivePath(m, d.slice(0, k)), naiveMth(d.slice(k))] : [...naivePath(m - k, d.slice(k)), naiveMth(d.slice(0, k))]
}
function naiveSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [naiveMth(d)]
  const k = naiveK(d.length)
  return m <= k ? [...naiveSubproof(m, d.slice(0, k), b), naiveMth(d.slice(k))] : [...naiveSubproof(m - k, d.slice(k), false), naiveMth(d.slice(0, k))]
}
function naiveProof(m: number, d: Buffer[]): Buffer[] { return m === 0 || m === d.length ? [] : naiveSubproof(m, d, true) }

// Deterministic PRNG (mulberry32): random sizes that are the same on every run.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('RFC 6962 hasher', () => {
  it('given the published hasher vectors, when hashing, then each hash matches', () => {
    for (const v of V.hasher) {
      const got = v.kind === 'empty' ? EMPTY_ROOT_HASH
        : v.kind === 'leaf' ? hashLeaf(Buffer.from(v.leafAscii!, 'ascii'))
        : hashChildren(Buffer.from(v.leftAscii!, 'ascii'), Buffer.from(v.rightAscii!, 'ascii'))
      expect(hex(got)).toBe(v.want)
    }
  })

  it('given a leaf and a node over the same bytes, then the domain prefixes keep their hashes apart', () => {
    const [a, b] = [hashLeaf(Buffer.from('Hello')), hashLeaf(Buffer.from('World'))]
    expect(hex(hashChildren(a, b))).not.toBe(hex(hashLeaf(Buffer.concat([a, b]))))
    expect(hex(hashChildren(a, b))).not.toBe(hex(hashChildren(b, a)))
  })

  it('given an entry hash in hex, then its leaf hash is hashLeaf of its 32 bytes, and a malformed one is refused', () => {
    const h = 'ab'.repeat(32)
    expect(hex(entryLeafHash(h))).toBe(hex(hashLeaf(unhex(h))))
    expect(() => entryLeafHash('AB'.repeat(32))).toThrow(/lowercase hex/)
    expect(() => entryLeafHash('ab')).toThrow(/64 lowercase hex/)
  })
})

describe('merkleRoot and MerkleFrontier against the published vectors', () => {
  it('given the 8 vector leaves, when taking the root of each prefix, then it matches the published root', () => {
    expect(hex(merkleRoot([]))).toBe(V.emptyRoot)
    for (let n = 1; n <= 8; n++) expect(hex(merkleRoot(vectorLeafHashes.slice(0, n))), `size ${n}`).toBe(V.roots[String(n)])
  })

  it('given leaves appended one by one, then the frontier holds the published compact range and its root', () => {
    const f = new MerkleFrontier()
    expect(hex(f.root())).toBe(V.emptyRoot)
    for (let n = 1; n <= 8; n++) {
      f.append(vectorLeafHashes[n - 1]!)
      const want = V.compactTrees[String(n)]!.map(([level, i]) => V.nodeHashes[level]![i]!)
      expect(f.nodes().map(hex), `size ${n}`).toEqual(want)
      expect(hex(f.root()), `size ${n}`).toBe(V.roots[String(n)])
    }
  })
})

describe('inclusion proofs', () => {
  it('given the published inclusion vectors, when proving, then the path is the published one and verifies', () => {
    for (const v of V.inclusion) {
      const proof = inclusionProof(v.index, v.size, vectorLeafHashes)
      expect(proof.map(hex), `${v.index}@${v.size}`).toEqual(v.proof)
      const root = unhex(V.roots[String(v.size)]!)
      expect(verifyInclusion({ index: v.index, size: v.size, leafHash: vectorLeafHashes[v.index]!, proof: v.proof.map(unhex), root })).toEqual({ ok: true })
    }
  })

  it('given a valid proof, when it is corrupted as transparency-dev corrupts it, then every probe fails', () => {
    const some = unhex('abacaba000000000000000000000000000000000000000000060061e00123456')
    for (const v of V.inclusion.filter((x) => x.size > 1)) {
      const root = unhex(V.roots[String(v.size)]!)
      const leafHash = vectorLeafHashes[v.index]!
      const proof = v.proof.map(unhex)
      const probes: [string, Parameters<typeof verifyInclusion>[0]][] = [
        ['index - 1', { index: v.index - 1, size: v.size, leafHash, proof, root }],
        ['index + 1', { index: v.index + 1, size: v.size, leafHash, proof, root }],
        ['index ^ 2', { index: v.index ^ 2, size: v.size, leafHash, proof, root }],
        ['size * 2', { index: v.index, size: v.size * 2, leafHash, proof, root }],
        ['size / 2', { index: v.index, size: Math.floor(v.size / 2), leafHash, proof, root }],
        ['wrong leaf', { index: v.index, size: v.size, leafHash: Buffer.from('WrongLeaf'), proof, root }],
        ['empty root', { index: v.index, size: v.size, leafHash, proof, root: EMPTY_ROOT_HASH }],
        ['random root', { index: v.index, size: v.size, leafHash, proof, root: some }],
        ['trailing garbage', { index: v.index, size: v.size, leafHash, proof: [...proof, Buffer.alloc(0)], root }],
        ['trailing root', { index: v.index, size: v.size, leafHash, proof: [...proof, root], root }],
        ['preceding garbage', { index: v.index, size: v.size, leafHash, proof: [Buffer.alloc(0), ...proof], root }],
        ['preceding root', { index: v.index, size: v.size, leafHash, proof: [root, ...proof], root }],
        ['removed component', { index: v.index, size: v.size, leafHash, proof: proof.slice(0, -1), root }],
      ]
      if (proof.length > 1) probes.push(['inserted component', { index: v.index, size: v.size, leafHash, proof: [proof[0]!, some, ...proof.slice(1)], root }])
      proof.forEach((_, i) => {
        const bad = proof.map((p) => Buffer.from(p))
        bad[i]![0]! ^= 8
        probes.push([`modified proof[${i}] bit 3`, { index: v.index, size: v.size, leafHash, proof: bad, root }])
      })
      for (const [desc, probe] of probes) expect(verifyInclusion(probe).ok, `${v.index}@${v.size}: ${desc}`).toBe(false)
    }
  })

  it('given the published base64 happy path, then it verifies', () => {
    const c = V.base64Crosscheck.inclusion
    const b = (s: string) => Buffer.from(s, 'base64')
    expect(verifyInclusion({ index: c.leafIdx, size: c.treeSize, leafHash: b(c.leafHash), proof: c.proof.map(b), root: b(c.root) })).toEqual({ ok: true })
  })

  it('given impossible indexes, then proving throws and verifying fails with a reason', () => {
    expect(() => inclusionProof(0, 0, [])).toThrow(RangeError)
    expect(() => inclusionProof(8, 8, vectorLeafHashes)).toThrow(RangeError)
    expect(() => inclusionProof(0, 9, vectorLeafHashes)).toThrow(/only 8/)
    const some = vectorLeafHashes[0]!
    for (const [index, size] of [[0, 0], [1, 0], [2, 1]] as const) {
      const v = verifyInclusion({ index, size, leafHash: some, proof: [], root: some })
      expect(v.ok).toBe(false)
    }
    const v = verifyInclusion({ index: 0, size: 1, leafHash: Buffer.alloc(0), proof: [], root: Buffer.alloc(0) })
    expect(v).toEqual({ ok: false, reason: 'the leaf hash is 0 bytes, not 32' })
  })
})

describe('consistency proofs', () => {
  it('given the published consistency vectors, when proving, then the proof is the published one and verifies', () => {
    for (const v of V.consistency) {
      expect(consistencyProof(v.size1, v.size2, vectorLeafHashes).map(hex), `${v.size1}->${v.size2}`).toEqual(v.proof)
      const check = { size1: v.size1, size2: v.size2, root1: unhex(V.roots[String(v.size1)]!), root2: unhex(V.roots[String(v.size2)]!), proof: v.proof.map(unhex) }
      expect(verifyConsistency(check), `${v.size1}->${v.size2}`).toEqual({ ok: true })
    }
  })

  it('given a valid non-trivial proof, when it is corrupted as transparency-dev corrupts it, then every probe fails', () => {
    for (const v of V.consistency.filter((x) => x.proof.length > 0)) {
      const root1 = unhex(V.roots[String(v.size1)]!)
      const root2 = unhex(V.roots[String(v.size2)]!)
      const proof = v.proof.map(unhex)
      const s = { size1: v.size1, size2: v.size2, root1, root2, proof }
      const probes: [string, Parameters<typeof verifyConsistency>[0]][] = [
        ['size1 - 1', { ...s, size1: v.size1 - 1 }],
        ['size1 + 1', { ...s, size1: v.size1 + 1 }],
        ['size1 ^ 2', { ...s, size1: v.size1 ^ 2 }],
        ['size2 * 2', { ...s, size2: v.size2 * 2 }],
        ['size2 / 2', { ...s, size2: Math.floor(v.size2 / 2) }],
        ['wrong root1', { ...s, root1: Buffer.from('WrongRoot') }],
        ['wrong root2', { ...s, root2: Buffer.from('WrongRoot') }],
        ['swapped roots', { ...s, root1: root2, root2: root1 }],
        ['empty proof', { ...s, proof: [] }],
        ['trailing garbage', { ...s, proof: [...proof, Buffer.alloc(0)] }],
        ['trailing root1', { ...s, proof: [...proof, root1] }],
        ['trailing root2', { ...s, proof: [...proof, root2] }],
        ['preceding garbage', { ...s, proof: [Buffer.alloc(0), ...proof] }],
        ['preceding root1', { ...s, proof: [root1, ...proof] }],
        ['preceding root2', { ...s, proof: [root2, ...proof] }],
        ['preceding proof[0]', { ...s, proof: [proof[0]!, ...proof] }],
        ['truncated proof', { ...s, proof: proof.slice(0, -1) }],
      ]
      proof.forEach((_, i) => {
        const bad = proof.map((p) => Buffer.from(p))
        bad[i]![0]! ^= 16
        probes.push([`modified proof[${i}] bit 4`, { ...s, proof: bad }])
      })
      for (const [desc, probe] of probes) expect(verifyConsistency(probe).ok, `${v.size1}->${v.size2}: ${desc}`).toBe(false)
    }
  })

  it('given the edge cases of transparency-dev TestVerifyConsistency, then each verdict matches', () => {
    const r1 = Buffer.alloc(32, 1)
    const r2 = Buffer.alloc(32, 2)
    const empty = EMPTY_ROOT_HASH
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
      [0, 0, r1, r2, [], false], [1, 1, r1, r2, [], false],
      [0, 0, r1, r1, [], true], [0, 1, r1, r2, [], true], [1, 1, r2, r2, [], true],
      [1, 0, r1, r2, [], false], [2, 1, r1, r2, [], false],
      [1, 2, r1, r2, [], false],
      [0, 0, empty, r2, [], false], [1, 1, empty, r2, [], false],
      [0, 0, empty, empty, [empty], false], [0, 1, empty, empty, [empty], false], [1, 1, empty, empty, [empty], false],
    ]
    for (const [size1, size2, root1, root2, proof, ok] of cases) {
      expect(verifyConsistency({ size1, size2, root1, root2, proof }).ok, `${size1}->${size2}`).toBe(ok)
    }
  })

  it('given the published base64 happy path, then it verifies', () => {
    const c = V.base64Crosscheck.consistency
    const b = (s: string) => Buffer.from(s, 'base64')
    expect(verifyConsistency({ size1: c.size1, size2: c.size2, root1: b(c.root1), root2: b(c.root2), proof: c.proof.map(b) })).toEqual({ ok: true })
  })
})

describe('against an independent naive implementation', () => {
  it('given random leaves for every size 1..300, then roots, frontier roots and proofs agree with the naive RFC definitions and verify', () => {
    const rnd = prng(6962)
    const data = Array.from({ length: 300 }, (_, i) => createHash('sha256').update(`entry ${i} ${rnd()}`).digest())
    const leafHashes = data.map((d) => hashLeaf(d))
    const frontier = new MerkleFrontier()
    for (let n = 1; n <= 300; n++) {
      frontier.append(leafHashes[n - 1]!)
      const d = data.slice(0, n)
      const root = naiveMth(d)
      expect(hex(merkleRoot(leafHashes.slice(0, n))), `root ${n}`).toBe(hex(root))
      expect(hex(frontier.root()), `frontier ${n}`).toBe(hex(root))
      for (let t = 0; t < 2; t++) {
        const i = Math.floor(rnd() * n)
        const proof = inclusionProof(i, n, leafHashes)
        expect(proof.map(hex), `path ${i}@${n}`).toEqual(naivePath(i, d).map(hex))
        expect(verifyInclusion({ index: i, size: n, leafHash: leafHashes[i]!, proof, root }).ok).toBe(true)
        const m = 1 + Math.floor(rnd() * n)
        const cproof = consistencyProof(m, n, leafHashes)
        expect(cproof.map(hex), `proof ${m}->${n}`).toEqual(naiveProof(m, d).map(hex))
        expect(verifyConsistency({ size1: m, size2: n, root1: naiveMth(data.slice(0, m)), root2: root, proof: cproof }).ok, `verify ${m}->${n}`).toBe(true)
      }
    }
  })

  it('given every pair of sizes up to 40, then each consistency proof verifies and fails against a changed older leaf', () => {
    const data = Array.from({ length: 40 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest())
    const leafHashes = data.map((d) => hashLeaf(d))
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, n, leafHashes)
        const root1 = merkleRoot(leafHashes.slice(0, m))
        const root2 = merkleRoot(leafHashes.slice(0, n))
        expect(verifyConsistency({ size1: m, size2: n, root1, root2, proof }).ok, `${m}->${n}`).toBe(true)
        // the older tree as it would be had one of its entries been edited afterwards
        const edited = [...leafHashes.slice(0, m)]
        edited[m - 1] = hashLeaf(Buffer.from('edited'))
        expect(verifyConsistency({ size1: m, size2: n, root1: merkleRoot(edited), root2, proof }).ok, `edited ${m}->${n}`).toBe(false)
      }
    }
  })
})

describe('MerkleFrontier state', () => {
  it('given a frontier saved and resumed, when appending more leaves, then its root equals the root of all leaves', () => {
    const leaves = Array.from({ length: 77 }, (_, i) => hashLeaf(Buffer.from(String(i))))
    const a = new MerkleFrontier()
    leaves.slice(0, 45).forEach((l) => a.append(l))
    const b = MerkleFrontier.fromState(JSON.parse(JSON.stringify(a.toState())))
    leaves.slice(45).forEach((l) => b.append(l))
    expect(b.size).toBe(77)
    expect(hex(b.root())).toBe(hex(merkleRoot(leaves)))
  })

  it('given a saved state whose node count does not fit its size, then resuming refuses it', () => {
    expect(() => MerkleFrontier.fromState({ size: 3, nodes: ['00'.repeat(32)] })).toThrow(/has 2 nodes/)
    expect(() => MerkleFrontier.fromState({ size: 1, nodes: ['zz'] })).toThrow(/hex/)
  })

  it('given a leaf that is not 32 bytes, then append refuses it', () => {
    expect(() => new MerkleFrontier().append(Buffer.alloc(31))).toThrow(/32 bytes/)
  })
})

describe('tree sizes beyond 32 bits', () => {
  it('given sizes past 2^32, then the split point is exact', () => {
    expect(splitPoint(2)).toBe(1)
    expect(splitPoint(7)).toBe(4)
    expect(splitPoint(8)).toBe(4)
    expect(splitPoint(28937)).toBe(16384)
    expect(splitPoint(2 ** 40 + 1)).toBe(2 ** 40)
    expect(splitPoint(2 ** 40)).toBe(2 ** 39)
  })
})

describe('the empty tree', () => {
  it('given no leaves, then the root constant is SHA-256 of the empty string (RFC 6962 §2.1)', () => {
    expect(Buffer.from(EMPTY_ROOT_HASH).toString('hex')).toBe(createHash('sha256').update(new Uint8Array(0)).digest('hex'))
  })
})
