/**
 * Regulatory clocks. Business days skip Saturdays and Sundays in the registrant's time zone
 * (federal holidays are not skipped: a deadline that falls on one comes a day early, the safe
 * side). A due time keeps the local time of day of the event it counts from.
 */

const DAY_MS = 24 * 60 * 60 * 1000

// Building an Intl.DateTimeFormat costs ~0.5 ms; a ledger uses one or two zones, so keep them.
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>()
const WEEKDAY_FORMATS = new Map<string, Intl.DateTimeFormat>()
function cached(map: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = map.get(timeZone)
  if (!f) map.set(timeZone, (f = make()))
  return f
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  // en-CA formats a date as YYYY-MM-DD; format() is several times cheaper than formatToParts().
  const text = cached(DATE_FORMATS, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(instant)
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text
  const [m, d, y] = text.split(/\D+/)
  return `${y}-${m}-${d}`
}

/** Local weekday, 0 = Sunday … 6 = Saturday. */
export function localWeekday(instant: Date, timeZone: string): number {
  const name = cached(WEEKDAY_FORMATS, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' })).format(instant)
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(name)
}

/**
 * The same local time `days` business days later (Mon-Fri).
 *
 * @example
 * addBusinessDays(new Date('2026-11-27T22:00:00Z'), 1, 'America/New_York') // Friday 17:00 → Monday 17:00
 */
export function addBusinessDays(from: Date, days: number, timeZone: string): Date {
  let t = from.getTime()
  let left = days
  while (left > 0) {
    t += DAY_MS
    const wd = localWeekday(new Date(t), timeZone)
    if (wd !== 0 && wd !== 6) left--
  }
  return new Date(t)
}

export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS)
}

export function addHours(from: Date, hours: number): Date {
  return new Date(from.getTime() + hours * 60 * 60 * 1000)
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Whole hours between two instants (floor). */
export function hoursBetween(a: string | Date, b: string | Date): number {
  return Math.floor((new Date(b).getTime() - new Date(a).getTime()) / 3_600_000)
}

/** True when the time zone is one Intl knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}
