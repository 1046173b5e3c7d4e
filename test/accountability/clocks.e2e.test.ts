// Time-dependent behaviour through the real CLI, each process run under faketime: discrepancy
// deadlines, the DEA notice across a weekend, Form 106, beyond-use dates, expired lots.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKETIME, REPO, type RunResult, baseEnv, buildFixture, copyLedger, removeTempDirs, explain, faketimeSpec } from '../support/accountability-cli.ts'

let fixture: string
beforeAll(async () => { fixture = await buildFixture() })
afterAll(removeTempDirs)

const RD = ['--distributor', 'Return Logistics Inc', '--distributor-address', '400 Commerce Way, Dayton OH 45402', '--distributor-dea', 'AB1234563']

/** The part of `status` text under one heading. */
function section(r: RunResult, heading: string): string {
  const start = r.stdout.indexOf(heading)
  if (start < 0) return ''
  const rest = r.stdout.slice(start + heading.length)
  const next = rest.search(/\n(?=[A-Z][a-z])/)
  return next < 0 ? rest : rest.slice(0, next)
}

describe('faketime and Node 24', () => {
  it('given the project\'s Node under faketime -f @…, then new Date() inside node reads the faked instant, and timers still fire', () => {
    const node = join(REPO, '.toolchain/bin/node')
    const r = spawnSync(FAKETIME, ['-f', faketimeSpec('2026-11-27T21:00:00Z'), node, '-e', 'const t0 = new Date().toISOString(); setTimeout(() => console.log(t0, new Date().toISOString()), 50)'], { env: baseEnv(), encoding: 'utf8', timeout: 10_000 })
    expect(r.status, r.stderr).toBe(0)
    const [start, later] = r.stdout.trim().split(' ')
    expect(start!.slice(0, 16)).toBe('2026-11-27T21:00')
    expect(later! > start!).toBe(true)
  })
})

describe('discrepancy deadline', () => {
  it('given discrepancies opened Friday 16:00, then they are open at +23 h and OPEN, OVERDUE at +25 h, in `discrepancies` and in `status`', async () => {
    const L = copyLedger(fixture)
    const count = await L.run(['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', 'K2417A=2', '--item', 'M7788=2', '--item', 'C-0001=5.95mL'])
    expect(count.code, explain(count)).toBe(1)

    const [early, late, status] = await Promise.all([
      L.run(['discrepancies', '--open', '--json'], { at: '2026-11-28T20:30:00Z' }),
      L.run(['discrepancies', '--open'], { at: '2026-11-28T22:05:00Z' }),
      L.run(['status'], { at: '2026-11-28T22:05:00Z' }),
    ])
    expect(early.json!.data.map((d: any) => [d.id, d.overdue, d.age_hours])).toEqual([['D-0001', false, 23], ['D-0002', false, 23]])

    expect(late.code, explain(late)).toBe(0)
    expect(late.stdout).toMatch(/D-0001\s+SAFE-1 KET-50 lot K2417A\s+expected 3 sealed, counted 2 \(1 short\)\s+OPEN, OVERDUE\s+25 h\s+2026-11-28T21:00/)
    expect(late.stdout).toMatch(/D-0002\s+SAFE-1 C-0001 \(KET-50 lot K2417A\)\s+expected 6\.35 mL, counted 5\.95 mL \(0\.4 mL short\)\s+OPEN, OVERDUE\s+25 h/)

    expect(status.stdout).toMatch(/^csledger status, 2026-11-28 \(2 item\(s\) need attention\)/)
    const open = section(status, 'Open discrepancies')
    expect(open).toMatch(/D-0001\s+SAFE-1 KET-50 lot K2417A sealed\s+-1 container\s+25 h\s+2026-11-28T21:00:\d{2}\.\d{3}Z {2}OVERDUE/)
    expect(open).toMatch(/D-0002\s+SAFE-1 C-0001 \(KET-50 lot K2417A\)\s+-0\.4 mL\s+25 h\s+2026-11-28T21:00:\d{2}\.\d{3}Z {2}OVERDUE/)
  })
})

describe('theft discovered Friday afternoon in New York', () => {
  it('given a theft recorded Friday 16:00, then the DEA notice is due Monday 16:00 and Form 106 in 45 days; `loss notice` and `loss filed` stop the clocks', async () => {
    const L = copyLedger(fixture)
    const rec = await L.run(['loss', 'record', '--type', 'theft', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--containers', '1', '--note', 'lockbox found forced', '--by', 'pkim'])
    expect(rec.code, explain(rec)).toBe(0)
    expect(rec.stdout).toMatch(/L-0001: DEA notice due 2026-11-30T21:00:\d{2}\.\d{3}Z; Form 106 due 2027-01-11T21:00:\d{2}\.\d{3}Z/)

    const [monday, late] = await Promise.all([L.run(['status'], { at: '2026-11-30T20:59:00Z' }), L.run(['status'], { at: '2026-11-30T21:03:00Z' })])
    expect(section(monday, 'Theft and loss clocks')).toMatch(/L-0001\s+theft\s+2026-11-27T21:00:\d{2}\.\d{3}Z\s+due 2026-11-30T21:00:\d{2}\.\d{3}Z\s+due 2027-01-11T21:00:\d{2}\.\d{3}Z\n/)
    expect(section(late, 'Theft and loss clocks')).toMatch(/due 2026-11-30T21:00:\d{2}\.\d{3}Z {2}OVERDUE\s+due 2027-01-11/)

    const notice = await L.run(['loss', 'notice', 'L-0001', '--method', 'email', '--to', 'Columbus District Office', '--by', 'pkim'], { at: '2026-11-30T21:05:00Z' })
    expect(notice.code, explain(notice)).toBe(0)
    const noticed = await L.run(['status'], { at: '2026-11-30T21:06:00Z' })
    expect(section(noticed, 'Theft and loss clocks')).toMatch(/L-0001\s+theft\s+\S+\s+sent 2026-11-30T21:05:\d{2}\.\d{3}Z\s+due 2027-01-11T21:00:\d{2}\.\d{3}Z\n/)
    expect(noticed.stdout).toContain('(nothing needs attention)')

    const [draft, text] = await Promise.all([L.run(['loss', 'form106', 'L-0001', '--json'], { at: '2026-12-01T15:00:00Z' }), L.run(['loss', 'form106', 'L-0001'], { at: '2026-12-01T15:00:00Z' })])
    expect(draft.code, explain(draft)).toBe(0)
    expect(draft.json!.data).toMatchObject({
      loss: 'L-0001', registrant: { name: 'Calm Waters Ketamine Clinic', address: '12 Elm St, Springfield, OH 45501', dea_number: 'BJ6125341' },
      type: 'theft', losses_past_24_months: 0, filing: null, note: 'lockbox found forced',
      products: [{ product: 'KET-50', substance: 'Ketamine HCl', strength: '50 mg/mL', form: 'injection, 10 mL multi-dose vial', ndc: '67457-108-10', lot: 'K2417A', containers: 1, quantity_ml: '10', quantity_mg: '500' }],
    })
    expect(draft.json!.data.date_of_discovery.slice(0, 16)).toBe('2026-11-27T21:00')
    for (const item of ['1. Registrant:            Calm Waters Ketamine Clinic, 12 Elm St', '3. DEA registration:      BJ6125341', '4. Date of discovery:     2026-11-27T21:00', '9. Losses, past 24 months: 0', '10. Type:                  theft', 'NDC 67457-108-10  Ketamine HCl 50 mg/mL, injection, 10 mL multi-dose vial, lot K2417A: 1 container(s), 10 mL = 500 mg']) {
      expect(text.stdout).toContain(item)
    }

    const filed = await L.run(['loss', 'filed', 'L-0001', '--confirmation', 'TLR-2026-118833', '--by', 'pkim'], { at: '2026-12-15T15:00:00Z' })
    expect(filed.code, explain(filed)).toBe(0)
    const done = await L.run(['status'], { at: '2026-12-15T15:01:00Z' })
    expect(section(done, 'Theft and loss clocks')).toBe('\n  none\n')
  })

  it('given small losses of KET-50 on three days within 30 days, then status asks for a significance review', async () => {
    const L = copyLedger(fixture)
    for (const at of ['2026-11-27T21:00:00Z', '2026-12-01T15:00:00Z', '2026-12-08T15:00:00Z']) {
      const r = await L.run(['loss', 'record', '--type', 'breakage-spill', '--container', 'C-0001', '--amount', '0.1mL', '--note', 'drop on the septum', '--by', 'pkim'], { at })
      expect(r.code, explain(r)).toBe(0)
    }
    const s = await L.run(['status'], { at: '2026-12-08T16:00:00Z' })
    expect(s.stdout).toMatch(/Pattern of losses: consider significance \(21 CFR 1301\.76\(b\)\)\nPRODUCT\s+EVENTS\s+WINDOW\n[- ]+\nKET-50\s+3\s+30 days/)
  })
})

describe('multi-dose vial past its beyond-use date', () => {
  it('given C-0001 opened 2026-11-27, then on 2026-12-26 a dose is refused (BEYOND_USE_DATE), status lists the vial, and an on-site destruction with two employees records the Form 41 fields', async () => {
    const L = copyLedger(fixture)
    const at = '2026-12-26T15:00:00Z'
    const dose = await L.run(['administer', '--container', 'C-0001', '--dose', '10mg', '--patient', 'P-1009', '--by', 'nkim'], { at })
    expect(dose.code, explain(dose)).toBe(3)
    expect(dose.stderr).toContain('error[BEYOND_USE_DATE]: container C-0001 passed its beyond-use date 2026-12-25')
    expect(dose.stderr).toContain('hint: dispose of its remainder with `csledger dispose --method destruction --container C-0001')

    const status = await L.run(['status'], { at })
    expect(section(status, 'Containers past beyond-use date (dispose, do not use)')).toMatch(/C-0001\s+KET-50\s+K2417A\s+SAFE-1\s+2026-12-25\s+6\.35 mL/)

    const dispose = await L.run(['dispose', '--method', 'destruction', '--container', 'C-0001', '--reason', 'past beyond-use date', '--destruction-method', 'chemical digestion (Rx Destroyer)', '--place', 'med room, 12 Elm St, Springfield OH', '--by', 'nkim', '--witness', 'rmoss', '--json'], { at: '2026-12-26T15:10:00Z' })
    expect(dispose.code, explain(dispose)).toBe(0)
    const e = dispose.json!.data.entry
    expect(e).toMatchObject({
      kind: 'disposal', actor: 'nkim', witness: 'rmoss',
      data: {
        method: 'destruction', reason: 'past beyond-use date', witnesses: ['nkim', 'rmoss'],
        destruction: { method: 'chemical digestion (Rx Destroyer)', place: 'med room, 12 Elm St, Springfield OH' },
        items: [{ container: 'C-0001', product: 'KET-50', lot: 'K2417A', ndc: '67457-108-10', location: 'SAFE-1', containers: 0, amount_ml: '6.35', amount_mg: '317.5' }],
      },
    })
    expect(e.occurred_at.slice(0, 16)).toBe('2026-12-26T15:10')
    const after = await L.run(['status'], { at: '2026-12-26T15:11:00Z' })
    expect(section(after, 'Containers past beyond-use date (dispose, do not use)')).toBe('\n  none\n')
  })
})

describe('expired lot', () => {
  it('given lot M7788 expired 2026-12-31, then in January it can be neither opened nor drawn from, status shows it EXPIRED, and the reverse distributor takes it', async () => {
    const L = copyLedger(fixture)
    const opened = await L.run(['open', '--product', 'MDZ-5', '--lot', 'M7788', '--location', 'SAFE-1', '--by', 'nkim'], { at: '2026-12-30T15:00:00Z' })
    expect(opened.code, explain(opened)).toBe(0)
    const at = '2027-01-02T15:00:00Z'
    const [dose, open, status] = await Promise.all([
      L.run(['administer', '--container', 'C-0002', '--dose', '2mg', '--patient', 'P-1010', '--by', 'nkim'], { at }),
      L.run(['open', '--product', 'MDZ-5', '--lot', 'M7788', '--location', 'SAFE-1', '--by', 'nkim'], { at }),
      L.run(['status'], { at }),
    ])
    expect(dose.code, explain(dose)).toBe(3)
    expect(dose.stderr).toContain('error[LOT_EXPIRED]: lot M7788 of MDZ-5 expired on 2026-12-31')
    expect(open.code).toBe(3)
    expect(open.stderr).toContain('error[LOT_EXPIRED]')
    expect(section(status, 'Lots expiring soon')).toMatch(/MDZ-5\s+M7788\s+2026-12-31\s+EXPIRED\s+1\s+1\n/)

    const rd = await L.run(['dispose', '--method', 'reverse-distributor', '--product', 'MDZ-5', '--lot', 'M7788', '--location', 'SAFE-1', '--containers', '1', '--container', 'C-0002', '--reason', 'expired', ...RD, '--by', 'nkim', '--witness', 'pkim', '--json'], { at })
    expect(rd.code, explain(rd)).toBe(0)
    expect(rd.json!.data.entry.data).toMatchObject({
      method: 'reverse-distributor', witnesses: ['nkim', 'pkim'],
      reverse_distributor: { name: 'Return Logistics Inc', address: '400 Commerce Way, Dayton OH 45402', dea_number: 'AB1234563' },
      items: [{ product: 'MDZ-5', lot: 'M7788', containers: 1, amount_ml: '10' }, { container: 'C-0002', containers: 0, amount_ml: '10' }],
    })
    const after = await L.run(['status'], { at: '2027-01-02T15:05:00Z' })
    expect(section(after, 'Lots expiring soon')).toBe('\n  none\n')
  })
})
