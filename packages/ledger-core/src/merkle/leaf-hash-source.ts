import { EMPTY_ROOT_HASH, HASH_SIZE, hashChildren } from './rfc6962-hasher.ts'
import { assertCount } from './tree-math.ts'

/**
 * Where proof generation reads leaf hashes from: an array, or anything that can hand out the leaf
 * hash at an index (a store reading `hashLeaf(entry hash)` row by row, a packed buffer).
 */
export interface LeafHashSource {
  /** Number of leaves available. */
  readonly size: number
  /** The leaf hash (already SHA-256(0x00 || leaf)) at 0-based `index`. */
  leafHash(index: number): Uint8Array
}

/** Leaf hashes as an array, or a source. */
export type LeafHashes = readonly Uint8Array[] | LeafHashSource

/** Wraps an array of leaf hashes as a source; passes a source through. */
export function toLeafHashSource(leaves: LeafHashes): LeafHashSource {
  if (isSource(leaves)) return leaves
  const arr = leaves
  return { size: arr.length, leafHash: (i) => arr[i] as Uint8Array }
}

/**
 * MTH(D[start:end]): the root of the tree over leaves start..end-1, computed left to right with a
 * stack of O(log n) hashes (the same folding as {@link MerkleFrontier}).
 */
export function subtreeRoot(source: LeafHashSource, start: number, end: number): Uint8Array {
  assertCount('start', start)
  assertCount('end', end)
  if (end > source.size || start > end) throw new RangeError(`leaves [${start}, ${end}) are not all available (${source.size} leaves)`)
  if (start === end) return Buffer.from(EMPTY_ROOT_HASH)
  const stack: Uint8Array[] = []
  for (let i = start, count = 0; i < end; i++, count++) {
    let node = checkedLeaf(source, i)
    let c = count
    while (c % 2 === 1) {
      node = hashChildren(stack.pop() as Uint8Array, node)
      c = Math.floor(c / 2)
    }
    stack.push(node)
  }
  let root = stack.pop() as Uint8Array
  while (stack.length > 0) root = hashChildren(stack.pop() as Uint8Array, root)
  return root
}

function checkedLeaf(source: LeafHashSource, i: number): Uint8Array {
  const h = source.leafHash(i)
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new TypeError(`leaf hash ${i} is not ${HASH_SIZE} bytes`)
  return h
}

function isSource(x: LeafHashes): x is LeafHashSource {
  return !Array.isArray(x)
}
