/**
 * The reliability suites' randomness: one seed per run, printed, and taken from CSLEDGER_SEED
 * when set, so a failing run can be replayed with the same kill moments and inputs.
 */
export const RUN_SEED: number = process.env.CSLEDGER_SEED ? Number(process.env.CSLEDGER_SEED) : Math.floor(Math.random() * 2 ** 31)

/** True when the full-size suites were asked for (`pnpm test:full`, CSLEDGER_FULL=1). */
export const FULL: boolean = Boolean(process.env.CSLEDGER_FULL && process.env.CSLEDGER_FULL !== '0')

/** A small seeded generator (mulberry32), the one the demo uses: `next()` in [0, 1), `int`, `pick`, `chance`. */
export { seededRandom } from '@csledger/demo'
export type { SeededRandom as Random } from '@csledger/demo'
