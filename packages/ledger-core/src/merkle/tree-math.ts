// Integer helpers for tree sizes and indexes. Arithmetic rather than bitwise operators, so sizes
// stay exact up to Number.MAX_SAFE_INTEGER (JS bitwise operators truncate to 32 bits).

/** Throws unless n is a safe non-negative integer. */
export function assertCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(n)}`)
}

/** The largest power of two strictly smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  if (n < 2) throw new RangeError(`a tree of ${n} leaves does not split`)
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false
  while (n % 2 === 0) n /= 2
  return n === 1
}

/** Least significant bit. */
export function lsb(n: number): boolean { return n % 2 === 1 }

/** n >> 1, exact for safe integers. */
export function half(n: number): number { return Math.floor(n / 2) }
