import { PassThrough, type Writable } from 'node:stream'
import type { CountSheetDocument, Form106Draft, Form41Record, InventoryForm } from '../printables/build-forms.ts'
import type { PrintableHeader } from '../printables/printable-context.ts'
import { grouped } from '../format/display.ts'
import { localDateOf, localDateTime } from '../format/local-time.ts'
import { documentFrame } from './audit-frame.ts'
import { drawCheckpointBlock } from './draw-checkpoint.ts'
import { type PdfWriter, renderTwoPass } from './pdf-writer.ts'
import { drawInventoryBody } from './render-audit-pdf.ts'

type Draw = (w: PdfWriter) => Promise<void>

async function writeForm(h: PrintableHeader, title: string, sink: Writable, draw: Draw): Promise<{ pages: number }> {
  const frame = documentFrame({
    registrant: h.registrant, document: title, detail: `Local times: ${h.timezone}`, head: h.head, generatedAt: h.generated_at, generatedBy: h.generated_by, timezone: h.timezone,
  }, 'portrait')
  return renderTwoPass(sink, { title: `${title}: ${h.registrant.name}`, author: h.generated_by, subject: `DEA ${h.registrant.dea_number}`, creationDate: new Date(h.generated_at) }, frame, async (w) => {
    w.sectionStart(title, { heading: false })
    await draw(w)
  })
}

async function toBuffer(write: (sink: Writable) => Promise<unknown>): Promise<Buffer> {
  const sink = new PassThrough()
  const chunks: Buffer[] = []
  sink.on('data', (c: Buffer) => chunks.push(c))
  await write(sink)
  return Buffer.concat(chunks)
}

/**
 * A formal inventory on its own, portrait, with signature lines (21 CFR 1304.11).
 *
 * @example
 * await writeFile('inventory.pdf', await renderInventoryPdf(await buildInventoryForm(source, opts)))
 */
export function writeInventoryPdf(f: InventoryForm, sink: Writable): Promise<{ pages: number }> {
  return writeForm(f, 'Controlled substance inventory', sink, async (w) => {
    w.paragraph(`${f.inventory.type === 'initial' ? 'Initial' : 'Biennial'} inventory (21 CFR 1304.11)`, { font: 'Helvetica-Bold', size: 15, gap: 6 })
    await drawInventoryBody(w, f.inventory, f.timezone, { signatures: false })
    w.paragraph('Opened containers of schedule III-V substances may be counted by estimate (21 CFR 1304.11(e)(3)); estimated volumes are marked "(est.)". Unopened containers are counted exactly. Everything on hand is listed, including stock held for disposal.', { size: 7.5 })
    w.paragraph('We declare that this inventory is a complete and accurate count of the controlled substances on hand at the time stated.', { size: 8.5 })
    w.signatureLines([`Taken by: ${f.inventory.taken_by.name}`, `Witness: ${f.inventory.witness?.name ?? ''}`])
  })
}
export function renderInventoryPdf(f: InventoryForm): Promise<Buffer> { return toBuffer((s) => writeInventoryPdf(f, s)) }

const LOSS_TYPE: Record<string, string> = {
  theft: 'Other (explain): theft found at a count or on discovery',
  loss: 'Other (explain): unexplained loss',
  'in-transit': 'Lost in transit (complete item 14)',
  'breakage-spill': 'Other (explain): breakage or spill (usually recorded on Form 41 instead)',
}

/**
 * A DEA Form 106 draft: the items the ledger knows, the ones to complete in TLR, the products lost,
 * and the two clocks (notice and filing). Not a filed report.
 *
 * @example
 * const pdf = await renderForm106Pdf(await buildForm106Draft(source, { loss: 'L-0001', generatedAt, generatedBy }))
 */
export function writeForm106Pdf(d: Form106Draft, sink: Writable): Promise<{ pages: number }> {
  const tz = d.timezone
  const l = d.loss
  const todo = '(complete in TLR)'
  return writeForm(d, `DEA Form 106 draft, ${l.id}`, sink, async (w) => {
    w.paragraph('DEA Form 106 draft: Report of Theft or Loss of Controlled Substances', { font: 'Helvetica-Bold', size: 14, gap: 2 })
    w.paragraph('Prepared from the ledger for entry into DEA\'s Theft/Loss Reporting (TLR) system. This is a worksheet, not a filed report.', { size: 8.5, gap: 8 })
    await w.table([{ header: 'Item', width: 0, fit: '14-16' }, { header: 'Form 106 asks for', width: 2.2 }, { header: 'From the ledger', width: 4 }], [
      ['1', 'Name and address of registrant', `${d.registrant.name}, ${d.registrant.address}`],
      ['2', 'Phone number', todo],
      ['3', 'DEA registration number', d.registrant.dea_number],
      ['4', 'Date of theft or loss (or of discovery)', `${localDateTime(l.discovered_at, tz)} ${tz} (discovery)`],
      ['5', 'Principal business of registrant', `Practitioner / Hospital-Clinic ${todo}`],
      ['6', 'County', todo],
      ['7-8', 'Reported to police? Police department, phone', todo],
      ['9', 'Thefts or losses in the past 24 months', String(d.losses_past_24_months)],
      ['10', 'Type of theft or loss', LOSS_TYPE[l.type] ?? l.type],
      ['11', 'Armed robbery: anyone killed or injured', l.type === 'theft' ? todo : 'not applicable'],
      ['12', 'Purchase value of controlled substances taken', `${todo}; csledger keeps no prices`],
      ['13', 'Other pharmaceuticals or merchandise taken', todo],
      ['14', 'Lost in transit: carrier, consignee, DEA number', l.type === 'in-transit' ? todo : 'not applicable'],
      ['15-16', 'Identifying marks; stolen order forms', todo],
      ['17', 'Security measures taken; narrative', `${l.note}${l.discrepancy ? ` (found by count discrepancy ${l.discrepancy})` : ''}`],
    ].map((cells) => ({ cells })))
    await w.table([
      { header: 'NDC', width: 0, fit: '00000-0000-00' }, { header: 'Controlled substance, strength, form', width: 3 }, { header: 'Lot', width: 0, fit: 'K0000000' },
      { header: 'Containers', width: 0, fit: 'C-0000 (open)', align: 'right' }, { header: 'mL', width: 0, fit: '0,000.0', align: 'right' }, { header: 'mg', width: 0, fit: '00,000', align: 'right' },
    ], d.products.map((p) => ({ cells: [p.ndc, `${p.substance} ${p.strength}, ${p.form}`, p.lot, p.containers > 0 ? `${p.containers} sealed` : p.container ? `${p.container} (open)` : '', p.quantity_ml, grouped(p.quantity_mg)] })), { title: 'Controlled substances lost' })
    w.heading('Clocks (21 CFR 1301.76(b))', 10.5, 50)
    w.keyValues([
      ['Written notice to DEA', `due ${localDateTime(l.notice_due, tz)}; ${l.notice ? `sent ${localDateTime(l.notice.at, tz)} to ${l.notice.to} (${l.notice.method}; entry #${l.notice.seq})` : 'not recorded as sent'}: ${status(l.notice_status)}`],
      ['Form 106 in TLR', `due ${localDateTime(l.form106_due, tz)}; ${l.filings.length ? l.filings.map((f) => `filed ${localDateTime(f.at, tz)}, confirmation ${f.confirmation}${f.amended ? ' (amended)' : ''}`).join('; ') : 'not recorded as filed'}: ${status(l.form106_status)}`],
      ['Ledger record', `${l.id} opened by entry #${l.seq} (${l.opened_by}) by ${l.recorded_by.name}`],
    ], { labelWidth: 120, size: 8 })
    w.signatureLines(['Prepared by', 'Reviewed by (PIC)'])
  })
}
export function renderForm106Pdf(d: Form106Draft): Promise<Buffer> { return toBuffer((s) => writeForm106Pdf(d, s)) }

function status(s: string): string {
  return s === 'done' ? 'on time' : s === 'done-late' ? 'LATE' : s === 'overdue' ? 'OVERDUE' : 'open, not yet due'
}

/**
 * The DEA Form 41 record of an on-site destruction: sections A (registrant), B(1) (what was
 * destroyed), C (method, date, place) and D (the two employee witnesses, with signature lines).
 *
 * @example
 * const pdf = await renderForm41Pdf(await buildForm41Record(source, { seq: 952, generatedAt, generatedBy }))
 */
export function writeForm41Pdf(r: Form41Record, sink: Writable): Promise<{ pages: number }> {
  const d = r.disposal
  const tz = r.timezone
  return writeForm(r, `DEA Form 41 record, entry #${d.seq}`, sink, async (w) => {
    w.paragraph('DEA Form 41 record: Registrant Record of Controlled Substances Destroyed', { font: 'Helvetica-Bold', size: 14, gap: 8 })
    w.heading('A. Registrant information', 10.5, 60)
    w.keyValues([['Registered name', r.registrant.name], ['DEA registration number', r.registrant.dea_number], ['Registered address', r.registrant.address], ['Telephone / contact', '']], { labelWidth: 140, size: 8.5 })
    await w.table([
      { header: 'NDC', width: 0, fit: '00000-0000-00' }, { header: 'Batch', width: 0, fit: 'K0000000' }, { header: 'Name of substance', width: 1.6 }, { header: 'Strength', width: 0, fit: '00 mg/mL' },
      { header: 'Form', width: 2 }, { header: 'Pkg qty (mL)', width: 0, fit: '00.0', align: 'right' }, { header: 'Full pkgs', width: 0, fit: '000', align: 'right' },
      { header: 'Partial pkg (mL)', width: 0, fit: '00.000', align: 'right' }, { header: 'Total destroyed', width: 0, fit: '000.0 mL = 0,000 mg', align: 'right' },
    ], d.items.map((i) => ({ cells: [i.ndc, i.lot, i.substance, i.strength, `${i.form}${i.container ? ` (${i.container})` : ''}`, i.package_ml, String(i.full_packages), i.partial_ml, `${i.total_ml} mL = ${grouped(i.total_mg)} mg`] })),
    { title: 'B(1). Inventory destroyed' })
    w.heading('C. Method of destruction', 10.5, 50)
    w.keyValues([
      ['Date of destruction', `${localDateOf(d.occurred_at, tz)} (${localDateTime(d.occurred_at, tz)} ${tz})`],
      ['Method', d.destruction?.method ?? ''],
      ['Location', d.destruction?.place ?? ''],
      ['Reason', d.reason],
      ['Ledger record', `disposal entry #${d.seq}`],
    ], { labelWidth: 140, size: 8.5 })
    w.heading('D. Witnesses', 10.5, 120)
    w.paragraph('Each of us declares under penalty of perjury (18 U.S.C. 1001) that we are employees of the registrant and personally witnessed the destruction of the controlled substances listed above to a non-retrievable state.', { size: 8.5, gap: 6 })
    w.signatureLines(d.witnesses.map((x, i) => `${i === 0 ? 'First' : 'Second'} witness: ${x.name}`))
  })
}
export function renderForm41Pdf(r: Form41Record): Promise<Buffer> { return toBuffer((s) => writeForm41Pdf(r, s)) }

/**
 * A blind daily count sheet: every item the ledger expects at the location, in shelf order, with
 * blank cells to write the count in, and no expected quantities (the count is blind).
 *
 * @example
 * const pdf = await renderCountSheetPdf(buildCountSheet(input))
 */
export function writeCountSheetPdf(s: CountSheetDocument, sink: Writable): Promise<{ pages: number }> {
  return writeForm(s, `Count sheet ${s.location.code}`, sink, async (w) => {
    w.paragraph(`Daily count sheet: ${s.location.code} (${s.location.name})`, { font: 'Helvetica-Bold', size: 14, gap: 4 })
    w.keyValues([
      ['Date', localDateOf(s.generated_at, s.timezone)],
      ['Ledger position', `#${s.based_on_seq}: enter it with the count (csledger count --location ${s.location.code} --based-on ${s.based_on_seq} ...)`],
      ['How to count', 'Blind count: the book is not printed. Count sealed containers exactly; for an opened container write the mL left (add ~ if estimated). Two people: the counter and a witness.'],
    ], { labelWidth: 100, size: 8.5 })
    await w.table([
      { header: '#', width: 0, fit: '000' }, { header: 'Product', width: 0, fit: 'KET-50X' }, { header: 'Substance, strength, form', width: 3 }, { header: 'NDC', width: 0, fit: '00000-0000-00' },
      { header: 'Lot', width: 0, fit: 'K0000000' }, { header: 'Container', width: 0, fit: 'C-00000' }, { header: 'Sealed containers counted', width: 1.1 }, { header: 'mL left in opened container', width: 1.1 },
    ], s.lines.map((l, i) => ({ cells: [String(i + 1), l.product, `${l.substance} ${l.strength}, ${l.form}`, l.ndc, l.lot, l.container ?? '(sealed)', l.type === 'sealed' ? '' : 'n/a', l.type === 'open' ? '' : 'n/a'] })),
    { minRowHeight: 22, empty: 'The ledger expects nothing at this location: write down anything found.' })
    w.paragraph('Anything found that is not listed (write it here):', { size: 8.5, gap: 30 })
    w.signatureLines(['Counted by', 'Witness'])
    // After the count, csledger signs a checkpoint and prints its code: written here, it ties this
    // paper to the ledger as the count left it.
    w.paragraph('Checkpoint code csledger printed after recording this count (copy it here): ______________________________', { size: 8.5, gap: 10 })
    if (s.checkpoint) {
      const cp = s.checkpoint
      drawCheckpointBlock(w, cp, {
        timezone: s.timezone, side: 104,
        relation: cp.basis === 'signed-now'
          ? `The ledger as this sheet was printed (entries 1-${cp.size}), signed by ${cp.signed_by.join(' and ')}. Keep the sheet: whoever holds it can later prove those entries were not rewritten.`
          : `The newest checkpoint the ledger keeps, which it still extends (entries 1-${cp.size}). Keep the sheet: whoever holds it can later prove those entries were not rewritten.`,
      })
    }
  })
}
export function renderCountSheetPdf(s: CountSheetDocument): Promise<Buffer> { return toBuffer((x) => writeCountSheetPdf(s, x)) }
