import { describe, expect, it } from 'vitest'
import { isCalendarDate, localDateOf, localDateTime, localMidnight } from './local-time.ts'

describe('local time', () => {
  it('given local dates around the clock changes, when placed in UTC, then a day starts at local midnight', () => {
    expect(localMidnight('2027-01-04', 'America/New_York')).toBe('2027-01-04T05:00:00.000Z')
    expect(localMidnight('2027-03-14', 'America/New_York')).toBe('2027-03-14T05:00:00.000Z')
    expect(localMidnight('2027-03-15', 'America/New_York')).toBe('2027-03-15T04:00:00.000Z')
    expect(localMidnight('2027-11-08', 'America/New_York')).toBe('2027-11-08T05:00:00.000Z')
    expect(localMidnight('2027-06-01', 'UTC')).toBe('2027-06-01T00:00:00.000Z')
  })

  it('given an instant, when printed, then it shows the wall clock of the zone', () => {
    expect(localDateTime('2027-01-05T03:30:00Z', 'America/New_York')).toBe('2027-01-04 22:30')
    expect(localDateOf('2027-01-05T03:30:00Z', 'America/New_York')).toBe('2027-01-04')
  })

  it('given strings, when checked, then only real calendar dates pass', () => {
    expect(['2027-02-28', '2028-02-29', '2027-02-29', '2027-13-01', '27-01-01', ''].map(isCalendarDate)).toEqual([true, true, false, false, false, false])
  })
})
