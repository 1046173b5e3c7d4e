import { describe, expect, it } from 'vitest'
import { addDaysToDate, localDate, localDateAfterInEveryZone } from './clocks.ts'

// Zones at the edges of the offsets there are (UTC+14, UTC-12, quarter and half hours) and a
// zone's local mean time before 1883 (New York: UTC-4:56:02).
const ZONES = ['UTC', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Pacific/Chatham', 'Asia/Kolkata', 'America/St_Johns', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Apia']

describe('localDateAfterInEveryZone', () => {
  it('given instants around midnights and dates two days either side, then it never contradicts localDate in any zone, and decides when the UTC date alone does', () => {
    let decided = 0
    const starts = ['2026-11-26T00:00:00Z', '2027-03-14T06:59:59.999Z', '1850-06-01T04:56:02Z', '1000-01-03T00:00:00Z', '9998-12-29T23:59:59.999Z']
    for (const start of starts) {
      for (let minutes = -26 * 60; minutes <= 26 * 60; minutes += 7) {
        const instant = new Date(Date.parse(start) + minutes * 60_000)
        const utc = instant.toISOString().slice(0, 10)
        for (let days = -2; days <= 2; days++) {
          const date = addDaysToDate(utc, days)
          const answer = localDateAfterInEveryZone(instant, date)
          if (answer !== undefined) decided++
          for (const zone of ZONES) if (answer !== undefined) expect(answer, `${instant.toISOString()} ${zone} ${date}`).toBe(localDate(instant, zone) > date)
          const inRange = instant.getTime() >= Date.UTC(1000, 0, 2) && instant.getTime() <= Date.UTC(9998, 11, 31)
          expect(answer).toBe(!inRange || days === 0 || days === -1 ? undefined : days <= -2)
        }
      }
    }
    expect(decided).toBeGreaterThan(1000)
  })

  it('given an instant with no four-digit-year neighbours, or no instant at all, then it leaves the question to localDate', () => {
    expect(localDateAfterInEveryZone(new Date('0999-12-31T12:00:00Z'), '2026-01-01')).toBeUndefined()
    expect(localDateAfterInEveryZone(new Date(Date.UTC(9999, 0, 1)), '2026-01-01')).toBeUndefined()
    expect(localDateAfterInEveryZone(new Date(Number.NaN), '2026-01-01')).toBeUndefined()
  })
})

describe('localDate', () => {
  it('given the same instant asked in two zones in turn, then each gets its own date (the last answer is remembered per zone)', () => {
    const instant = new Date('2026-11-28T04:30:00Z')
    expect([localDate(instant, 'America/New_York'), localDate(instant, 'UTC'), localDate(instant, 'America/New_York'), localDate(new Date(instant), 'UTC')]).toEqual(['2026-11-27', '2026-11-28', '2026-11-27', '2026-11-28'])
  })

  it('given an invalid instant, then it throws as Intl does, every time', () => {
    expect(() => localDate(new Date(Number.NaN), 'UTC')).toThrow(RangeError)
    expect(() => localDate(new Date(Number.NaN), 'UTC')).toThrow(RangeError)
  })
})
