import { HASH_SIZE } from '../merkle/rfc6962-hasher.ts'
import type { LeafHashSource } from '../merkle/leaf-hash-source.ts'

/**
 * Leaf hashes packed end to end in one growing buffer (32 bytes each, 32 MB per million entries),
 * as a LeafHashSource for consistency and inclusion proofs.
 */
export class PackedLeaves implements LeafHashSource {
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
  leafHash(index: number): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.#size) throw new RangeError(`no leaf ${index}`)
    return this.#buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE)
  }
}
