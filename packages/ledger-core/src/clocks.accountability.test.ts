import { describe, expect, it } from 'vitest'
import { addBusinessDays, addDaysToDate, addLocalDays, localDate, localWeekday } from './clocks.ts'

const NY = 'America/New_York'
const iso = (d: Date) => d.toISOString()

describe('one business day (the DEA notice after a theft or significant loss)', () => {
  it.each([
    { when: 'Friday 16:00 New York', from: '2026-11-27T21:00:00Z', due: '2026-11-30T21:00:00.000Z' },
    { when: 'Friday 17:00 (the TSDoc example)', from: '2026-11-27T22:00:00Z', due: '2026-11-30T22:00:00.000Z' },
    { when: 'Friday 23:30, Saturday in UTC', from: '2026-11-28T04:30:00Z', due: '2026-12-01T04:30:00.000Z' },
    { when: 'Saturday 09:00', from: '2026-11-28T14:00:00Z', due: '2026-11-30T14:00:00.000Z' },
    { when: 'Sunday 20:00, Monday in UTC', from: '2026-11-30T01:00:00Z', due: '2026-12-01T01:00:00.000Z' },
    { when: 'Thursday 10:00', from: '2026-11-26T15:00:00Z', due: '2026-11-27T15:00:00.000Z' },
    { when: 'Monday 00:15', from: '2026-11-30T05:15:00Z', due: '2026-12-01T05:15:00.000Z' },
  ])('given a discovery on $when, then the notice is due at the same local time on the next business day', ({ from, due }) => {
    expect(iso(addBusinessDays(new Date(from), 1, NY))).toBe(due)
  })

  it('given two business days from a Friday, then Tuesday', () => {
    expect(iso(addBusinessDays(new Date('2026-11-27T21:00:00Z'), 2, NY))).toBe('2026-12-01T21:00:00.000Z')
  })

  it('given the clocks go forward on the weekend, when a loss is discovered Friday 17:00 EST, then the notice is due Monday 17:00 EDT, not 18:00', () => {
    expect(iso(addBusinessDays(new Date('2027-03-12T22:00:00Z'), 1, NY))).toBe('2027-03-15T21:00:00.000Z')
  })

  it('given the clocks go back on the weekend, when a loss is discovered Friday 17:00 EDT, then the notice is due Monday 17:00 EST', () => {
    expect(iso(addBusinessDays(new Date('2026-10-30T21:00:00Z'), 1, NY))).toBe('2026-11-02T22:00:00.000Z')
  })

  it('given the registrant\'s zone, not UTC, decides the weekday: Friday 21:00 in Los Angeles is Saturday in UTC', () => {
    expect(iso(addBusinessDays(new Date('2026-11-28T05:00:00Z'), 1, 'America/Los_Angeles'))).toBe('2026-12-01T05:00:00.000Z')
    expect(iso(addBusinessDays(new Date('2026-11-28T05:00:00Z'), 1, 'UTC'))).toBe('2026-11-30T05:00:00.000Z')
  })
})

describe('local dates', () => {
  it('given an instant, then the date and weekday are those at the registered location', () => {
    expect([localDate(new Date('2026-11-28T04:30:00Z'), NY), localWeekday(new Date('2026-11-28T04:30:00Z'), NY)]).toEqual(['2026-11-27', 5])
    expect([localDate(new Date('2026-11-28T04:30:00Z'), 'UTC'), localWeekday(new Date('2026-11-28T04:30:00Z'), 'UTC')]).toEqual(['2026-11-28', 6])
  })
})

describe('45 days (DEA Form 106)', () => {
  it('given a discovery Friday 16:00 New York, then Form 106 is due 45 days later at 16:00', () => {
    expect(iso(addLocalDays(new Date('2026-11-27T21:00:00Z'), 45, NY))).toBe('2027-01-11T21:00:00.000Z')
  })

  it('given the clocks change within the 45 days, then the due time keeps the local time of day', () => {
    expect(iso(addLocalDays(new Date('2026-10-15T20:00:00Z'), 45, NY))).toBe('2026-11-29T21:00:00.000Z') // 16:00 EDT → 16:00 EST
    expect(iso(addLocalDays(new Date('2027-02-01T22:00:00Z'), 45, NY))).toBe('2027-03-18T21:00:00.000Z') // 17:00 EST → 17:00 EDT
  })

  it('given a local time that does not exist on the due date, then the due time is the earlier one (errs early, never late)', () => {
    // 2027-01-29 02:30 EST + 44 days = 2027-03-14 02:30, which New York skips (02:00 → 03:00)
    expect(iso(addLocalDays(new Date('2027-01-29T07:30:00Z'), 44, NY))).toBe('2027-03-14T06:30:00.000Z')
    // 2026-09-16 01:30 EDT + 46 days = 2026-11-01 01:30, which New York has twice: the first
    expect(iso(addLocalDays(new Date('2026-09-16T05:30:00Z'), 46, NY))).toBe('2026-11-01T05:30:00.000Z')
  })
})

describe('clock properties, exhaustively around every daylight-saving change of 2026-2027', () => {
  const zones = ['America/New_York', 'America/Los_Angeles', 'America/Phoenix', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham']

  const formats = new Map<string, Intl.DateTimeFormat>()
  const format = (zone: string) => {
    let f = formats.get(zone)
    if (!f) formats.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })))
    return f
  }
  /** Local wall clock as minutes since the epoch, read independently of the code under test. */
  function wallMinutes(t: number, zone: string): number {
    const p = format(zone).formatToParts(new Date(t))
    const g = (k: string) => Number(p.find((x) => x.type === k)!.value)
    return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute')) / 60_000
  }
  const offsetOf = (t: number, zone: string) => wallMinutes(t, zone) - Math.floor(t / 60_000)
  const localDateOf = (d: Date, zone: string) => new Date(wallMinutes(d.getTime(), zone) * 60_000).toISOString().slice(0, 10)
  const localTime = (d: Date, zone: string) => new Date(wallMinutes(d.getTime(), zone) * 60_000).toISOString().slice(11, 16)

  /** Instants every hour for 3 days before and after each offset change of 2026-2027, and around an ordinary Friday. */
  function* instants(zone: string): Generator<Date> {
    const changes: number[] = []
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
      if (offsetOf(t, zone) === offsetOf(t + 86_400_000, zone)) continue
      let lo = t
      let hi = t + 86_400_000
      while (hi - lo > 60_000) { const mid = Math.floor((lo + hi) / 2); if (offsetOf(mid, zone) === offsetOf(t, zone)) lo = mid; else hi = mid }
      changes.push(hi)
    }
    for (const c of [...changes, Date.UTC(2026, 10, 27, 12)]) for (let t = c - 3 * 86_400_000; t < c + 3 * 86_400_000; t += 3_600_000) yield new Date(t)
  }

  function nthBusinessDate(date: string, n: number): string {
    let d = date
    while (n > 0) {
      d = addDaysToDate(d, 1)
      const wd = new Date(`${d}T00:00:00Z`).getUTCDay()
      if (wd !== 0 && wd !== 6) n--
    }
    return d
  }

  it.each(zones)('in %s: one business day later is the next weekday, at the same local time whenever that time exists, and never later', (zone) => {
    const failures: string[] = []
    let checked = 0
    for (const from of instants(zone)) {
      const due = addBusinessDays(from, 1, zone)
      const wantDate = nthBusinessDate(localDateOf(from, zone), 1)
      const wantTime = localTime(from, zone)
      checked++
      if (localDateOf(due, zone) !== wantDate) failures.push(`${from.toISOString()}: due ${due.toISOString()} falls on ${localDateOf(due, zone)}, want ${wantDate}`)
      else if (localTime(due, zone) !== wantTime) {
        // allowed only when the clock never reads that time on the due date; then the due time must be earlier
        for (let t = due.getTime() - 3 * 3_600_000; t <= due.getTime() + 3 * 3_600_000; t += 60_000) {
          const d = new Date(t)
          if (localDateOf(d, zone) === wantDate && localTime(d, zone) === wantTime) { failures.push(`${from.toISOString()} (${wantTime}): due ${due.toISOString()} reads ${localTime(due, zone)}`); break }
        }
        if (localTime(due, zone) > wantTime) failures.push(`${from.toISOString()}: due later in the day than ${wantTime}`)
      }
      const weekday = new Date(`${localDateOf(due, zone)}T00:00:00Z`).getUTCDay()
      if (weekday === 0 || weekday === 6) failures.push(`${from.toISOString()}: due on weekday ${weekday}`)
    }
    expect(checked).toBeGreaterThanOrEqual(144)
    expect(failures.slice(0, 5)).toEqual([])
  })

  it.each(zones)('in %s: 45 local days later keeps the local date arithmetic and time of day', (zone) => {
    const failures: string[] = []
    for (const from of instants(zone)) {
      const due = addLocalDays(from, 45, zone)
      if (localDateOf(due, zone) > addDaysToDate(localDateOf(from, zone), 45)) failures.push(`${from.toISOString()}: late date ${localDateOf(due, zone)}`)
      if (localDateOf(due, zone) === addDaysToDate(localDateOf(from, zone), 45) && localTime(due, zone) > localTime(from, zone)) failures.push(`${from.toISOString()}: late time ${localTime(due, zone)} > ${localTime(from, zone)}`)
      if (due.getTime() < from.getTime() + 44 * 86_400_000) failures.push(`${from.toISOString()}: much too early ${due.toISOString()}`)
    }
    expect(failures.slice(0, 5)).toEqual([])
  })
})
