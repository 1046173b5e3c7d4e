// The RFC 6962 / RFC 9162 Merkle tree over entry hashes, restated here so that this package can be
// read and run alone. Leaf i (entry seq i+1) is SHA-256(0x00 || the 32 bytes of its entry hash);
// a node is SHA-256(0x01 || left || right); a tree of n leaves splits at the largest power of two
// smaller than n; the empty tree's root is SHA-256 of nothing.
import { createHash } from 'node:crypto'

export const HASH_SIZE = 32

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest()
}

/** SHA-256(0x00 || leaf). */
export function hashLeaf(leaf: Uint8Array): Buffer {
  return sha256(Buffer.concat([Buffer.from([0x00]), leaf]))
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([Buffer.from([0x01]), left, right]))
}

/** The leaf hash of an entry, from its 64-hex-digit entry hash. */
export function entryLeaf(entryHashHex: string): Buffer {
  return hashLeaf(Buffer.from(entryHashHex, 'hex'))
}

/** Leaf hashes packed end to end in one growing buffer (32 bytes each): 32 MB for a million entries. */
export class LeafStore {
  #buf = Buffer.alloc(HASH_SIZE * 1024)
  #size = 0
  get size(): number { return this.#size }
  push(leafHash: Uint8Array): void {
    if ((this.#size + 1) * HASH_SIZE > this.#buf.length) {
      const bigger = Buffer.alloc(this.#buf.length * 2)
      this.#buf.copy(bigger)
      this.#buf = bigger
    }
    this.#buf.set(leafHash, this.#size * HASH_SIZE)
    this.#size++
  }
  at(i: number): Buffer {
    if (i < 0 || i >= this.#size) throw new RangeError(`no leaf ${i}`)
    return this.#buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)
  }
}

/**
 * The right edge of the tree: one perfect-subtree root per set bit of the size. Appending is cheap
 * and root() is the root of every leaf appended so far.
 */
export class Frontier {
  #size = 0
  readonly #nodes: Buffer[] = []
  get size(): number { return this.#size }
  append(leafHash: Buffer): void {
    let node = leafHash
    for (let count = this.#size; count % 2 === 1; count = Math.floor(count / 2)) node = hashChildren(this.#nodes.pop() as Buffer, node)
    this.#nodes.push(node)
    this.#size++
  }
  root(): Buffer {
    if (this.#nodes.length === 0) return sha256(new Uint8Array(0))
    let root = this.#nodes[this.#nodes.length - 1] as Buffer
    for (let i = this.#nodes.length - 2; i >= 0; i--) root = hashChildren(this.#nodes[i] as Buffer, root)
    return root
  }
}

/** MTH(D[start:end]) over stored leaves. */
export function subtreeRoot(leaves: LeafStore, start: number, end: number): Buffer {
  const f = new Frontier()
  for (let i = start; i < end; i++) f.append(leaves.at(i))
  return f.root()
}

/** The largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): consistency proof between sizes m <= n. */
export function consistencyProof(m: number, n: number, leaves: LeafStore): Buffer[] {
  const out: Buffer[] = []
  const sub = (m: number, start: number, end: number, b: boolean): void => {
    if (m === end - start) {
      if (!b) out.push(subtreeRoot(leaves, start, end))
      return
    }
    const k = splitPoint(end - start)
    if (m <= k) {
      sub(m, start, start + k, b)
      out.push(subtreeRoot(leaves, start + k, end))
    } else {
      sub(m - k, start + k, end, false)
      out.push(subtreeRoot(leaves, start, start + k))
    }
  }
  if (m > 0 && m < n) sub(m, 0, n, true)
  return out
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): inclusion proof of leaf m in the tree of size n. */
export function inclusionProof(m: number, n: number, leaves: LeafStore): Buffer[] {
  const out: Buffer[] = []
  const path = (m: number, start: number, end: number): void => {
    if (end - start <= 1) return
    const k = splitPoint(end - start)
    if (m < k) {
      path(m, start, start + k)
      out.push(subtreeRoot(leaves, start + k, end))
    } else {
      path(m - k, start + k, end)
      out.push(subtreeRoot(leaves, start, start + k))
    }
  }
  path(m, 0, n)
  return out
}

/** RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is leaf `index` of the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (index >= size || leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE) return false
  let fn = index
  let sn = size - 1
  let r: Buffer = Buffer.from(leafHash)
  for (const p of proof) {
    if (sn === 0 || p.length !== HASH_SIZE) return false
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r)
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      r = hashChildren(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && r.equals(root)
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of size2 with root2 extends the tree of size1
 * with root1? (Equal sizes need equal roots and an empty proof; size1 0 needs an empty proof.)
 */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (size2 < size1 || root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2)
  if (size1 === 0) return proof.length === 0
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_SIZE)) return false
  let isPow2 = size1
  while (isPow2 % 2 === 0) isPow2 /= 2
  const path = isPow2 === 1 ? [root1, ...proof] : [...proof]
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array)
  let sr = fr
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr)
      sr = hashChildren(c, sr)
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      sr = hashChildren(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2)
}
