import { subtreeRoot, toLeafHashSource, type LeafHashes, type LeafHashSource } from './leaf-hash-source.ts'
import { PROOF_OK, proofFails, type ProofVerdict } from './proof-verdict.ts'
import { HASH_SIZE, hashChildren } from './rfc6962-hasher.ts'
import { assertCount, half, lsb, splitPoint } from './tree-math.ts'

/** What {@link verifyInclusion} checks: that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`. */
export interface InclusionCheck {
  /** 0-based leaf index (entry seq - 1). */
  readonly index: number
  /** Tree size the proof was made for. */
  readonly size: number
  /** The leaf hash, SHA-256(0x00 || leaf). */
  readonly leafHash: Uint8Array
  readonly proof: readonly Uint8Array[]
  /** The root hash at `size`, as a signed checkpoint states it. */
  readonly root: Uint8Array
}

/**
 * PATH(m, D[n]), RFC 9162 §2.1.3.1: the audit path proving that leaf `index` is in the tree of the
 * first `size` leaves. Reads the leaves it needs from `leaves` (an array or a source).
 *
 * @example
 * const proof = inclusionProof(41, 1042, leafHashes) // proves entry seq 42 is in checkpoint 1042
 */
export function inclusionProof(index: number, size: number, leaves: LeafHashes): Uint8Array[] {
  assertCount('index', index)
  assertCount('size', size)
  const source = toLeafHashSource(leaves)
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`)
  if (size > source.size) throw new RangeError(`a proof for size ${size} needs ${size} leaves; only ${source.size} are available`)
  const proof: Uint8Array[] = []
  path(source, index, 0, size, proof)
  return proof
}

// PATH(m, D[start:end]); appends in the RFC's order (deepest sibling first).
function path(source: LeafHashSource, m: number, start: number, end: number, out: Uint8Array[]): void {
  const n = end - start
  if (n === 1) return
  const k = splitPoint(n)
  if (m < k) {
    path(source, m, start, start + k, out)
    out.push(subtreeRoot(source, start + k, end))
  } else {
    path(source, m - k, start + k, end, out)
    out.push(subtreeRoot(source, start, start + k))
  }
}

/**
 * Verifies an inclusion proof with the algorithm of RFC 9162 §2.1.3.2. Never throws for a bad
 * proof: the verdict says why it failed.
 *
 * @example
 * const v = verifyInclusion({ index: 41, size: 1042, leafHash, proof, root: checkpoint.root })
 * if (!v.ok) console.log(v.reason)
 */
export function verifyInclusion(check: InclusionCheck): ProofVerdict {
  const computed = rootFromInclusionProof(check.index, check.size, check.leafHash, check.proof)
  if (!(computed instanceof Uint8Array)) return computed
  if (check.root.length !== HASH_SIZE) return proofFails(`the root is ${check.root.length} bytes, not ${HASH_SIZE}`)
  if (!Buffer.from(computed).equals(check.root)) return proofFails('the proof leads to a different root: the leaf is not at that index in that tree')
  return PROOF_OK
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-4), or the verdict saying why
 * the proof is malformed. Useful when the root is compared elsewhere.
 */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | ProofVerdict {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || size < 0) return proofFails('index and size must be non-negative integers')
  if (index >= size) return proofFails(`leaf index ${index} is not in a tree of ${size} leaves`)
  if (leafHash.length !== HASH_SIZE) return proofFails(`the leaf hash is ${leafHash.length} bytes, not ${HASH_SIZE}`)
  let fn = index
  let sn = size - 1
  let r: Uint8Array = leafHash
  for (const [i, p] of proof.entries()) {
    if (p.length !== HASH_SIZE) return proofFails(`proof element ${i} is ${p.length} bytes, not ${HASH_SIZE}`)
    if (sn === 0) return proofFails(`the proof is too long: ${proof.length} elements, ${i} expected`)
    if (lsb(fn) || fn === sn) {
      r = hashChildren(p, r)
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      r = hashChildren(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) return proofFails(`the proof is too short: ${proof.length} elements`)
  return r
}
