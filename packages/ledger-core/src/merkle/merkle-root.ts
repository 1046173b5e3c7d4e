import { toLeafHashSource, subtreeRoot, type LeafHashes } from './leaf-hash-source.ts'

/**
 * MTH(D[n]), RFC 9162 §2.1.1: the root hash of the tree over the given leaf hashes (each already
 * hashed with {@link hashLeaf}). The empty tree's root is SHA-256 of nothing.
 *
 * @example
 * const root = merkleRoot(entries.map((e) => entryLeafHash(e.hash)))
 */
export function merkleRoot(leaves: LeafHashes): Uint8Array {
  const source = toLeafHashSource(leaves)
  return subtreeRoot(source, 0, source.size)
}
