// The acceptance scenario through the real CLI: a clean count, the count with one missing
// sealed vial and one open vial 0.4 mL short, both reconciled, and a count made while the ledger moved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestLedger, buildFixture, copyLedger, removeTempDirs, explain } from '../support/accountability-cli.ts'

const COUNT = ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim']
const EXACT = ['--item', 'K2417A=3', '--item', 'M7788=2', '--item', 'C-0001=6.35mL']
const SHORT = ['--item', 'K2417A=2', '--item', 'M7788=2', '--item', 'C-0001=5.95mL']
const SHEET_POSITION = '15' // the fixture's last entry: a count sheet printed now is based on #15

let fixture: string
beforeAll(async () => { fixture = await buildFixture() })
afterAll(removeTempDirs)

async function head(L: TestLedger): Promise<number> {
  const r = await L.run(['balance'])
  return Number(/as of #(\d+)/.exec(r.stdout)?.[1])
}

describe('csledger count', () => {
  it('given SAFE-1 counted exactly as booked, then exit 0 and no discrepancies', async () => {
    const L = copyLedger(fixture)
    const r = await L.run([...COUNT, ...EXACT])
    expect(r.code, explain(r)).toBe(0)
    expect(r.stdout).toContain('compared with the ledger at #15')
    expect(r.stdout).toContain('no discrepancies')
    expect(r.stdout).toContain('SAFE-1 C-0001 (KET-50 lot K2417A): expected 6.35 mL, counted 6.35 mL (exact)')
  })

  it('given one missing sealed vial and an open vial 0.4 mL short, then exactly those two discrepancies and exit 1', async () => {
    const L = copyLedger(fixture)
    const r = await L.run([...COUNT, ...SHORT, '--json'])
    expect(r.code, explain(r)).toBe(1)
    expect(r.json!.ok).toBe(false)
    const ds = r.json!.data.discrepancies
    expect(ds.map((d: any) => [d.id, d.item.type, d.item.lot, d.item.container ?? null, d.difference, d.unit])).toEqual([
      ['D-0001', 'sealed', 'K2417A', null, '-1', 'container'],
      ['D-0002', 'open', 'K2417A', 'C-0001', '-0.4', 'mL'],
    ])
    expect(ds.map((d: any) => d.due.slice(0, 16))).toEqual(['2026-11-28T21:00', '2026-11-28T21:00'])
  })

  it('given an item left out, then COUNT_INCOMPLETE, exit 2, nothing recorded and no expected value printed', async () => {
    const L = copyLedger(fixture)
    const r = await L.run([...COUNT, '--item', 'K2417A=3', '--item', 'C-0001=6.35mL'])
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[COUNT_INCOMPLETE]')
    expect(r.stderr).toContain('MDZ-5 lot M7788 (sealed)')
    expect(r.stdout + r.stderr).not.toMatch(/expected|6\.35|\b2 sealed/)
    expect(await head(L)).toBe(15)
  })
})

describe('the issue\'s reconciliation, end to end', () => {
  it('given both discrepancies reconciled (late dose as documentation error, missing vial as loss), then balances equal the physical count and status shows the loss clocks', async () => {
    const L = copyLedger(fixture)
    const count = await L.run([...COUNT, ...SHORT])
    expect(count.code, explain(count)).toBe(1)
    expect(count.stdout).toContain('2 discrepancies opened')
    expect(count.stdout).toContain('D-0001  SAFE-1 KET-50 lot K2417A: expected 3 sealed, counted 2 (1 short)')
    expect(count.stdout).toContain('D-0002  SAFE-1 C-0001 (KET-50 lot K2417A): expected 6.35 mL, counted 5.95 mL (0.4 mL short)')

    // the dose given at 15:30 and recorded only after the count, with the time it really happened
    const dose = await L.run(['administer', '--container', 'C-0001', '--dose', '0.4mL', '--patient', 'P-1003', '--at', '2026-11-27T15:30:00-05:00', '--by', 'nkim', '--json'], { at: '2026-11-27T21:20:00Z' })
    expect(dose.code, explain(dose)).toBe(0)
    const doseSeq = String(dose.json!.data.seq)

    const doc = await L.run(['reconcile', 'D-0002', '--reason', 'documentation-error', '--entry', doseSeq, '--note', 'dose at 15:30 was not recorded', '--by', 'pkim'], { at: '2026-11-27T21:25:00Z' })
    expect(doc.code, explain(doc)).toBe(0)
    expect(doc.stdout).toContain(`D-0002 resolved as documentation-error (explained by #${doseSeq}: -0.4)`)
    expect(doc.stdout).toContain('no adjustment needed')

    const loss = await L.run(['reconcile', 'D-0001', '--reason', 'loss', '--note', 'vial not found after a search of the med room', '--by', 'pkim'], { at: '2026-11-27T21:30:00Z' })
    expect(loss.code, explain(loss)).toBe(0)
    expect(loss.stdout).toContain('adjustment: -1 sealed KET-50 lot K2417A at SAFE-1')
    expect(loss.stdout).toMatch(/loss L-0001 opened: DEA notice due 2026-11-30T21:00:\d{2}\.\d{3}Z, Form 106 due 2027-01-11T21:00:\d{2}\.\d{3}Z/)

    const balance = await L.run(['balance', '--location', 'SAFE-1', '--json'], { at: '2026-11-27T21:31:00Z' })
    expect(balance.json!.data.map((r: any) => [r.product, r.lot, r.sealed, r.open.map((o: any) => `${o.container}=${o.remaining_mL}`)])).toEqual([
      ['KET-50', 'K2417A', 2, ['C-0001=5.95']],
      ['MDZ-5', 'M7788', 2, []],
    ])

    const status = await L.run(['status'], { at: '2026-11-28T14:00:00Z' }) // Saturday morning
    expect(status.code, explain(status)).toBe(0)
    const clocks = status.stdout.slice(status.stdout.indexOf('Theft and loss clocks'), status.stdout.indexOf('Containers past'))
    expect(clocks).toMatch(/L-0001\s+loss\s+2026-11-27T21:00:\d{2}\.\d{3}Z\s+due 2026-11-30T21:00:\d{2}\.\d{3}Z\s+due 2027-01-11T21:00:\d{2}\.\d{3}Z/)
    expect(clocks).not.toContain('OVERDUE')
    expect(status.stdout).toMatch(/Open discrepancies\n {2}none/)
    const json = await L.run(['status', '--json'], { at: '2026-11-28T14:00:00Z' })
    expect(json.json!.data.losses.map((l: any) => [l.id, l.notice_due.slice(0, 16), l.form106_due.slice(0, 16), l.notice_overdue])).toEqual([['L-0001', '2026-11-30T21:00', '2027-01-11T21:00', false]])

    // the same physical count again agrees with the book
    const recount = await L.run([...COUNT, ...SHORT], { at: '2026-11-28T14:05:00Z' })
    expect(recount.code, explain(recount)).toBe(0)
    expect(recount.stdout).toContain('no discrepancies')
    const verify = await L.run(['verify'], { at: '2026-11-28T14:06:00Z' })
    expect(verify.code, explain(verify)).toBe(0)
  })
})

describe('a count while the ledger moves', () => {
  it('given an administration at SAFE-1 after the sheet was printed, then the count is refused with TIP_MOVED (exit 4) and nothing is recorded', async () => {
    const L = copyLedger(fixture)
    const dose = await L.run(['administer', '--container', 'C-0001', '--dose', '10mg', '--patient', 'P-1008', '--by', 'nkim'])
    expect(dose.code, explain(dose)).toBe(0)
    const r = await L.run([...COUNT, ...EXACT, '--based-on', SHEET_POSITION])
    expect(r.code, explain(r)).toBe(4)
    expect(r.stderr).toContain('csledger: error[TIP_MOVED]: the stock counted changed while the count was under way (entries #16)')
    expect(r.stderr).toMatch(/counted against:\s+15/)
    expect(r.stderr).toMatch(/ledger now at:\s+16/)
    expect(r.stderr).toContain('hint: count again')
    expect(await head(L)).toBe(16)
  })

  it('given an entry at another location after the sheet was printed, then the count is re-based: recorded against the sheet position, same expected values', async () => {
    const L = copyLedger(fixture)
    expect((await L.run(['open', '--product', 'KET-50', '--lot', 'K2501B', '--location', 'LOCKBOX-2', '--by', 'nkim'])).code).toBe(0)
    const r = await L.run([...COUNT, ...SHORT, '--based-on', SHEET_POSITION, '--json'])
    expect(r.code, explain(r)).toBe(1)
    expect(r.json!.data).toMatchObject({ seq: 17, based_on_seq: 15 })
    expect(r.json!.data.discrepancies.map((d: any) => d.difference)).toEqual(['-1', '-0.4'])
  })

  it('given a sheet position that does not exist or is not a number, then exit 2', async () => {
    const L = copyLedger(fixture)
    const r = await L.run([...COUNT, ...EXACT, '--based-on', '99'])
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[INVALID_POSITION]')
    expect((await L.run([...COUNT, ...EXACT, '--based-on', 'latest'])).code).toBe(2)
  })
})

describe('tolerance setting', () => {
  it('given the default 0.1 mL, when C-0001 reads 0.1 mL low, then exit 0; after `settings set count_tolerance_ml 0`, the same count exits 1', async () => {
    const L = copyLedger(fixture)
    const within = ['--item', 'K2417A=3', '--item', 'M7788=2', '--item', 'C-0001=6.25mL']
    const first = await L.run([...COUNT, ...within])
    expect(first.code, explain(first)).toBe(0)
    expect(first.stdout).toContain('expected 6.35 mL, counted 6.25 mL (0.1 mL short)')
    const set = await L.run(['settings', 'set', 'count_tolerance_ml', '0', '--by', 'pkim'])
    expect(set.code, explain(set)).toBe(0)
    const list = await L.run(['settings', '--json'])
    expect(list.json!.data.find((s: any) => s.name === 'count_tolerance_ml')).toMatchObject({ value: '0', default: '0.1' })
    const second = await L.run([...COUNT, ...within, '--json'])
    expect(second.code, explain(second)).toBe(1)
    expect(second.json!.data).toMatchObject({ tolerance_ml: '0', discrepancies: [{ id: 'D-0001', difference: '-0.1', unit: 'mL' }] })
  })
})
