import { PassThrough, type Writable } from 'node:stream'
import type {
  AccountabilityLines, AdministrationRow, Amount, AuditReport, CorrectionMark, CountPoint, InventoryRecord, Person, ProductAccountability, WasteRow,
} from '../audit/audit-report.ts'
import type { ReportProgress } from '../audit/ledger-index.ts'
import { grouped, signed } from '../format/display.ts'
import { localDateTime } from '../format/local-time.ts'
import { documentFrame } from './audit-frame.ts'
import { drawCheckpointBlock } from './draw-checkpoint.ts'
import { type PdfColumn, type PdfRow, type PdfWriter, renderTwoPass } from './pdf-writer.ts'

export interface AuditPdfOptions {
  readonly onProgress?: (p: ReportProgress) => void
}

const DATETIME = '0000-00-00 00:00'
const SEQ: PdfColumn = { header: '#', width: 0, fit: '#0000000' }
const PRODUCT: PdfColumn = { header: 'Product', width: 0, fit: 'KET-50X' }
const LOT: PdfColumn = { header: 'Lot', width: 0, fit: 'K0000000' }
const CONTAINER: PdfColumn = { header: 'Cont-ainer', width: 0, fit: 'C-00000' }
const LOCATION: PdfColumn = { header: 'Location', width: 0, fit: 'CART-2X' }
const NUMBER = '+0,000,000'

const SECTION_TITLES = {
  cover: 'Cover',
  accountability: '1. Accountability audit',
  receipts: '2. Receipts',
  administrations: '3. Administration log',
  waste: '4. Waste log',
  transfers: '5. Transfers between locations',
  disposals: '6. Disposals (DEA Form 41 / reverse distributor)',
  losses: '7. Theft and loss (DEA Form 106)',
  counts: '8. Counts and discrepancies',
  corrections: '9. Corrections',
  inventories: '10. Inventories (21 CFR 1304.11)',
} as const

/**
 * Renders the audit packet as a PDF into `sink` (a file stream, say), page by page, in two
 * layout passes (see `renderTwoPass`): memory does not grow with the number of rows. Landscape
 * Letter, standard fonts, a fixed creation date (the report's `generated_at`): the same report
 * gives the same bytes.
 *
 * @example
 * await writeAuditPdf(report, createWriteStream('packet.pdf'))
 */
export async function writeAuditPdf(report: AuditReport, sink: Writable, options: AuditPdfOptions = {}): Promise<{ pages: number }> {
  const c = report.cover
  const frame = documentFrame({
    registrant: c.registrant,
    document: `Audit packet ${c.period.from} to ${c.period.to}`,
    detail: `Local times: ${c.period.timezone}  |  ${filterText(report)}`,
    head: c.ledger.head, generatedAt: c.generated_at, generatedBy: c.generated_by, timezone: c.period.timezone,
  }, 'landscape')
  const meta = { title: `${c.title}: ${c.registrant.name}, ${c.period.from} to ${c.period.to}`, author: c.generated_by, subject: `DEA ${c.registrant.dea_number}; ledger ${c.ledger.id} head ${c.ledger.head?.seq ?? 0}`, creationDate: new Date(c.generated_at) }
  const totalRows = 2 * c.sections.reduce((s, x) => s + x.rows, 0)
  let rows = 0
  const onRow = options.onProgress ? () => { if (++rows % 500 === 0) options.onProgress!({ phase: 'pdf', done: rows, total: totalRows }) } : undefined
  return renderTwoPass(sink, meta, frame, async (w, anchors) => {
    await drawCover(w, report, anchors)
    await drawAccountability(w, report)
    await drawLogs(w, report, onRow)
  })
}

/**
 * Renders the audit packet as a PDF in memory (tests, small packets). For large ledgers write to a
 * file with `writeAuditPdf`.
 *
 * @example
 * const pdf = await renderAuditPdf(report)
 */
export async function renderAuditPdf(report: AuditReport, options: AuditPdfOptions = {}): Promise<Buffer> {
  const sink = new PassThrough()
  const chunks: Buffer[] = []
  sink.on('data', (c: Buffer) => chunks.push(c))
  await writeAuditPdf(report, sink, options)
  return Buffer.concat(chunks)
}

function filterText(report: AuditReport): string {
  const f = report.cover.filters
  return [
    f.schedule ? `Schedule ${f.schedule} only` : 'Schedules III and IV',
    ...(f.product ? [`product ${f.product}`] : []),
    ...(f.location ? [`location ${f.location}`] : []),
  ].join(', ')
}

// ---- cover ----

async function drawCover(w: PdfWriter, report: AuditReport, anchors: ReadonlyArray<{ title: string; page: number }>): Promise<void> {
  const c = report.cover
  const tz = c.period.timezone
  w.sectionStart(SECTION_TITLES.cover, { heading: false })
  w.paragraph(c.title, { font: 'Helvetica-Bold', size: 18, gap: 4 })
  const v = c.verification
  const verification = v.ok
    ? `PASSED at generation: ${v.entries} entries; every hash, link and projection checked${v.matches_report ? '; the verified head is the head this packet was built from' : ''}.`
    : `FAILED: ${v.findings.length} finding(s). ${v.findings.slice(0, 5).map((f) => `${f.code}${f.seq !== null ? ` at #${f.seq}` : ''}: ${f.message}`).join(' ')}`
  w.keyValues([
    ['Registrant', c.registrant.name],
    ['Registered address', c.registrant.address],
    ['DEA registration', c.registrant.dea_number],
    ['Period', `${c.period.from} to ${c.period.to} inclusive (local dates, ${tz}; ${c.period.start} to ${c.period.end} UTC)`],
    ['Scope', filterText(report)],
    ['Generated', `${localDateTime(c.generated_at, tz)} ${tz} (${c.generated_at})`],
    ['Generated by', c.generated_by],
    ['Ledger', `${c.ledger.id}, ${c.ledger.entries} entries`],
    ['Ledger head', c.ledger.head ? `#${c.ledger.head.seq}  SHA-256 ${c.ledger.head.hash}` : 'empty'],
    ['Verification', verification],
  ], { labelWidth: 130 })
  if (!v.matches_report) w.paragraph('WARNING: the ledger changed between verification and this packet. Generate it again.', { font: 'Helvetica-Bold' })
  for (const note of c.notes.filter((n) => n.startsWith('VERIFICATION FAILED'))) w.paragraph(note, { font: 'Helvetica-Bold' })
  drawCoverCheckpoint(w, report)
  const page = (title: string) => String(anchors.find((a) => a.title === title)?.page ?? '')
  const rowsOf = (name: string) => String(c.sections.find((s) => s.name === name)?.rows ?? '')
  const contents: Array<[string, string]> = [
    [SECTION_TITLES.accountability, `${report.accountability.products.length} product(s)`],
    [SECTION_TITLES.receipts, rowsOf('receipts')],
    [SECTION_TITLES.administrations, rowsOf('administrations')],
    [SECTION_TITLES.waste, rowsOf('waste')],
    [SECTION_TITLES.transfers, rowsOf('transfers')],
    [SECTION_TITLES.disposals, rowsOf('disposals')],
    [SECTION_TITLES.losses, rowsOf('losses')],
    [SECTION_TITLES.counts, `${rowsOf('counts')} counts, ${rowsOf('discrepancies')} discrepancies`],
    [SECTION_TITLES.corrections, rowsOf('corrections')],
    [SECTION_TITLES.inventories, rowsOf('inventories')],
  ]
  await w.table([{ header: 'Section', width: 5 }, { header: 'Records', width: 2, align: 'right' }, { header: 'Page', width: 1, align: 'right' }],
    contents.map(([title, n]) => ({ cells: [title, n, page(title)] })), { title: 'Contents', size: 7.5 })
  w.heading('Notes', 10.5, 30)
  for (const n of c.notes.filter((x) => !x.startsWith('VERIFICATION FAILED') && !x.startsWith('CHECKPOINT MISMATCH'))) w.paragraph(`- ${n}`, { size: 8, gap: 1 })
  w.y += 4
  await w.table([{ header: 'Username', width: 2 }, { header: 'Name', width: 4 }, { header: 'Role', width: 2 }], c.people.map((p) => ({ cells: [p.username, p.name, p.role] })), { title: 'People with an account on this ledger', size: 7.5, keepTogether: true })
}

/** The signed checkpoint the packet is consistent with, with its QR code; or why there is none. */
function drawCoverCheckpoint(w: PdfWriter, report: AuditReport): void {
  const c = report.cover
  const cp = c.checkpoint
  if (!cp) {
    w.paragraph('Signed checkpoint: none. No checkpoint had been signed for this ledger; generate the packet with --by (a user with a signing key signs one), or sign one with `csledger checkpoint`.', { size: 8.5 })
    return
  }
  const head = c.ledger.head?.seq ?? 0
  const relation = cp.basis === 'signed-now'
    ? `Signed for this packet when it was generated. The packet was built from entries 1-${head}; their Merkle root is the signed root.`
    : `The newest checkpoint this ledger keeps${c.verification.ok ? ', which verification accepted' : ''}. The packet was built from entries 1-${head}, and entries 1-${cp.size} have exactly the signed root: the ledger extends it.`
  const warning = cp.consistent ? undefined : c.notes.find((n) => n.startsWith('CHECKPOINT MISMATCH'))
  w.y += 2
  drawCheckpointBlock(w, cp, { timezone: c.period.timezone, relation: cp.consistent ? relation : 'The packet\'s entries do NOT match this checkpoint.', ...(warning ? { warning } : {}) })
}

// ---- accountability ----

const LINES: ReadonlyArray<[keyof AccountabilityLines, string, 'in' | 'out' | 'signed' | 'total' | 'sealed']> = [
  ['opening', 'Opening balance (physical count at window start)', 'total'],
  ['receipts', '+ Receipts', 'in'],
  ['administered', '- Administered', 'out'],
  ['wasted', '- Wasted', 'out'],
  ['awaiting_waste', '- Drawn, neither given nor wasted yet', 'out'],
  ['disposed', '- Disposed (destroyed or to a reverse distributor)', 'out'],
  ['lost', '- Lost (theft or loss)', 'out'],
  ['transfers', '± Transfers between locations (net)', 'signed'],
  ['adjustments', '± Adjustments (reconciled count differences)', 'signed'],
  ['opened', 'Containers opened (sealed to open; no change in mg)', 'sealed'],
  ['expected', '= Expected closing', 'total'],
]

async function drawAccountability(w: PdfWriter, report: AuditReport): Promise<void> {
  const a = report.accountability
  w.sectionStart(SECTION_TITLES.accountability)
  w.paragraph('Opening balance + receipts - administered - wasted - disposed - lost ± transfers ± adjustments = expected closing, compared with the physical count at the end of the window. Per schedule and substance in mg; per product in mg, mL and sealed containers, and per storage location.', { size: 8.5 })
  await w.table([
    { header: 'Schedule', width: 0, fit: 'III' }, { header: 'Substance (products)', width: 1 }, ...['Opening', 'Receipts', 'Adminis-tered', 'Wasted', 'Awaiting waste', 'Disposed', 'Lost', 'Transfers', 'Adjust-ments', 'Expected', 'Counted', 'Difference', '%'].map((h) => ({ header: h, width: 0, fit: h === '%' ? '-00.00' : NUMBER, align: 'right' as const })),
  ], a.schedules.map((s) => ({
    cells: [s.schedule, `${s.substance} (${s.products.join(', ')})`, grouped(s.mg.opening), grouped(s.mg.receipts), grouped(s.mg.administered), grouped(s.mg.wasted), grouped(s.mg.awaiting_waste),
      grouped(s.mg.disposed), grouped(s.mg.lost), signed(s.mg.transfers), signed(s.mg.adjustments), grouped(s.mg.expected), s.mg.counted === null ? 'not counted' : grouped(s.mg.counted),
      s.mg.difference === null ? '-' : signed(s.mg.difference), s.difference_percent ?? '-'],
    flag: s.mg.difference !== null && s.mg.difference !== '0',
  })), { title: 'By schedule and substance (mg)', empty: 'No products match the filters.' })
  for (const p of a.products) await drawProduct(w, p, report.cover.period.timezone)
  w.heading('How these numbers are made', 10.5, 40)
  for (const m of a.method) w.paragraph(m, { size: 7.5 })
}

async function drawProduct(w: PdfWriter, p: ProductAccountability, tz: string): Promise<void> {
  const title = `${p.product}: ${p.substance} ${p.concentration_mg_per_ml} mg/mL, ${p.container_ml} mL ${p.dose_form} vial, NDC ${p.ndc}, schedule ${p.schedule} (DEA code ${p.dea_code})`
  const amt = (x: Amount | null, kind: 'mg' | 'ml', how: string) => x === null ? '-' : how === 'signed' ? signed(x[kind]) : grouped(x[kind])
  const sealed = (x: Amount | null, how: string) => x === null || x.sealed === null ? '' : how === 'signed' ? signed(String(x.sealed)) : grouped(String(x.sealed))
  const rows: PdfRow[] = LINES.map(([key, label, how]) => {
    const x = p[key] as Amount
    return { cells: [label, how === 'sealed' ? '' : amt(x, 'mg', how), how === 'sealed' ? '' : amt(x, 'ml', how), sealed(x, how)], flag: key === 'expected' }
  })
  rows.push({ cells: ['Physical count at window end', p.counted ? grouped(p.counted.mg) : 'not counted at every location', p.counted ? grouped(p.counted.ml) : '', p.counted ? grouped(String(p.counted.sealed)) : ''] })
  rows.push({ cells: ['Difference (count - expected; negative = shortage)', amt(p.difference, 'mg', 'signed'), amt(p.difference, 'ml', 'signed'), sealed(p.difference, 'signed')], flag: p.difference !== null && p.difference.mg !== '0' })
  rows.push({ cells: ['Difference as % of opening + receipts', p.difference_percent === null ? '-' : `${p.difference_percent} %`, '', ''] })
  await w.table([{ header: 'All locations', width: 6 }, { header: 'mg', width: 1.6, align: 'right' }, { header: 'mL', width: 1.6, align: 'right' }, { header: 'Sealed containers', width: 1.6, align: 'right' }], rows, { title, keepTogether: true })
  if (p.locations.length === 0) return
  const point = (x: CountPoint | null, none: string) => x ? `${x.kind} #${x.seq}, ${localDateTime(x.at, tz)}` : none
  await w.table([
    LOCATION, { header: 'Window opens', width: 1 }, { header: 'Window closes', width: 1 },
    ...['Opening', 'Receipts', 'Adminis-tered', 'Wasted', 'Await-ing', 'Disposed', 'Lost', 'Trans-fers', 'Adjust-ments', 'Expected', 'Counted', 'Diff.'].map((h) => ({ header: `${h} mg`, width: 0, fit: '+0,000,000', align: 'right' as const })),
    { header: 'Sealed exp. / counted', width: 0, fit: '0000 / 0000', align: 'right' },
  ], p.locations.map((l) => ({
    cells: [
      l.location, point(l.opening_point, 'ledger start (zero)'), point(l.closing_point, 'period end (no count)'),
      grouped(l.opening.mg), grouped(l.receipts.mg), grouped(l.administered.mg), grouped(l.wasted.mg), grouped(l.awaiting_waste.mg), grouped(l.disposed.mg), grouped(l.lost.mg),
      signed(l.transfers.mg), signed(l.adjustments.mg), grouped(l.expected.mg), l.counted ? grouped(l.counted.mg) : '-', l.difference ? signed(l.difference.mg) : '-',
      `${l.expected.sealed ?? ''} / ${l.counted ? String(l.counted.sealed) : '-'}`,
    ],
    flag: l.difference !== null && l.difference.mg !== '0',
  })), { size: 7.5 })
}

// ---- logs ----

function who(p: Person | null): string { return p ? p.name : '' }
function marks(c: CorrectionMark | null, late: boolean): string {
  return [c ? `${c.status === 'voided' ? 'VOID' : 'AMENDED'} by ${c.by.map((s) => `#${s}`).join(', ')}` : '', late ? 'RECORDED LATE' : ''].filter(Boolean).join('; ')
}

async function drawLogs(w: PdfWriter, report: AuditReport, onRow?: () => void): Promise<void> {
  const tz = report.cover.period.timezone
  const at = (iso: string) => localDateTime(iso, tz)
  const opts = (empty: string) => ({ empty, ...(onRow ? { onRow } : {}) })

  w.sectionStart(SECTION_TITLES.receipts)
  w.paragraph('Containers received, dated when physically received (21 CFR 1304.21(d), 1304.22(c)), with the supplier\'s name, address and DEA number and the invoice.', { size: 8 })
  await w.table([
    SEQ, { header: 'Received', width: 0, fit: DATETIME }, PRODUCT, { header: 'NDC', width: 0, fit: '00000-0000-00' }, LOT,
    { header: 'Expires', width: 0, fit: '0000-00-00' }, { header: 'Cont-ainers', width: 0, fit: '0000', align: 'right' }, { header: 'mL', width: 0, fit: '0,000.0', align: 'right' }, { header: 'mg', width: 0, fit: '000,000', align: 'right' },
    LOCATION, { header: 'Supplier (name, address)', width: 3 }, { header: 'Supplier DEA', width: 0, fit: 'WW0000000' }, { header: 'Invoice', width: 1.6 }, { header: 'Received by', width: 1.8 }, { header: 'Notes', width: 1.3 },
  ], map(report.receipts.rows(), (r) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), r.product, r.ndc, r.lot, r.expires, String(r.containers), grouped(r.volume_ml), grouped(r.mass_mg), r.location,
      `${r.supplier.name}, ${r.supplier.address}`, r.supplier.dea_number, r.invoice, who(r.received_by), marks(r.correction, r.recorded_late)],
    flag: r.correction !== null,
  })), opts('No receipts in this period.'))

  w.sectionStart(SECTION_TITLES.administrations)
  w.paragraph('Each dose given: patient reference, quantity in mg and mL, who administered it and the prescriber (21 CFR 1304.22(c)). Drawn = given + wasted (+ any remainder still awaiting waste).', { size: 8 })
  await w.table([
    SEQ, { header: 'Given at', width: 0, fit: DATETIME }, { header: 'Patient', width: 0, fit: 'P-0000000' }, PRODUCT, LOT,
    CONTAINER, LOCATION, { header: 'Given mg', width: 0, fit: '0,000.0', align: 'right' }, { header: 'Given mL', width: 0, fit: '00.000', align: 'right' },
    { header: 'Drawn mL', width: 0, fit: '00.000', align: 'right' }, { header: 'Wasted mL', width: 0, fit: '00.000', align: 'right' }, { header: 'Administered by', width: 2.2 }, { header: 'Prescriber', width: 2 }, { header: 'Notes', width: 2.2 },
  ], map(report.administrations.rows(), (r: AdministrationRow) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), r.patient, r.product, r.lot, r.container, r.location, grouped(r.given_mg), r.given_ml, r.drawn_ml, r.wasted_ml === '0' ? '' : r.wasted_ml,
      who(r.administered_by), who(r.prescriber), [marks(r.correction, r.recorded_late), r.recorded_late ? `recorded ${at(r.recorded_at)}` : ''].filter(Boolean).join('; ')],
    flag: r.correction !== null || r.recorded_late,
  })), opts('No doses in this period.'))

  w.sectionStart(SECTION_TITLES.waste)
  w.paragraph('Drawn-but-not-given remainders (with the dose they belong to) and container remainders. The witness signs when the entry is recorded: "late" means more than the witness window after the waste. A physician co-signs later: "late" means after the co-sign window; "missing" means the window has passed without one; "awaiting" means it is still open.', { size: 8 })
  await w.table([
    SEQ, { header: 'Wasted at', width: 0, fit: DATETIME }, { header: 'Product / lot', width: 0, fit: 'KET-50 K000000' }, CONTAINER, { header: 'Dose', width: 0, fit: 'remainder' },
    { header: 'mg', width: 0, fit: '0,000.0', align: 'right' }, { header: 'mL', width: 0, fit: '00.000', align: 'right' }, { header: 'Reason', width: 3 }, { header: 'Wasted by', width: 1.9 },
    { header: 'Witness', width: 2.3 }, { header: 'Co-sign', width: 2.6 }, { header: 'Status', width: 1.5 },
  ], map(report.waste.rows(), (r: WasteRow) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), `${r.product} ${r.lot}`, r.container, r.administration !== null ? `#${r.administration}` : 'remainder', grouped(r.amount_mg), r.amount_ml, r.reason,
      who(r.wasted_by), r.witness ? `${r.witness.name}${r.witness_late ? ` (LATE: ${r.witness_delay_minutes} min)` : ''}` : 'NONE',
      r.cosign ? `${r.cosign.by.name}, ${at(r.cosign.at)} (#${r.cosign.seq})` : '', [cosignText(r), r.correction ? marks(r.correction, false) : ''].filter(Boolean).join('; ')],
    flag: r.witness_late || r.cosign_status === 'late' || r.cosign_status === 'missing' || r.correction !== null,
  })), opts('No waste in this period.'))

  w.sectionStart(SECTION_TITLES.transfers)
  w.paragraph('Sealed containers moved between the storage locations of this registration.', { size: 8 })
  await w.table([
    SEQ, { header: 'Moved at', width: 0, fit: DATETIME }, PRODUCT, LOT, { header: 'Containers', width: 0, fit: '0000', align: 'right' },
    { header: 'mL', width: 0, fit: '0,000.0', align: 'right' }, { header: 'mg', width: 0, fit: '000,000', align: 'right' }, { ...LOCATION, header: 'From' }, { ...LOCATION, header: 'To' }, { header: 'By', width: 2.2 }, { header: 'Notes', width: 2 },
  ], map(report.transfers.rows(), (r) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), r.product, r.lot, String(r.containers), grouped(r.volume_ml), grouped(r.mass_mg), r.from, r.to, who(r.by), marks(r.correction, false)],
    flag: r.correction !== null,
  })), opts('No transfers in this period.'))

  w.sectionStart(SECTION_TITLES.disposals)
  w.paragraph('On-site destruction: the fields of DEA Form 41 (section B(1) per item, C method, date and place, D the two employee witnesses, 21 CFR 1317.95(d)). Reverse distributor: name, address and DEA number. Print a signable Form 41 record per destruction.', { size: 8 })
  await w.table([
    SEQ, { header: 'Date', width: 0, fit: DATETIME }, { header: 'Method', width: 0, fit: 'destruction' }, { header: 'NDC / substance, strength, form', width: 3.2 }, { header: 'Lot / container (location)', width: 2 },
    { header: 'Pkg qty mL', width: 0, fit: '000.0', align: 'right' }, { header: 'Full pkgs', width: 0, fit: '000', align: 'right' }, { header: 'Partial mL', width: 0, fit: '00.000', align: 'right' },
    { header: 'Total mL', width: 0, fit: '0,000.0', align: 'right' }, { header: 'Total mg', width: 0, fit: '000,000', align: 'right' }, { header: 'How and where / reverse distributor', width: 3.2 }, { header: 'Witnesses', width: 2 }, { header: 'Reason', width: 2.4 },
  ], flatMap(report.disposals.rows(), (d) => d.items.map((i, k) => ({
    cells: [k === 0 ? `#${d.seq}` : '', k === 0 ? at(d.occurred_at) : '', k === 0 ? d.method.replace('-', ' ') : '', `${i.ndc}\n${i.substance} ${i.strength}, ${i.form}`, `${i.lot}${i.container ? ` / ${i.container}` : ''} (${i.location})`,
      i.package_ml, String(i.full_packages), i.partial_ml, i.total_ml, grouped(i.total_mg),
      k === 0 ? (d.destruction ? `${d.destruction.method}; ${d.destruction.place}` : d.reverse_distributor ? `${d.reverse_distributor.name}, ${d.reverse_distributor.address}, DEA ${d.reverse_distributor.dea_number}` : '') : '',
      k === 0 ? d.witnesses.map((x) => x.name).join('\n') : '', k === 0 ? d.reason : ''],
  }))), opts('No disposals in this period.'))

  w.sectionStart(SECTION_TITLES.losses)
  w.paragraph('Written notice to the DEA Field Division is due within one business day of discovery; DEA Form 106 within 45 days (21 CFR 1301.76(b)). Status as of the time this packet was generated.', { size: 8 })
  await w.table([
    { header: 'Loss', width: 0, fit: 'L-0000' }, { header: 'Opened by', width: 1.4 }, { header: 'Type', width: 1.1 }, { header: 'Discovered', width: 0, fit: DATETIME }, { header: 'Items', width: 3.4 },
    { header: 'DEA notice', width: 3 }, { header: 'Form 106', width: 3 }, { header: 'Note', width: 3.5 },
  ], map(report.losses.rows(), (l) => ({
    cells: [l.id, `#${l.seq} ${l.opened_by}${l.discrepancy ? ` of ${l.discrepancy}` : ''}`, l.type, at(l.discovered_at),
      l.items.map((i) => `${i.product} lot ${i.lot} (NDC ${i.ndc}) at ${i.location}: ${i.containers > 0 ? `${i.containers} sealed, ` : ''}${i.container ? `${i.container}, ` : ''}${i.amount_ml} mL = ${grouped(i.amount_mg)} mg`).join('\n'),
      `due ${at(l.notice_due)}\n${l.notice ? `sent ${at(l.notice.at)} (#${l.notice.seq}) to ${l.notice.to}` : ''}\n${clockText(l.notice_status)}`,
      `due ${at(l.form106_due)}\n${l.filings.map((f) => `filed ${at(f.at)}, ${f.confirmation}${f.amended ? ' (amended)' : ''} (#${f.seq})`).join('\n')}\n${clockText(l.form106_status)}`,
      l.note],
    flag: l.notice_status !== 'done' || (l.form106_status !== 'done' && l.form106_status !== 'due'),
  })), opts('No thefts or losses in this period.'))

  w.sectionStart(SECTION_TITLES.counts)
  w.paragraph('Blind physical counts with a witness (the counter does not see the book until the count is submitted). Each line counted is in the CSV export (count-items.csv).', { size: 8 })
  await w.table([
    SEQ, { header: 'Counted at', width: 0, fit: DATETIME }, LOCATION, { header: 'Counted by', width: 2.2 }, { header: 'Witness', width: 2.2 },
    { header: 'Lines', width: 0, fit: '000', align: 'right' }, { header: 'Blind', width: 0, fit: 'yes' }, { header: 'Book at', width: 0, fit: '#000000' }, { header: 'Tolerance', width: 0, fit: '0.00 mL', align: 'right' }, { header: 'Discrepancies', width: 2.5 },
  ], map(report.counts.rows(), (r) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), r.location, who(r.counted_by), who(r.witness), String(r.items), r.blind ? 'yes' : 'no', `#${r.based_on_seq}`, `${r.tolerance_ml} mL`, r.discrepancies.join(', ')],
    flag: r.discrepancies.length > 0,
  })), opts('No counts in this period.'))
  await w.table([
    { header: 'ID', width: 0, fit: 'D-0000' }, { header: 'Found by', width: 0, fit: DATETIME }, { header: 'Item', width: 2.4 }, { header: 'Expected', width: 0, fit: '000.00', align: 'right' }, { header: 'Counted', width: 0, fit: '000.00', align: 'right' },
    { header: 'Difference', width: 0, fit: '+000.00 cont.', align: 'right' }, { header: 'Resolve by', width: 0, fit: DATETIME }, { header: 'Resolution', width: 5.5 }, { header: 'Status', width: 0, fit: 'RESOLVED LATE' },
  ], map(report.discrepancies.rows(), (d) => ({
    cells: [d.id, `${d.found_by.kind} #${d.found_by.seq}\n${at(d.found_by.at)}`, `${d.location}: ${d.product} lot ${d.lot}${d.container ? `, ${d.container}` : ' (sealed)'}`,
      d.expected, d.counted, `${signed(d.difference)} ${d.unit === 'container' ? 'cont.' : 'mL'}`, at(d.due),
      d.resolution ? `${d.resolution.reason} by ${d.resolution.by.name}, ${at(d.resolution.at)} (#${d.resolution.seq}): ${d.resolution.note}${d.resolution.linked.length ? `; explained by ${d.resolution.linked.map((s) => `#${s}`).join(', ')} (${d.resolution.explained})` : ''}${d.resolution.adjustment ? `; adjustment ${d.resolution.adjustment}` : ''}${d.resolution.loss ? `; opened ${d.resolution.loss}` : ''}` : 'not resolved',
      d.status.toUpperCase().replace('-', ' ')],
    flag: d.status !== 'resolved',
  })), { ...opts('No discrepancies in this period.'), title: 'Discrepancies and their resolution' })

  w.sectionStart(SECTION_TITLES.corrections)
  w.paragraph('A correction never edits an entry: it is a new entry, with a reason and a witness, that voids or amends an earlier one. The original stays in the chain; here it is printed beside the corrected values.', { size: 8 })
  await w.table([
    SEQ, { header: 'Corrected at', width: 0, fit: DATETIME }, { header: 'By / witness', width: 2.3 }, { header: 'Corrects', width: 1.8 }, { header: 'Action', width: 0, fit: 'amend' },
    { header: 'Reason', width: 3.6 }, { header: 'Field', width: 0, fit: 'concentration' }, { header: 'Original', width: 1.9 }, { header: 'Corrected', width: 1.9 },
  ], map(report.corrections.rows(), (r) => ({
    cells: [`#${r.seq}`, at(r.occurred_at), `${r.by.name}\nwitness: ${who(r.witness)}`, `#${r.corrects} ${r.corrects_kind}`, r.action, r.reason,
      r.changes.map((c) => c.field).join('\n'), r.changes.map((c) => c.original).join('\n'), r.changes.map((c) => c.corrected).join('\n')],
  })), opts('No corrections in this period.'))

  w.sectionStart(SECTION_TITLES.inventories)
  w.paragraph('Formal inventories of everything on hand at the registered location, initial and biennial, taken at the opening or close of business (21 CFR 1304.11). Opened containers of schedules III-V may be estimated. A signable copy of each can be printed on its own.', { size: 8 })
  let any = false
  for await (const inv of report.inventories.rows()) {
    any = true
    await drawInventoryBody(w, inv, tz)
    await w.breathe()
  }
  if (!any) w.paragraph('No formal inventory was taken in this period.', { font: 'Helvetica-Oblique' })
}

/** The body of a formal inventory (shared by the audit packet and the single inventory form). */
export async function drawInventoryBody(w: PdfWriter, inv: InventoryRecord, tz: string, options: { signatures?: boolean } = {}): Promise<void> {
  const title = `${inv.type === 'initial' ? 'Initial' : 'Biennial'} inventory #${inv.seq}, ${localDateTime(inv.taken_at, tz)} (${tz}), at the ${inv.at === 'opening' ? 'opening' : 'close'} of business`
  const facts: Array<readonly [string, string]> = [
    ['Registrant', `${inv.registrant.name}, ${inv.registrant.address}`],
    ['DEA registration', inv.registrant.dea_number],
    ['Taken', `${localDateTime(inv.taken_at, tz)} ${tz}, ${inv.at === 'opening' ? 'opening' : 'close'} of business (entry #${inv.seq}; book compared at #${inv.based_on_seq})`],
    ['Taken by / witness', `${inv.taken_by.name} (${inv.taken_by.username}) / ${inv.witness ? `${inv.witness.name} (${inv.witness.username})` : '-'}`],
    ...(inv.discrepancies.length ? [['Discrepancies found', inv.discrepancies.join(', ')] as const] : []),
  ]
  const itemColumns: PdfColumn[] = [
    { ...LOCATION }, { header: 'Substance (schedule)', width: 2.2 }, { header: 'Strength / form', width: 3 }, { header: 'NDC', width: 0, fit: '00000-0000-00' }, LOT,
    { header: 'Sealed containers', width: 0, fit: '0000', align: 'right' }, { header: 'Opened container', width: 0, fit: 'C-000000' }, { header: 'mL in opened', width: 0, fit: '00.000 (est.)', align: 'right' },
    { header: 'Total mL', width: 0, fit: '0,000.0', align: 'right' }, { header: 'Total mg', width: 0, fit: '000,000', align: 'right' },
  ]
  const itemRows: PdfRow[] = inv.items.map((i) => ({
    cells: [i.location, `${i.substance} (${i.schedule})`, `${i.strength}, ${i.form}`, i.ndc, i.lot, i.sealed !== null ? String(i.sealed) : '', i.container ?? '',
      i.open_ml !== null ? `${i.open_ml}${i.estimated ? ' (est.)' : ''}` : '', grouped(i.total_ml), grouped(i.total_mg)],
  }))
  const totalColumns: PdfColumn[] = [{ header: 'Product totals', width: 3 }, { header: 'Sealed containers', width: 1.2, align: 'right' }, { header: 'Opened containers', width: 1.2, align: 'right' }, { header: 'Total mL', width: 1.2, align: 'right' }, { header: 'Total mg', width: 1.2, align: 'right' }]
  const totalRows: PdfRow[] = inv.totals.map((t) => ({ cells: [`${t.product}: ${t.substance} (schedule ${t.schedule})`, String(t.sealed), String(t.open_containers), grouped(t.total_ml), grouped(t.total_mg)] }))
  const signatures = options.signatures !== false
  const closing = (inv.zero ? 20 : w.tableHeight(totalColumns, totalRows, { size: 7.5 })) + (signatures ? w.signatureHeight(2) : 0)
  // An inventory that fits on a page is not split; a long one keeps its totals with its signatures.
  const whole = w.lineHeight(10.5) + 4 + facts.length * 11.5 + 8 + (inv.zero ? 0 : w.tableHeight(itemColumns, itemRows, { size: 7.5 })) + closing
  if (whole <= w.bottom - w.top) w.ensure(whole)
  w.heading(title, 10.5, 80)
  w.keyValues(facts, { labelWidth: 120, size: 8 })
  if (inv.zero) {
    w.paragraph('ZERO INVENTORY: no controlled substances on hand (21 CFR 1304.11(b)).', { font: 'Helvetica-Bold', size: 9 })
  } else {
    await w.table(itemColumns, itemRows, { size: 7.5 })
    w.ensure(closing)
    await w.table(totalColumns, totalRows, { size: 7.5 })
  }
  if (signatures) w.signatureLines([`Taken by: ${inv.taken_by.name}`, `Witness: ${inv.witness?.name ?? ''}`])
}

function cosignText(r: WasteRow): string {
  switch (r.cosign_status) {
    case 'on-time': return 'co-signed'
    case 'late': return `CO-SIGN LATE (${r.cosign?.hours} h)`
    case 'missing': return 'CO-SIGN MISSING'
    case 'awaiting': return 'awaiting co-sign'
    default: return 'void'
  }
}

function clockText(s: string): string {
  return s === 'done' ? 'on time' : s === 'done-late' ? 'LATE' : s === 'overdue' ? 'OVERDUE' : 'open, not yet due'
}

async function* map<T, U>(rows: AsyncIterable<T>, f: (t: T) => U): AsyncIterable<U> {
  for await (const r of rows) yield f(r)
}

async function* flatMap<T, U>(rows: AsyncIterable<T>, f: (t: T) => readonly U[]): AsyncIterable<U> {
  for await (const r of rows) yield* f(r)
}
