/**
 * Local dates and times of the registered location. Reports state periods in local dates and
 * print times in local wall-clock time (the zone is named on every page); CSV files keep the
 * stored UTC instants.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formatters.set(timeZone, f)
  }
  return f
}

function wallParts(instant: Date, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = formatter(timeZone).formatToParts(instant)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') }
}

/**
 * The UTC instant (ISO-8601) at which a local calendar date begins in `timeZone`.
 *
 * @example
 * localMidnight('2027-01-04', 'America/New_York') // '2027-01-04T05:00:00.000Z'
 */
export function localMidnight(date: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  const wall = Date.UTC(y, mo - 1, d)
  let t = wall - offset(new Date(wall), timeZone)
  t = wall - offset(new Date(t), timeZone)
  return new Date(t).toISOString()
}

/** `YYYY-MM-DD HH:MM` in local time. */
export function localDateTime(iso: string, timeZone: string): string {
  const p = wallParts(new Date(iso), timeZone)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`
}

/** `YYYY-MM-DD` in local time. */
export function localDateOf(iso: string, timeZone: string): string {
  const p = wallParts(new Date(iso), timeZone)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`
}

/** A calendar date YYYY-MM-DD plus `days`. */
export function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** True for a calendar date YYYY-MM-DD that exists. */
export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value
}

/** Whole minutes from `a` to `b` (floor). */
export function minutesBetween(a: string, b: string): number {
  return Math.floor((Date.parse(b) - Date.parse(a)) / 60_000)
}

function offset(instant: Date, timeZone: string): number {
  const p = wallParts(instant, timeZone)
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(instant.getTime() / 1000) * 1000
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
