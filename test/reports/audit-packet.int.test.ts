import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { Ledger, type VerifyReport } from '@csledger/ledger-core'
import { type SqliteLedgerStore, openSqliteStore } from '@csledger/ledger-sqlite'
import {
  type AuditReport, type ProductAccountability, auditCsvFiles, auditReportJson, buildAuditReport, buildCountSheet, buildForm106Draft, buildForm41Record,
  buildInventoryForm, renderCountSheetPdf, renderForm106Pdf, renderForm41Pdf, renderInventoryPdf, sourceFromStore, writeAuditCsv, writeAuditPdf,
} from '@csledger/reports'
// The demo package is a sibling workspace package; the test package does not list it as a dependency.
import { type DemoSummary, createDemoLedgerFile } from '../../packages/demo/src/index.ts'
import { type RawEntry, finalBook, mgOf, micro, nano10, oracle, parseExport } from './support/raw-oracle.ts'

// A 12-day demo clinic (2027-01-04 to 2027-01-15, America/New_York, UTC-5 in January), in a real
// SQLite file. Every number in the packet is checked against an independent computation from the
// raw exported entries, and the files are read back the way an inspector would.
const GENERATED = '2027-01-16T14:00:00.000Z'
let dir: string
let summary: DemoSummary
let store: SqliteLedgerStore
let L: Ledger
let verification: VerifyReport
let raw: RawEntry[]
let full: AuditReport
let sub: AuditReport
let pdfPages = 0

const bounds = (from: string, to: string) => ({ start: `${from}T05:00:00.000Z`, end: `${addDay(to)}T05:00:00.000Z` })
const addDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csledger-reports-'))
  summary = await createDemoLedgerFile(join(dir, 'demo.db'), { days: 12 })
  store = await openSqliteStore(join(dir, 'demo.db'), { readonly: true })
  L = new Ledger({ store })
  verification = await L.verify()
  const lines: string[] = []
  for await (const line of L.exportJsonl()) lines.push(line)
  raw = parseExport(lines)
  const input = { source: sourceFromStore(store), verification }
  full = await buildAuditReport(input, { from: summary.from, to: summary.to, generatedAt: GENERATED, generatedBy: 'mdiaz' })
  sub = await buildAuditReport(input, { from: '2027-01-11', to: '2027-01-15', generatedAt: GENERATED, generatedBy: 'mdiaz' })
  pdfPages = (await writePdf(full, 'a.pdf')).pages
}, 180_000)

afterAll(async () => {
  await store?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function writePdf(r: AuditReport, name: string): Promise<{ pages: number }> {
  const out = createWriteStream(join(dir, name))
  return writeAuditPdf(r, out)
}

function pdfText(file: string, args: string[] = []): string {
  return execFileSync('pdftotext', ['-layout', ...args, join(dir, file), '-'], { encoding: 'utf8' })
}

function inPeriod(e: RawEntry, from: string, to: string): boolean {
  const b = bounds(from, to)
  return e.occurred_at >= b.start && e.occurred_at < b.end
}

describe('the demo ledger', () => {
  it('given the demo, when verified, then the chain is whole and the story has its events', () => {
    expect(verification.ok).toBe(true)
    const kinds = new Set(raw.map((e) => e.kind))
    for (const k of ['inventory', 'receipt', 'transfer', 'container_opening', 'administration', 'waste', 'cosign', 'count', 'reconciliation', 'correction', 'loss_notice', 'disposal']) expect(kinds).toContain(k)
    expect(raw.filter((e) => e.kind === 'administration' && e.actor !== '').length).toBeGreaterThan(12 * 15)
  })
})

describe('accountability against the raw entries', () => {
  const check = (r: AuditReport, from: string, to: string) => {
    const b = bounds(from, to)
    const o = oracle(raw, b.start, b.end)
    for (const p of r.accountability.products) {
      const conc = p.concentration_mg_per_ml
      const sum = (f: (l: ReturnType<typeof o.get> & object) => bigint) => [...o].filter(([k]) => k.startsWith(`${p.product}|`)).reduce((s, [, l]) => s + f(l), 0n)
      const lines: Array<[keyof ProductAccountability & string, bigint]> = [
        ['opening', sum((l) => l.opening)], ['receipts', sum((l) => l.receipts)], ['administered', sum((l) => l.administered)], ['wasted', sum((l) => l.wasted)],
        ['awaiting_waste', sum((l) => l.awaiting)], ['disposed', sum((l) => l.disposed)], ['lost', sum((l) => l.lost)], ['transfers', sum((l) => l.transfers)],
        ['adjustments', sum((l) => l.adjustments)], ['expected', sum((l) => l.opening + l.book_change)],
      ]
      for (const [line, ml] of lines) {
        const amount = p[line] as { ml: string; mg: string }
        expect({ product: p.product, line, ml: micro(amount.ml) }).toEqual({ product: p.product, line, ml })
        expect({ product: p.product, line, mg: nano10(amount.mg) }).toEqual({ product: p.product, line, mg: mgOf(ml, conc) })
      }
      const counted = sum((l) => l.counted ?? 0n)
      expect(micro(p.counted!.ml)).toBe(counted)
      expect(micro(p.difference!.ml)).toBe(counted - micro(p.expected.ml))
    }
  }

  it('given the whole demo, when audited, then every line of every product equals the independent computation', () => check(full, summary.from, summary.to))
  it('given a later week, when audited, then it opens at the counts before it and still equals the independent computation', () => check(sub, '2027-01-11', '2027-01-15'))

  it('given every product and location, when checked, then expected = opening + receipts - administered - wasted - awaiting - disposed - lost + transfers + adjustments', () => {
    for (const r of [full, sub]) {
      for (const p of r.accountability.products) {
        for (const l of [p, ...p.locations]) {
          const m = (x: { ml: string }) => micro(x.ml)
          expect(m(l.opening) + m(l.receipts) - m(l.administered) - m(l.wasted) - m(l.awaiting_waste) - m(l.disposed) - m(l.lost) + m(l.transfers) + m(l.adjustments)).toBe(m(l.expected))
          expect(l.opening.sealed! + l.receipts.sealed! - l.opened.sealed! - l.disposed.sealed! - l.lost.sealed! + l.transfers.sealed! + l.adjustments.sealed!).toBe(l.expected.sealed)
        }
      }
    }
  })

  it('given the demo ends with its counts, when audited, then the expected closing is the book replayed from the raw entries and the ledger\'s own balance', async () => {
    const book = finalBook(raw)
    const balance = (await L.balance()).rows
    for (const p of full.accountability.products) {
      expect(micro(p.expected.ml)).toBe(book.get(p.product))
      const fromProjections = balance.filter((b) => b.product === p.product).reduce((s, b) => s + micro(b.total_mL), 0n)
      expect(micro(p.expected.ml)).toBe(fromProjections)
    }
  })

  it('given the loss and the discrepancies, when audited, then every count difference was explained and the loss is shown as lost', () => {
    const mdz = full.accountability.products.find((p) => p.product === 'MDZ-1')!
    expect(mdz.lost.sealed).toBe(1)
    for (const p of full.accountability.products) expect(p.difference!.mg).toBe('0')
  })
})

describe('sections against the raw entries', () => {
  it('given each log, when built, then it has one row per entry of its kind that happened in the period', () => {
    for (const [r, from, to] of [[full, summary.from, summary.to], [sub, '2027-01-11', '2027-01-15']] as const) {
      const n = (kind: string) => raw.filter((e) => e.kind === kind && inPeriod(e, from, to)).length
      const rows = Object.fromEntries(r.cover.sections.map((s) => [s.name, s.rows]))
      expect(rows).toMatchObject({
        receipts: n('receipt'), administrations: n('administration'), waste: n('waste'), transfers: n('transfer'), disposals: n('disposal'),
        counts: n('count'), corrections: n('correction'), inventories: n('inventory'),
        losses: n('loss') + raw.filter((e) => e.kind === 'reconciliation' && e.data.loss && inPeriod(e, from, to)).length,
        count_items: raw.filter((e) => e.kind === 'count' && inPeriod(e, from, to)).reduce((s, e) => s + e.data.items.length, 0),
      })
    }
  })

  it('given the JSON rendering, when parsed, then it holds every row of every section', async () => {
    const json = await auditReportJson(full)
    for (const s of full.cover.sections) expect((json[s.name] as unknown[]).length).toBe(s.rows)
    expect(json.cover).toEqual(JSON.parse(JSON.stringify(full.cover)))
  })
})

describe('CSV files', () => {
  let csvDir: string
  beforeAll(async () => {
    csvDir = join(dir, 'csv')
    await writeAuditCsv(full, csvDir)
  })

  it('given each file, when parsed strictly as RFC 4180, then it has its header, CRLF records of equal width and the rows of its section', async () => {
    const expected: Record<string, number> = Object.fromEntries(full.cover.sections.map((s) => [`${s.name.replace('_', '-')}.csv`, s.rows]))
    for (const f of auditCsvFiles(full)) {
      const text = await readFile(join(csvDir, f.file), 'utf8')
      expect(text.endsWith('\r\n')).toBe(true)
      const records = parse(text, { record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false, skip_empty_lines: false, bom: false }) as string[][]
      expect(records[0]).toEqual(f.columns.map((c) => c.name))
      if (expected[f.file] !== undefined) expect({ file: f.file, rows: records.length - 1 }).toEqual({ file: f.file, rows: expected[f.file] })
      const types = f.columns.map((c) => c.type)
      for (const rec of records.slice(1)) {
        rec.forEach((cell, i) => {
          const t = types[i]
          if (t === 'decimal') expect(cell).toMatch(/^(-?\d+(\.\d+)?)?$/)
          if (t === 'integer') expect(cell).toMatch(/^(-?\d+)?$/)
          if (t === 'time') expect(cell).toMatch(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)?$/)
          if (t === 'date') expect(cell).toMatch(/^\d{4}-\d\d-\d\d$/)
          if (t === 'text' || t === 'unit') expect(cell).not.toMatch(/^[=+\-@\t\r]/)
        })
        const unit = f.columns.findIndex((c) => c.name === 'mass_unit')
        if (unit >= 0) expect(rec[unit]).toBe('mg')
      }
    }
  })

  it('given every file of ledger records, when read, then each row carries its entry\'s seq and the hash the chain stores for it', async () => {
    const chain = new Map<string, string>()
    for await (const line of L.exportJsonl()) {
      const { entry, hash } = JSON.parse(line) as { entry: { seq: number }; hash: string }
      chain.set(String(entry.seq), hash)
    }
    // Each file names the entry of each row by a seq column and the hash column beside it.
    const pairs: Record<string, Array<[string, string]>> = {
      'receipts.csv': [['seq', 'hash']], 'administrations.csv': [['seq', 'hash']], 'waste.csv': [['seq', 'hash']], 'transfers.csv': [['seq', 'hash']],
      'disposals.csv': [['seq', 'hash']], 'disposal-items.csv': [['disposal_seq', 'disposal_hash']], 'losses.csv': [['seq', 'hash']], 'loss-items.csv': [['loss_seq', 'loss_hash']],
      'counts.csv': [['seq', 'hash']], 'count-items.csv': [['count_seq', 'count_hash']], 'discrepancies.csv': [['found_by_seq', 'found_by_hash']],
      'corrections.csv': [['seq', 'hash']], 'inventories.csv': [['seq', 'hash']], 'inventory-items.csv': [['inventory_seq', 'inventory_hash']],
      'accountability.csv': [['window_opens_seq', 'window_opens_hash'], ['window_closes_seq', 'window_closes_hash']],
    }
    let checked = 0
    for (const f of auditCsvFiles(full)) {
      if (f.file === 'cover.csv' || f.file === 'accountability-schedules.csv') continue
      expect(pairs[f.file], `${f.file} names its entries`).toBeDefined()
      const rows = parse(await readFile(join(csvDir, f.file), 'utf8'), { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>
      for (const row of rows) {
        for (const [seq, hash] of pairs[f.file]!) {
          // A product's all-locations line, or a window the period opens without a count, names no entry.
          if (row[seq] === '' && f.file === 'accountability.csv') { expect(row[hash]).toBe(''); continue }
          expect({ file: f.file, seq: row[seq], hash: row[hash] }).toEqual({ file: f.file, seq: row[seq], hash: chain.get(row[seq]!) })
          checked++
        }
      }
    }
    // Every row of every log was checked (the accountability windows come on top).
    const logRows = full.cover.sections.reduce((n, s) => n + s.rows, 0)
    expect(logRows).toBeGreaterThan(300)
    expect(checked).toBeGreaterThan(logRows)
  })

  it('given the accountability file, when read, then its totals are the report\'s', async () => {
    const rows = parse(await readFile(join(csvDir, 'accountability.csv'), 'utf8'), { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>
    for (const p of full.accountability.products) {
      const row = rows.find((r) => r.product === p.product && r.location === 'ALL')!
      expect([row.expected_mass, row.counted_mass, row.expected_volume, row.expected_sealed, row.mass_unit, row.volume_unit]).toEqual([p.expected.mg, p.counted!.mg, p.expected.ml, String(p.expected.sealed), 'mg', 'mL'])
    }
  })
})

describe('the PDF packet', () => {
  it('given the same ledger and options, when rendered twice, then the files are byte-identical', async () => {
    await writePdf(full, 'b.pdf')
    const [a, b] = await Promise.all([readFile(join(dir, 'a.pdf')), readFile(join(dir, 'b.pdf'))])
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'))
  })

  it('given the file, when checked by pdfinfo and qpdf, then it is a valid Letter landscape PDF with the pages the renderer counted', () => {
    const info = execFileSync('pdfinfo', [join(dir, 'a.pdf')], { encoding: 'utf8' })
    expect(info).toMatch(new RegExp(`Pages:\\s+${pdfPages}\\n`))
    expect(info).toMatch(/Page size:\s+792 x 612 pts \(letter\)/)
    expect(info).toMatch(/CreationDate:\s+Sat Jan 16 14:00:00 2027 UTC/)
    execFileSync('qpdf', ['--check', join(dir, 'a.pdf')], { encoding: 'utf8' })
  })

  it('given every page, when read back, then it carries its page number of the total, the DEA number and the ledger head hash', () => {
    const pages = pdfText('a.pdf').split('\f').filter((p) => p.trim() !== '')
    expect(pages.length).toBe(pdfPages)
    pages.forEach((text, i) => {
      expect(text).toContain(`Page ${i + 1} of ${pdfPages}`)
      expect(text).toContain('DEA F91234563')
      expect(text).toMatch(new RegExp(`Ledger head #${summary.head.seq}\\s+SHA-256 ${summary.head.hash}`))
    })
  })

  it('given the accountability pages, when read back, then the key figures are there', () => {
    const text = pdfText('a.pdf')
    expect(text).toContain('PASSED at generation')
    for (const p of full.accountability.products) {
      const grouped = (v: string) => v.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
      expect(text).toMatch(new RegExp(`= Expected closing\\s+${grouped(p.expected.mg)}\\s+${grouped(p.expected.ml)}\\s+${p.expected.sealed}`))
      expect(text).toMatch(new RegExp(`\\+ Receipts\\s+${grouped(p.receipts.mg)}\\s`))
    }
    for (const id of ['L-0001', 'D-0001']) expect(text).toContain(id)
    const correction = raw.find((e) => e.kind === 'correction')!
    expect(text).toMatch(new RegExp(`#${correction.seq}\\s+2027-`))
  })

  it('given the logs, when read back, then every dose and every waste is printed and no page ends on a bare table header', () => {
    const pages = pdfText('a.pdf').split('\f')
    const doses = pages.flatMap((p) => p.split('\n')).filter((l) => /^\s*#\d+\s+2027-\d\d-\d\d \d\d:\d\d\s+P-\d+\s/.test(l))
    expect(doses.length).toBe(full.administrations.count)
    const wastes = pages.flatMap((p) => p.split('\n')).filter((l) => /^\s*#\d+\s+2027-\d\d-\d\d \d\d:\d\d\s+(KET-50|MDZ-1) [KM]\d+\s/.test(l))
    expect(wastes.length).toBe(full.waste.count)
    let headers = 0
    for (const page of pages) {
      const lines = page.split('\n')
      const header = lines.findLastIndex((l) => /^\s*#\s+(Given at|Wasted at|Counted at|Received|Moved at)\s/.test(l))
      if (header < 0) continue
      headers++
      expect(lines.slice(header + 1).some((l) => /^\s*#\d+\s/.test(l))).toBe(true)
    }
    // The administration log alone runs over several pages, each with its header repeated.
    expect(headers).toBeGreaterThan(5)
  })
})

describe('printable forms', () => {
  const opts = { generatedAt: GENERATED, generatedBy: 'pkim' }
  const check = async (name: string, pdf: Buffer, expected: readonly (string | RegExp)[]) => {
    await writeFile(join(dir, name), pdf)
    execFileSync('qpdf', ['--check', join(dir, name)], { encoding: 'utf8' })
    const text = pdfText(name)
    for (const e of expected) expect(text).toMatch(e)
  }

  it('given the on-site destruction, when printed as a Form 41 record, then sections A to D are filled from the ledger', async () => {
    const d = raw.find((e) => e.kind === 'disposal')!
    const record = await buildForm41Record(sourceFromStore(store), { ...opts, seq: d.seq })
    await check('form41.pdf', await renderForm41Pdf(record), [
      'A. Registrant information', 'F91234563', 'B(1). Inventory destroyed', d.data.items[0].lot, `${d.data.items[0].amount_ml} mL = `, 'C. Method of destruction', 'Rx Destroyer',
      'D. Witnesses', /First witness: .+RN|First witness: Dr\./, 'Second witness',
    ])
  })

  it('given the loss, when printed as a Form 106 draft, then the known items and both clocks are there', async () => {
    const draft = await buildForm106Draft(sourceFromStore(store), { ...opts, loss: 'L-0001' })
    expect(draft.losses_past_24_months).toBe(0)
    await check('form106.pdf', await renderForm106Pdf(draft), ['DEA Form 106 draft', 'F91234563', 'Controlled substances lost', '70860-600-02', /Written notice to DEA\s+due 2027-01-/, /Form 106 in TLR\s+due 2027-/])
  })

  it('given the initial inventory, when printed, then it is a signable zero inventory', async () => {
    const form = await buildInventoryForm(sourceFromStore(store), { ...opts })
    await check('inventory.pdf', await renderInventoryPdf(form), ['Initial inventory (21 CFR 1304.11)', 'ZERO INVENTORY', 'opening of business', /Taken by: Dr\. Pat Kim/, 'Witness'])
  })

  it('given a location, when its count sheet is printed, then every item to count is listed with its book position and no expected values', async () => {
    const read = store.read()
    const reg = (await read.get('registrant', '-'))!
    const sheet = await L.countSheet('CART-2')
    const doc = buildCountSheet({ ...opts, registrant: reg, timezone: reg.timezone, location: (await read.get('location', 'CART-2'))!, sheet, products: await read.list('product'), head: await read.head() })
    expect(doc.lines.length).toBe(sheet.sealed.length + sheet.open.length)
    const lots = [...sheet.sealed.map((s) => s.lot), ...sheet.open.map((o) => o.container)]
    await check('sheet.pdf', await renderCountSheetPdf(doc), [`#${sheet.based_on_seq}`, 'Blind count', ...lots])
    expect(pdfText('sheet.pdf')).not.toMatch(/expected/i)
  })
})

describe('the signed checkpoint on paper', () => {
  /** Every QR code zbarimg finds on a PDF page, rendered at 200 dpi as a person's scanner would see it. */
  function qrCodes(file: string, page = 1): string[] {
    const png = join(dir, `${file}-qr`)
    execFileSync('pdftoppm', ['-r', '200', '-f', String(page), '-l', String(page), '-png', '-singlefile', join(dir, file), png])
    const out = execFileSync('zbarimg', ['--quiet', '--raw', '-Sbinary', `${png}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return out === '' ? [] : [out.replace(/\n$/, '')]
  }

  it('given the demo (every count signs a checkpoint), when the packet prints the newest, then its cover shows the code and the QR code scans to the exact signed note', async () => {
    const newest = await L.newestCheckpoint()
    expect(newest?.verdict.status).toBe('ok')
    const signed = await buildAuditReport(
      { source: sourceFromStore(store), verification, checkpoint: { note: newest!.record.note, signed_by: newest!.verdict.signed_by, basis: 'stored' } },
      { from: summary.from, to: summary.to, generatedAt: GENERATED, generatedBy: 'mdiaz' },
    )
    const cp = signed.cover.checkpoint!
    expect(cp).toMatchObject({ consistent: true, basis: 'stored', size: newest!.verdict.size, code: newest!.verdict.code })
    expect(cp.signed_by).toHaveLength(2) // the counter and the witness
    await writePdf(signed, 'signed.pdf')
    const cover = pdfText('signed.pdf', ['-f', '1', '-l', '1'])
    expect(cover).toMatch(new RegExp(`Signed checkpoint\\s+${cp.code}`))
    expect(cover).toContain(`Covers entries 1-${cp.size}; Merkle root ${cp.root}`)
    expect(qrCodes('signed.pdf')).toEqual([cp.note.replace(/\n$/, '')])
  })

  it('given a count sheet with a checkpoint, when printed, then it has the write-in line for the count\'s code and a QR code of the note', async () => {
    const newest = (await L.newestCheckpoint())!
    const read = store.read()
    const reg = (await read.get('registrant', '-'))!
    const doc = buildCountSheet({
      generatedAt: GENERATED, generatedBy: 'pkim', registrant: reg, timezone: reg.timezone, location: (await read.get('location', 'SAFE-1'))!, sheet: await L.countSheet('SAFE-1'),
      products: await read.list('product'), head: await read.head(), checkpoint: { note: newest.record.note, signed_by: newest.verdict.signed_by, basis: 'stored' },
    })
    await writeFile(join(dir, 'sheet-cp.pdf'), await renderCountSheetPdf(doc))
    const text = pdfText('sheet-cp.pdf')
    expect(text).toContain('Checkpoint code csledger printed after recording this count')
    expect(text).toMatch(new RegExp(`Signed checkpoint\\s+${newest.verdict.code}`))
    expect(qrCodes('sheet-cp.pdf')).toEqual([newest.record.note.replace(/\n$/, '')])
  })
})
