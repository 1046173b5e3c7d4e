/**
 * The reliability suites' randomness: one seed per run, printed, and taken from CSLEDGER_SEED
 * when set, so a failing run can be replayed with the same kill moments and inputs.
 */
export const RUN_SEED: number = process.env.CSLEDGER_SEED ? Number(process.env.CSLEDGER_SEED) : Math.floor(Math.random() * 2 ** 31)

/** True when the full-size suites were asked for (`pnpm test:full`, CSLEDGER_FULL=1). */
export const FULL: boolean = Boolean(process.env.CSLEDGER_FULL && process.env.CSLEDGER_FULL !== '0')

/** A small seeded generator (mulberry32): `next()` in [0, 1). */
export interface Random {
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
}

/**
 * @example
 * const rnd = seededRandom(RUN_SEED + 1)
 * const delay = rnd.int(0, 250)
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  }
}
