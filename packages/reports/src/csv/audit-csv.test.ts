import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import type { ContainerOpeningData } from '@csledger/ledger-core'
import { smallClinic } from '../testing/small-clinic.ts'
import { buildAuditReport } from '../audit/build-audit-report.ts'
import type { AuditReport } from '../audit/audit-report.ts'
import { auditReportJson } from '../json/audit-json.ts'
import { writeAuditCsv } from './audit-csv.ts'

let dir: string
let report: AuditReport

beforeAll(async () => {
  const c = await smallClinic()
  c.at('2027-03-01T11:50:00Z')
  await c.L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await c.store.read().head())!.seq, items: [], by: c.pic, witness: c.nurse })
  c.at('2027-03-01T13:00:00Z')
  await c.L.receive({ product: 'KET-50', lot: 'K1', expires: '2029-01-31', containers: 2, location: 'SAFE-1', supplier: '@Acme, "Wholesale"', supplierAddress: '9 Depot Rd, "Unit 4"', supplierDea: 'AB1234563', invoice: '-INV-1', by: c.nurse })
  const ket = (await c.L.open({ product: 'KET-50', lot: 'K1', location: 'SAFE-1', by: c.nurse })).stored.entry.data as ContainerOpeningData
  const a = await c.L.administer({ container: ket.container, dose: '35mg', drawn: '40mg', patient: 'P-1', by: c.nurse })
  await c.L.waste({ administration: a.stored.entry.seq, amount: '5mg', reason: '=1+1 spilled\nwiped up, bin 2', witness: c.nurse2, by: c.nurse })
  report = await buildAuditReport({ source: c.source, verification: await c.L.verify() }, { from: '2027-03-01', to: '2027-03-01', generatedAt: '2027-03-02T12:00:00Z', generatedBy: 'pkim' })
  dir = await mkdtemp(join(tmpdir(), 'csledger-csv-'))
  await writeAuditCsv(report, dir)
})

afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })

const read = async (file: string) => parse(await readFile(join(dir, file), 'utf8'), { columns: true, record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false }) as Array<Record<string, string>>

describe('writeAuditCsv', () => {
  it('given free text that starts like a formula, when written, then the CSV cell is neutralised and the JSON keeps the text as recorded', async () => {
    const waste = await read('waste.csv')
    expect(waste.map((w) => w.reason)).toEqual(["'=1+1 spilled\nwiped up, bin 2"])
    const receipts = await read('receipts.csv')
    expect([receipts[0]!.supplier_name, receipts[0]!.invoice]).toEqual(["'@Acme, \"Wholesale\"", "'-INV-1"])
    const json = await auditReportJson(report)
    expect((json.waste as Array<{ reason: string }>)[0]!.reason).toBe('=1+1 spilled\nwiped up, bin 2')
  })

  it('given commas, quotes and line breaks in text, when written, then they are quoted per RFC 4180 and read back exactly', async () => {
    expect(await readFile(join(dir, 'receipts.csv'), 'utf8')).toContain('"9 Depot Rd, ""Unit 4"""')
    expect((await read('receipts.csv'))[0]!.supplier_address).toBe('9 Depot Rd, "Unit 4"')
    // Reasons and notes may run over several lines (one-line fields may not).
    expect(await readFile(join(dir, 'waste.csv'), 'utf8')).toContain('"\'=1+1 spilled\nwiped up, bin 2"')
  })

  it('given quantities, when written, then they are exact decimal strings beside their unit', async () => {
    const dose = (await read('administrations.csv'))[0]!
    expect([dose.given_mass, dose.drawn_mass, dose.wasted_mass, dose.mass_unit, dose.given_volume, dose.drawn_volume, dose.wasted_volume, dose.volume_unit]).toEqual(['35', '40', '5', 'mg', '0.7', '0.8', '0.1', 'mL'])
  })
})
