import { EMPTY_ROOT_HASH, HASH_SIZE, entryLeafHash, hashChildren } from './rfc6962-hasher.ts'
import { assertCount } from './tree-math.ts'

/** A frontier written down: enough to resume appending and to compute the root. */
export interface FrontierState {
  /** Number of leaves appended so far. */
  readonly size: number
  /** Roots of the perfect subtrees, left to right (one per set bit of size, largest first), lowercase hex. */
  readonly nodes: readonly string[]
}

/**
 * The right edge of an RFC 6962 tree (a "compact range" over [0, size)): the roots of the perfect
 * subtrees that cover the leaves appended so far, one per set bit of `size`. Appending a leaf costs
 * O(1) amortised hashes and the state is O(log n) hashes, so a store can keep the root of a ledger
 * of a million entries without re-hashing it. `root()` equals `merkleRoot` of all leaves appended.
 *
 * @example
 * const f = new MerkleFrontier()
 * for (const row of rows) f.appendEntryHash(row.hash)
 * const root = f.root()
 * const saved = f.toState() // persist; MerkleFrontier.fromState(saved) resumes
 */
export class MerkleFrontier {
  #size = 0
  readonly #nodes: Uint8Array[] = []

  /** Number of leaves appended. */
  get size(): number { return this.#size }

  /** Appends one leaf hash (already SHA-256(0x00 || leaf)). */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE) throw new TypeError(`a leaf hash is ${HASH_SIZE} bytes, got ${leafHash.length}`)
    let node: Uint8Array = leafHash
    let count = this.#size
    while (count % 2 === 1) {
      node = hashChildren(this.#nodes.pop() as Uint8Array, node)
      count = Math.floor(count / 2)
    }
    this.#nodes.push(node)
    this.#size++
  }

  /** Appends the leaf of a ledger entry, given its lowercase hex entry hash. */
  appendEntryHash(entryHashHex: string): void {
    this.append(entryLeafHash(entryHashHex))
  }

  /** MTH of all leaves appended so far. */
  root(): Uint8Array {
    if (this.#nodes.length === 0) return Buffer.from(EMPTY_ROOT_HASH)
    let root = this.#nodes[this.#nodes.length - 1] as Uint8Array
    for (let i = this.#nodes.length - 2; i >= 0; i--) root = hashChildren(this.#nodes[i] as Uint8Array, root)
    return root
  }

  /** The perfect-subtree roots, left to right. */
  nodes(): readonly Uint8Array[] { return [...this.#nodes] }

  toState(): FrontierState {
    return { size: this.#size, nodes: this.#nodes.map((n) => Buffer.from(n).toString('hex')) }
  }

  /** Resumes a frontier written by {@link toState}; refuses a state whose node count does not fit its size. */
  static fromState(state: FrontierState): MerkleFrontier {
    assertCount('size', state.size)
    let bits = 0
    for (let s = state.size; s > 0; s = Math.floor(s / 2)) bits += s % 2
    if (state.nodes.length !== bits) throw new RangeError(`a frontier of size ${state.size} has ${bits} nodes, not ${state.nodes.length}`)
    const f = new MerkleFrontier()
    for (const hex of state.nodes) {
      if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError('frontier nodes are 64 lowercase hex digits')
      f.#nodes.push(Buffer.from(hex, 'hex'))
    }
    f.#size = state.size
    return f
  }
}
