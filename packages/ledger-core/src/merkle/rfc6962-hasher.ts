import { hash } from 'node:crypto'

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32
/** RFC 6962 §2.1 / RFC 9162 §2.1.1: the byte hashed before a leaf, so a leaf can never pass for a node. */
export const LEAF_HASH_PREFIX = 0x00
/** RFC 6962 §2.1 / RFC 9162 §2.1.1: the byte hashed before two child hashes. */
export const NODE_HASH_PREFIX = 0x01
/**
 * MTH({}) = SHA-256 of the empty string: the root of a tree with no leaves. Shared: never mutate it
 * (functions here return copies). A constant, not computed at load: hashing here loaded node:crypto
 * (~8 ms) for every CLI command, even those that hash nothing (merkle.test.ts checks it).
 */
export const EMPTY_ROOT_HASH: Uint8Array = Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex')

/**
 * Leaf hash, RFC 9162 §2.1.1: SHA-256(0x00 || leaf bytes). In csledger the leaf bytes of entry
 * `seq` are the 32 bytes of that entry's hash (see {@link entryLeafHash}).
 *
 * @example
 * hashLeaf(new Uint8Array(0)) // 6e340b9c… (the RFC 6962 empty-leaf vector)
 */
export function hashLeaf(leaf: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(leaf.length + 1)
  buf[0] = LEAF_HASH_PREFIX
  buf.set(leaf, 1)
  return sha256(buf)
}

/**
 * Interior node hash, RFC 9162 §2.1.1: SHA-256(0x01 || left || right).
 *
 * @example
 * const parent = hashChildren(hashLeaf(a), hashLeaf(b))
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(left.length + right.length + 1)
  buf[0] = NODE_HASH_PREFIX
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha256(buf)
}

/**
 * The Merkle leaf hash of a ledger entry: hashLeaf(the 32 bytes of its lowercase-hex entry hash).
 *
 * @example
 * const leaf = entryLeafHash(stored.hash)
 */
export function entryLeafHash(entryHashHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(entryHashHex)) throw new TypeError(`an entry hash is 64 lowercase hex digits, got ${JSON.stringify(entryHashHex.slice(0, 80))}`)
  return hashLeaf(Buffer.from(entryHashHex, 'hex'))
}

/**
 * SHA-256 through the one-shot `crypto.hash`. Asking it for a 'binary' (latin1) string and copying that into
 * a Buffer is measurably faster than its 'buffer' output (which allocates a fresh ArrayBuffer per
 * call); latin1 maps bytes 0-255 one to one, so nothing is lost.
 */
export function sha256(data: Uint8Array): Buffer {
  return Buffer.from(hash('sha256', data, 'binary'), 'binary')
}
