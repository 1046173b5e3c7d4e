import { subtreeRoot, toLeafHashSource, type LeafHashes, type LeafHashSource } from './leaf-hash-source.ts'
import { PROOF_OK, proofFails, type ProofVerdict } from './proof-verdict.ts'
import { HASH_SIZE, hashChildren } from './rfc6962-hasher.ts'
import { assertCount, half, isPowerOfTwo, lsb, splitPoint } from './tree-math.ts'

/** What {@link verifyConsistency} checks: that the tree of `size2` leaves extends the tree of `size1` leaves. */
export interface ConsistencyCheck {
  readonly size1: number
  readonly size2: number
  /** Root at size1 (the older checkpoint). */
  readonly root1: Uint8Array
  /** Root at size2 (the newer checkpoint). */
  readonly root2: Uint8Array
  readonly proof: readonly Uint8Array[]
}

/**
 * PROOF(m, D[n]), RFC 9162 §2.1.4.1: the consistency proof that the tree of the first `size2`
 * leaves contains the tree of the first `size1` leaves unchanged (append-only). Empty when
 * size1 is 0 or equals size2.
 *
 * @example
 * const proof = consistencyProof(1000, 1042, leafHashes)
 */
export function consistencyProof(size1: number, size2: number, leaves: LeafHashes): Uint8Array[] {
  assertCount('size1', size1)
  assertCount('size2', size2)
  const source = toLeafHashSource(leaves)
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`)
  if (size2 > source.size) throw new RangeError(`a proof for size ${size2} needs ${size2} leaves; only ${source.size} are available`)
  const proof: Uint8Array[] = []
  if (size1 === 0 || size1 === size2) return proof
  subproof(source, size1, 0, size2, true, proof)
  return proof
}

// SUBPROOF(m, D[start:end], b)
function subproof(source: LeafHashSource, m: number, start: number, end: number, b: boolean, out: Uint8Array[]): void {
  const n = end - start
  if (m === n) {
    if (!b) out.push(subtreeRoot(source, start, end))
    return
  }
  const k = splitPoint(n)
  if (m <= k) {
    subproof(source, m, start, start + k, b, out)
    out.push(subtreeRoot(source, start + k, end))
  } else {
    subproof(source, m - k, start + k, end, false, out)
    out.push(subtreeRoot(source, start, start + k))
  }
}

/**
 * Verifies a consistency proof with the algorithm of RFC 9162 §2.1.4.2. The edge cases follow the
 * RFC 6962 verifier of transparency-dev/merkle: size1 = size2 needs an empty proof and equal
 * roots; size1 = 0 needs an empty proof (any tree extends the empty tree). Never throws for a bad
 * proof: the verdict says why it failed.
 *
 * @example
 * const v = verifyConsistency({ size1: 1000, size2: 1042, root1: older.root, root2: newer.root, proof })
 */
export function verifyConsistency(check: ConsistencyCheck): ProofVerdict {
  const { size1, size2, root1, root2, proof } = check
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < 0) return proofFails('sizes must be non-negative integers')
  if (size2 < size1) return proofFails(`size ${size2} is smaller than size ${size1}: a log never shrinks`)
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return proofFails(`roots must be ${HASH_SIZE} bytes`)
  if (size1 === size2) {
    if (proof.length !== 0) return proofFails('a proof between equal sizes must be empty')
    return Buffer.from(root1).equals(root2) ? PROOF_OK : proofFails(`two different roots for the same size ${size1}: the log forked`)
  }
  if (size1 === 0) return proof.length === 0 ? PROOF_OK : proofFails('a proof from the empty tree must be empty')
  // RFC 9162 §2.1.4.2
  if (proof.length === 0) return proofFails('the proof is empty')
  for (const [i, p] of proof.entries()) {
    if (p.length !== HASH_SIZE) return proofFails(`proof element ${i} is ${p.length} bytes, not ${HASH_SIZE}`)
  }
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof]
  let fn = size1 - 1
  let sn = size2 - 1
  while (lsb(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  let fr: Uint8Array = path[0] as Uint8Array
  let sr: Uint8Array = fr
  for (const c of path.slice(1)) {
    if (sn === 0) return proofFails('the proof is too long')
    if (lsb(fn) || fn === sn) {
      fr = hashChildren(c, fr)
      sr = hashChildren(c, sr)
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      sr = hashChildren(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) return proofFails('the proof is too short')
  if (!Buffer.from(fr).equals(root1)) return proofFails(`the proof does not lead to the root at size ${size1}: the first ${size1} leaves were changed`)
  if (!Buffer.from(sr).equals(root2)) return proofFails(`the proof does not lead to the root at size ${size2}`)
  return PROOF_OK
}
