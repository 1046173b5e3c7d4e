/**
 * Regulatory clocks. Business days skip Saturdays and Sundays in the registrant's time zone
 * (federal holidays are not skipped: a deadline that falls on one comes a day early, the safe
 * side). A due time keeps the local time of day of the event it counts from.
 */

const DAY_MS = 24 * 60 * 60 * 1000

// Building an Intl.DateTimeFormat costs ~0.5 ms; a ledger uses one or two zones, so keep them.
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>()
function cached(map: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = map.get(timeZone)
  if (!f) map.set(timeZone, (f = make()))
  return f
}

// The last answer of localDate: one decision often asks twice about the same instant (a lot's
// expiry, then a container's beyond-use date), and Intl formatting costs microseconds.
let lastLocalDate = { ms: Number.NaN, timeZone: '', date: '' }

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const ms = instant.getTime()
  if (ms === lastLocalDate.ms && timeZone === lastLocalDate.timeZone) return lastLocalDate.date
  // en-CA formats a date as YYYY-MM-DD; format() is several times cheaper than formatToParts().
  const text = cached(DATE_FORMATS, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(instant)
  let date = text
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const [m, d, y] = text.split(/\D+/)
    date = `${y}-${m}-${d}`
  }
  lastLocalDate = { ms, timeZone, date }
  return date
}

// Instants whose neighbouring UTC days all have four-digit years (ISO dates compare as strings).
const FOUR_DIGIT_YEARS = { from: Date.UTC(1000, 0, 2), to: Date.UTC(9998, 11, 31) }

/**
 * Whether the local date of `instant` is after `date` (YYYY-MM-DD) in every time zone (true), in
 * none (false), or it depends on the zone (undefined): then ask {@link localDate}. Every zone's
 * offset from UTC is less than a day, so the local date is the UTC date or one of its two
 * neighbours; a date at least a day away from the UTC date decides the question alone.
 *
 * @example
 * localDateAfterInEveryZone(new Date('2026-11-26T14:05:00Z'), '2027-03-31') // false: expires long after
 */
export function localDateAfterInEveryZone(instant: Date, date: string): boolean | undefined {
  const ms = instant.getTime()
  if (!(ms >= FOUR_DIGIT_YEARS.from && ms <= FOUR_DIGIT_YEARS.to)) return undefined
  // A UTC day is exactly DAY_MS of JavaScript time, so its neighbours depend on the day alone.
  const day = Math.floor(ms / DAY_MS)
  if (day !== utcNeighbours.day) {
    utcNeighbours = { day, before: new Date((day - 1) * DAY_MS).toISOString().slice(0, 10), after: new Date((day + 1) * DAY_MS).toISOString().slice(0, 10) }
  }
  if (utcNeighbours.after <= date) return false
  if (utcNeighbours.before > date) return true
  return undefined
}

let utcNeighbours = { day: Number.NaN, before: '', after: '' }

/** Local weekday, 0 = Sunday … 6 = Saturday. */
export function localWeekday(instant: Date, timeZone: string): number {
  return new Date(`${localDate(instant, timeZone)}T00:00:00Z`).getUTCDay()
}

/**
 * The same local time `days` business days later (Mon-Fri), in the registrant's time zone.
 * Counted on the local calendar, so a daylight-saving change on the weekend does not move the
 * due time by an hour.
 *
 * @example
 * addBusinessDays(new Date('2026-11-27T22:00:00Z'), 1, 'America/New_York') // Friday 17:00 → Monday 17:00
 */
export function addBusinessDays(from: Date, days: number, timeZone: string): Date {
  const wall = localParts(from, timeZone)
  let date = wall.date
  let left = days
  while (left > 0) {
    date = addDaysToDate(date, 1)
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay()
    if (wd !== 0 && wd !== 6) left--
  }
  return fromLocal(date, wall.time, timeZone)
}

/** The same local time `days` calendar days later in `timeZone` (e.g. the Form 106 deadline, 45 days after discovery). */
export function addLocalDays(from: Date, days: number, timeZone: string): Date {
  const wall = localParts(from, timeZone)
  return fromLocal(addDaysToDate(wall.date, days), wall.time, timeZone)
}

/** Exactly `days` × 24 hours later. For deadlines in local days use addLocalDays. */
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

const PARTS_FORMATS = new Map<string, Intl.DateTimeFormat>()

/** Local date (YYYY-MM-DD) and time of day in ms of an instant in a time zone. */
function localParts(instant: Date, timeZone: string): { date: string; time: number } {
  let f = PARTS_FORMATS.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    PARTS_FORMATS.set(timeZone, f)
  }
  const parts = f.formatToParts(instant)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'), instant.getUTCMilliseconds())
  const date = new Date(asUtc).toISOString().slice(0, 10)
  return { date, time: asUtc - Date.parse(`${date}T00:00:00Z`) }
}

/**
 * The instant at which the clock in `timeZone` reads `date` + `time` (ms into the day). When
 * that local time occurs twice (clocks go back) the earlier instant is taken; when it does not
 * occur (clocks go forward) the instant one offset-change earlier: a deadline errs early, never late.
 */
function fromLocal(date: string, time: number, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + time
  const candidates = [...new Set([wall - offsetAt(wall - DAY_MS, timeZone), wall - offsetAt(wall + DAY_MS, timeZone), wall - offsetAt(wall, timeZone)])].sort((a, b) => a - b)
  const exact = candidates.filter((t) => t + offsetAt(t, timeZone) === wall)
  return new Date(exact[0] ?? candidates[0]!)
}

/** The zone's offset from UTC at an instant, in ms (local - UTC). */
function offsetAt(t: number, timeZone: string): number {
  const { date, time } = localParts(new Date(t), timeZone)
  return Date.parse(`${date}T00:00:00Z`) + time - t
}
