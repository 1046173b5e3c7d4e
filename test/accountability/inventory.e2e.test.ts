// Formal inventories through the real CLI: the initial (zero) inventory a new ledger needs
// before its first receipt, and a biennial inventory record carrying every field of
// dea-requirements.md section 4.3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFixture, copyLedger, removeTempDirs, explain } from '../support/accountability-cli.ts'

let fixture: string
beforeAll(async () => { fixture = await buildFixture() })
afterAll(removeTempDirs)

describe('a new ledger, before its first receipt', () => {
  it('given no initial inventory, then the first receipt is refused; after `inventory --kind initial --at opening --zero`, it is accepted', async () => {
    // registrant, users, locations and products, but no inventory yet (the CLI's own tests cover init)
    const L = copyLedger(await buildFixture({ world: { noInventory: true } }))
    const run = (args: string[], at: string) => L.run(args, { at })
    const receive = ['receive', '--product', 'KET-50', '--lot', 'K2417A', '--expires', '2028-03-31', '--containers', '4', '--location', 'SAFE-1', '--supplier', 'Acme Wholesale', '--supplier-address', '9 Depot Rd, Columbus OH', '--supplier-dea', 'AB1234563', '--invoice', 'INV-1', '--by', 'nkim']
    const refused = await run(receive, '2026-11-23T15:00:00Z')
    expect(refused.code, explain(refused)).toBe(3)
    expect(refused.stderr).toContain('error[INITIAL_INVENTORY_REQUIRED]')
    expect(refused.stderr).toContain('hint: csledger inventory --kind initial --at opening')

    const inv = await run(['inventory', '--kind', 'initial', '--at', 'opening', '--zero', '--by', 'pkim', '--witness', 'nkim'], '2026-11-23T14:30:00Z')
    expect(inv.code, explain(inv)).toBe(0)
    expect(inv.stdout).toContain('Initial inventory of controlled substances (21 CFR 1304.11), entry #10')
    expect(inv.stdout).toContain('Zero inventory: no controlled substances on hand.')
    expect(inv.stdout).toContain('Taken:       2026-11-23 at 09:30 America/New_York (2026-11-23T14:30:')
    expect(inv.stdout).toContain('at the opening of business')
    expect(inv.stdout).toContain('DEA number:  BJ6125341')
    expect(inv.stdout).toContain('Taken by Pat Kim (pkim); witnessed by Nora Kim (nkim)')

    const accepted = await run(receive, '2026-11-23T15:00:00Z')
    expect(accepted.code, explain(accepted)).toBe(0)
  })
})

describe('the biennial inventory record (dea-requirements.md 4.3)', () => {
  it('given everything on hand counted at close of business, with an open vial estimated and stock awaiting disposal, then the record carries every 4.3 field', async () => {
    const L = copyLedger(fixture)
    const at = '2027-01-04T23:30:00Z' // Monday 18:30 New York: M7788 expired 2026-12-31, C-0001 past its beyond-use date 2026-12-25
    const r = await L.run(['inventory', '--kind', 'biennial', '--at', 'close', '--by', 'pkim', '--witness', 'nkim',
      '--item', 'SAFE-1/K2417A=3', '--item', 'SAFE-1/M7788=2', '--item', 'LOCKBOX-2/K2501B=2', '--item', 'C-0001=6.3~'], { at })
    expect(r.code, explain(r)).toBe(0)
    const out = r.stdout
    // date, time taken, opening or close of business
    expect(out).toContain('Biennial inventory of controlled substances (21 CFR 1304.11), entry #16')
    expect(out).toMatch(/Taken: {7}2027-01-04 at 18:30 America\/New_York \(2027-01-04T23:30:\d{2}\.\d{3}Z\), at the close of business/)
    // registered location and DEA number
    expect(out).toContain('Registrant:  Calm Waters Ketamine Clinic')
    expect(out).toContain('Address:     12 Elm St, Springfield, OH 45501')
    expect(out).toContain('DEA number:  BJ6125341')
    // Schedule III and IV listed apart, III first
    expect(out.indexOf('Schedule III')).toBeGreaterThan(0)
    expect(out.indexOf('Schedule IV')).toBeGreaterThan(out.indexOf('Schedule III'))
    const iii = out.slice(out.indexOf('Schedule III'), out.indexOf('Schedule IV'))
    const iv = out.slice(out.indexOf('Schedule IV'), out.indexOf('Taken by'))
    // per product: substance, form, strength, container size, unopened containers; every location
    expect(iii).toMatch(/LOCKBOX-2\s+Ketamine HCl\s+67457-108-10\s+50 mg\/mL\s+injection, multi-dose vial\s+10 mL\s+K2501B\s+2\s*\n/)
    expect(iii).toMatch(/SAFE-1\s+Ketamine HCl\s+67457-108-10\s+50 mg\/mL\s+injection, multi-dose vial\s+10 mL\s+K2417A\s+3\s*\n/)
    // opened container measured or estimated (flagged), held for disposal with the reason
    expect(iii).toMatch(/SAFE-1\s+Ketamine HCl\s+67457-108-10\s+50 mg\/mL\s+injection, multi-dose vial\s+10 mL\s+K2417A\s+C-0001\s+6\.3 mL \(estimated\)\s+past beyond-use date 2026-12-25/)
    expect(iv).toMatch(/SAFE-1\s+Midazolam\s+0409-2596-05\s+5 mg\/mL\s+injection, multi-dose vial\s+10 mL\s+M7788\s+2\s+lot expired 2026-12-31/)
    // who took it, who witnessed it, and room to sign
    expect(out).toContain('Taken by Pat Kim (pkim); witnessed by Nora Kim (nkim)')
    expect(out.match(/Signature: _+/g)).toHaveLength(2)
    expect(out).not.toContain('Zero inventory')

    // the same record as data
    const status = await L.run(['status', '--json'], { at })
    expect(status.json!.data.inventory).toMatchObject({ last: { type: 'biennial', seq: 16, date: '2027-01-04' }, biennial_due: '2029-01-03', overdue: false })
  })

  it('given --json, then the record is part of the data', async () => {
    const L = copyLedger(fixture)
    const r = await L.run(['inventory', '--kind', 'biennial', '--at', 'opening', '--by', 'pkim', '--witness', 'nkim', '--json',
      '--item', 'SAFE-1/K2417A=3', '--item', 'SAFE-1/M7788=2', '--item', 'LOCKBOX-2/K2501B=1', '--item', 'C-0001=6.35'])
    expect(r.code, explain(r)).toBe(1) // one vial short at LOCKBOX-2: a discrepancy, like a count
    const rec = r.json!.data.record
    expect(rec).toMatchObject({ type: 'biennial', at: 'opening', date: '2026-11-27', time: '16:00', time_zone: 'America/New_York', registrant: { dea_number: 'BJ6125341' }, zero: false, taken_by: { name: 'Pat Kim' }, witnessed_by: { name: 'Nora Kim' } })
    expect(rec.schedules.map((s: any) => [s.schedule, s.lines.length])).toEqual([['III', 3], ['IV', 1]])
    expect(rec.discrepancies.map((d: any) => [d.id, d.difference])).toEqual([['D-0001', '-1']])
  })
})

describe('biennial due date on the status screen', () => {
  it('given the initial inventory on 2026-11-23, then status shows the biennial due by 2028-11-22 and OVERDUE the day after', async () => {
    const L = copyLedger(fixture)
    const due = await L.run(['status'], { at: '2028-11-22T20:00:00Z' })
    expect(due.stdout).toContain('last: initial on 2026-11-23 (#10); biennial due by 2028-11-22\n')
    const overdue = await L.run(['status'], { at: '2028-11-23T15:00:00Z' })
    expect(overdue.stdout).toContain('biennial due by 2028-11-22  OVERDUE')
  })
})
