import { describe, expect, it } from 'vitest'
import { NURSE, PIC, SHORT_SAFE_1, buildWorld } from '../../../test/support/accountability-world.ts'

describe('status: most urgent first', () => {
  it('given discrepancies with one due time, then they are listed in id order, and an earlier deadline comes first', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T21:00:00Z')
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [...SHORT_SAFE_1], by: PIC, witness: NURSE })
    await w.ledger.setSetting({ name: 'discrepancy_deadline_hours', value: '2', by: PIC })
    w.at('2026-11-27T21:10:00Z')
    await w.ledger.count({ location: 'LOCKBOX-2', basedOnSeq: await w.head(), items: [{ ref: 'K2501B', value: '1' }], by: PIC, witness: NURSE })
    const s = await w.ledger.status()
    expect(s.discrepancies.map((d) => [d.id, d.due])).toEqual([
      ['D-0003', '2026-11-27T23:10:00.000Z'],
      ['D-0001', '2026-11-28T21:00:00.000Z'],
      ['D-0002', '2026-11-28T21:00:00.000Z'],
    ])
    expect(s.discrepancies[0]).toMatchObject({ location: 'LOCKBOX-2', item: 'KET-50 lot K2501B sealed', difference: '-1', unit: 'container', age_hours: 0, overdue: false })
  })

  it('given losses whose open clocks fall due at different times, then the one due first is listed first', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T21:00:00Z')
    await w.ledger.loss({ type: 'loss', items: [{ container: 'C-0001', amount: '0.5mL' }], note: 'a', by: PIC })
    await w.ledger.loss({ type: 'loss', items: [{ container: 'C-0001', amount: '0.5mL' }], note: 'b', discoveredAt: '2026-11-25T15:00:00Z', by: PIC })
    await w.ledger.lossNotice({ loss: 'L-0002', method: 'email', to: 'DO', by: PIC })
    // L-0001: notice due 2026-11-30; L-0002: notice sent, Form 106 due 2027-01-09
    const s = await w.ledger.status()
    expect(s.losses.map((l) => l.id)).toEqual(['L-0001', 'L-0002'])
    await w.ledger.loss({ type: 'theft', items: [{ container: 'C-0001', amount: '0.5mL' }], note: 'c', discoveredAt: '2026-11-26T15:00:00Z', by: PIC })
    // L-0003 (Thursday): notice due Friday 2026-11-27 10:00, already overdue: first
    expect((await w.ledger.status()).losses.map((l) => [l.id, l.notice_overdue])).toEqual([['L-0003', true], ['L-0001', false], ['L-0002', false]])
  })

  it('given overdue clocks of every kind, then attention counts each of them once', async () => {
    const w = await buildWorld()
    w.at('2026-11-27T21:00:00Z')
    await w.ledger.count({ location: 'SAFE-1', basedOnSeq: await w.head(), items: [...SHORT_SAFE_1], by: PIC, witness: NURSE })
    await w.ledger.loss({ type: 'loss', items: [{ container: 'C-0001', amount: '0.5mL' }], note: 'a', by: PIC })
    w.at('2026-12-01T15:00:00Z')
    const s = await w.ledger.status()
    expect([s.discrepancies.filter((d) => d.overdue).length, s.losses.filter((l) => l.notice_overdue).length, s.beyond_use.length, s.expiring_lots.filter((l) => l.expired).length]).toEqual([2, 1, 0, 0])
    expect(s.attention).toBe(3)
    expect(s.today).toBe('2026-12-01')
  })
})
