/** The system clock, injected so tests can pin time and cross weekends. */
export interface Clock {
  now(): Date
}
/** Ids that are not derived from the ledger (ledger ids, request ids). */
export interface IdGenerator {
  ledgerId(): string
}
/** The real clock. */
export const SYSTEM_CLOCK: Clock = { now: () => new Date() }
/** A clock fixed at one instant, or advanced by hand: for tests. */
export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = new Date(iso).getTime()
  return { now: () => new Date(t), set: (s) => { t = new Date(s).getTime() }, advance: (ms) => { t += ms } }
}
