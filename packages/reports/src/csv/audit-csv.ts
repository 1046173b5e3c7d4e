import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import type {
  AccountabilityLines, AdministrationRow, AuditReport, CorrectionRow, CountItemRow, CountRow, DiscrepancyRow, DisposalItemRow, DisposalRow,
  InventoryItemRow, InventoryRecord, LocationAccountability, LossRow, ProductAccountability, ReceiptRow, ScheduleAccountability, TransferRow, WasteRow,
} from '../audit/audit-report.ts'
import type { ReportProgress } from '../audit/ledger-index.ts'
import { type CsvColumn, type CsvType, csvCell } from './csv-cell.ts'

/** One CSV file of the packet: its name, columns and rows (streamed). */
export interface AuditCsvFile<T = unknown> {
  readonly file: string
  readonly columns: ReadonlyArray<CsvColumn<T>>
  rows(): AsyncIterable<T>
}

const col = <T>(name: string, type: CsvType, value: CsvColumn<T>['value']): CsvColumn<T> => ({ name, type, value })

/**
 * The CSV files of the audit packet, one per section (plus item files for sections whose records
 * have lines). The main file of each log has one row per ledger entry of its kind in the period.
 * Quantities are exact decimal strings beside a unit column; times are ISO-8601 UTC as stored.
 *
 * @example
 * for (const f of auditCsvFiles(report)) console.log(f.file, f.columns.length)
 */
export function auditCsvFiles(report: AuditReport): AuditCsvFile[] {
  return [
    file('cover.csv', coverColumns(), async function* () { yield* coverRows(report) }),
    file('accountability.csv', accountabilityColumns(), async function* () {
      for (const p of report.accountability.products) {
        yield { p, l: null }
        for (const l of p.locations) yield { p, l }
      }
    }),
    file('accountability-schedules.csv', scheduleColumns(), async function* () { yield* report.accountability.schedules }),
    file('receipts.csv', receiptColumns(), () => report.receipts.rows()),
    file('administrations.csv', administrationColumns(), () => report.administrations.rows()),
    file('waste.csv', wasteColumns(), () => report.waste.rows()),
    file('transfers.csv', transferColumns(), () => report.transfers.rows()),
    file('disposals.csv', disposalColumns(), () => report.disposals.rows()),
    file('disposal-items.csv', disposalItemColumns(), async function* () { for await (const d of report.disposals.rows()) for (const i of d.items) yield { d, i } }),
    file('losses.csv', lossColumns(), () => report.losses.rows()),
    file('loss-items.csv', lossItemColumns(), async function* () { for await (const l of report.losses.rows()) for (const i of l.items) yield { l, i } }),
    file('counts.csv', countColumns(), () => report.counts.rows()),
    file('count-items.csv', countItemColumns(), () => report.count_items.rows()),
    file('discrepancies.csv', discrepancyColumns(), () => report.discrepancies.rows()),
    file('corrections.csv', correctionColumns(), () => report.corrections.rows()),
    file('inventories.csv', inventoryColumns(), () => report.inventories.rows()),
    file('inventory-items.csv', inventoryItemColumns(), async function* () { for await (const inv of report.inventories.rows()) for (const i of inv.items) yield { inv, i } }),
  ]
}

/**
 * Writes the packet's CSV files into `dir` (created if needed), streaming each file in batches:
 * RFC 4180 (CRLF line ends, quotes where needed, including any field with a line break), UTF-8,
 * a header row. Returns the files written with their row counts.
 *
 * @example
 * const written = await writeAuditCsv(report, 'packet-2027q1')
 */
export async function writeAuditCsv(report: AuditReport, dir: string, options: { onProgress?: (p: ReportProgress) => void } = {}): Promise<Array<{ file: string; rows: number }>> {
  await mkdir(dir, { recursive: true })
  const out: Array<{ file: string; rows: number }> = []
  let done = 0
  for (const f of auditCsvFiles(report)) {
    const handle = await open(join(dir, f.file), 'w')
    try {
      let batch: string[][] = [f.columns.map((c) => c.name)]
      let rows = 0
      const flush = async () => {
        if (batch.length === 0) return
        await handle.write(stringify(batch, { record_delimiter: 'windows', quoted_match: /[\r\n]/ }))
        batch = []
      }
      for await (const row of f.rows()) {
        batch.push(csvRecord(f, row))
        rows++
        if (batch.length >= 1000) {
          await flush()
          done += 1000
          options.onProgress?.({ phase: 'csv', done, total: null })
        }
      }
      await flush()
      out.push({ file: f.file, rows })
    } finally {
      await handle.close()
    }
  }
  return out
}

/** One record of a CSV file as strings, in column order. */
export function csvRecord<T>(f: AuditCsvFile<T>, row: T): string[] {
  return f.columns.map((c) => csvCell(c.type, c.value(row)))
}

/** A typed file, erased to the common shape (each file's columns read its own row type). */
function file<T>(name: string, columns: ReadonlyArray<CsvColumn<T>>, rows: () => AsyncIterable<T>): AuditCsvFile {
  return { file: name, columns, rows } as unknown as AuditCsvFile
}

const MG = 'mg'
const ML = 'mL'
const mark = (c: { status: string; by: readonly number[] } | null) => (c ? c.status : '')
const markBy = (c: { status: string; by: readonly number[] } | null) => (c ? c.by.join(' ') : '')

// ---- cover ----

type Pair = { field: string; value: string }
function coverColumns(): Array<CsvColumn<Pair>> {
  return [col('field', 'text', (r) => r.field), col('value', 'text', (r) => r.value)]
}
function coverRows(report: AuditReport): Pair[] {
  const c = report.cover
  const v = c.verification
  return [
    { field: 'title', value: c.title },
    { field: 'registrant_name', value: c.registrant.name },
    { field: 'registrant_address', value: c.registrant.address },
    { field: 'dea_number', value: c.registrant.dea_number },
    { field: 'timezone', value: c.registrant.timezone },
    { field: 'period_from', value: c.period.from },
    { field: 'period_to', value: c.period.to },
    { field: 'period_start_utc', value: c.period.start },
    { field: 'period_end_utc', value: c.period.end },
    { field: 'schedule', value: c.filters.schedule ?? 'all' },
    { field: 'product', value: c.filters.product ?? 'all' },
    { field: 'location', value: c.filters.location ?? 'all' },
    { field: 'generated_at', value: c.generated_at },
    { field: 'generated_by', value: c.generated_by },
    { field: 'ledger_id', value: c.ledger.id },
    { field: 'ledger_entries', value: String(c.ledger.entries) },
    { field: 'ledger_head_seq', value: String(c.ledger.head?.seq ?? 0) },
    { field: 'ledger_head_hash', value: c.ledger.head?.hash ?? '' },
    { field: 'verification_ok', value: String(v.ok) },
    { field: 'verification_entries', value: String(v.entries) },
    { field: 'verification_head_seq', value: String(v.head?.seq ?? 0) },
    { field: 'verification_head_hash', value: v.head?.hash ?? '' },
    { field: 'verification_matches_report', value: String(v.matches_report) },
    { field: 'checkpoint_code', value: c.checkpoint?.code ?? '' },
    { field: 'checkpoint_size', value: c.checkpoint ? String(c.checkpoint.size) : '' },
    { field: 'checkpoint_root', value: c.checkpoint?.root ?? '' },
    { field: 'checkpoint_time', value: c.checkpoint?.time ?? '' },
    { field: 'checkpoint_signed_by', value: c.checkpoint?.signed_by.join(' ') ?? '' },
    { field: 'checkpoint_basis', value: c.checkpoint?.basis ?? '' },
    { field: 'checkpoint_consistent', value: c.checkpoint ? String(c.checkpoint.consistent) : '' },
    { field: 'checkpoint_note', value: c.checkpoint?.note ?? '' },
    ...v.findings.map((f, i) => ({ field: `verification_finding_${i + 1}`, value: `${f.code}${f.seq !== null ? ` at ${f.seq}` : ''}: ${f.message}` })),
    ...c.sections.map((s) => ({ field: `rows_${s.name}`, value: String(s.rows) })),
    ...c.people.map((p) => ({ field: `user_${p.username}`, value: `${p.name} (${p.role})` })),
    ...c.notes.map((n, i) => ({ field: `note_${i + 1}`, value: n })),
  ]
}

// ---- accountability ----

type AccRow = { p: ProductAccountability; l: LocationAccountability | null }
const ACC_LINES: ReadonlyArray<keyof AccountabilityLines> = ['opening', 'receipts', 'administered', 'wasted', 'awaiting_waste', 'disposed', 'lost', 'transfers', 'adjustments', 'expected', 'counted', 'difference']
const SEALED_LINES: ReadonlyArray<keyof AccountabilityLines> = ['opening', 'receipts', 'opened', 'disposed', 'lost', 'transfers', 'adjustments', 'expected', 'counted', 'difference']
function accountabilityColumns(): Array<CsvColumn<AccRow>> {
  const lines = (r: AccRow): AccountabilityLines => r.l ?? r.p
  const amount = (r: AccRow, k: keyof AccountabilityLines) => lines(r)[k] as { mg: string; ml: string; sealed: number | null } | null
  return [
    col('product', 'text', (r) => r.p.product), col('substance', 'text', (r) => r.p.substance), col('schedule', 'text', (r) => r.p.schedule),
    col('ndc', 'text', (r) => r.p.ndc), col('location', 'text', (r) => (r.l ? r.l.location : 'ALL')),
    col('window_opens_kind', 'text', (r) => r.l?.opening_point?.kind ?? ''), col('window_opens_seq', 'integer', (r) => r.l?.opening_point?.seq ?? null), col('window_opens_hash', 'text', (r) => r.l?.opening_point?.hash ?? ''), col('window_opens_at', 'time', (r) => r.l?.opening_point?.at ?? null),
    col('window_closes_kind', 'text', (r) => r.l?.closing_point?.kind ?? ''), col('window_closes_seq', 'integer', (r) => r.l?.closing_point?.seq ?? null), col('window_closes_hash', 'text', (r) => r.l?.closing_point?.hash ?? ''), col('window_closes_at', 'time', (r) => r.l?.closing_point?.at ?? null),
    ...ACC_LINES.map((k) => col<AccRow>(`${k}_mass`, 'decimal', (r) => amount(r, k)?.mg ?? null)),
    col('mass_unit', 'unit', () => MG),
    ...ACC_LINES.map((k) => col<AccRow>(`${k}_volume`, 'decimal', (r) => amount(r, k)?.ml ?? null)),
    col('volume_unit', 'unit', () => ML),
    ...SEALED_LINES.map((k) => col<AccRow>(`${k}_sealed`, 'integer', (r) => amount(r, k)?.sealed ?? null)),
    col('sealed_unit', 'unit', () => 'container'),
    col('difference_percent', 'decimal', (r) => lines(r).difference_percent),
  ]
}
function scheduleColumns(): Array<CsvColumn<ScheduleAccountability>> {
  const keys = ['opening', 'receipts', 'administered', 'wasted', 'awaiting_waste', 'disposed', 'lost', 'transfers', 'adjustments', 'expected', 'counted', 'difference'] as const
  return [
    col('schedule', 'text', (r) => r.schedule), col('substance', 'text', (r) => r.substance), col('products', 'text', (r) => r.products.join(' ')),
    ...keys.map((k) => col<ScheduleAccountability>(`${k}_mass`, 'decimal', (r) => r.mg[k])),
    col('mass_unit', 'unit', () => MG), col('difference_percent', 'decimal', (r) => r.difference_percent),
  ]
}

// ---- logs ----

function receiptColumns(): Array<CsvColumn<ReceiptRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('recorded_at', 'time', (r) => r.recorded_at),
    col('product', 'text', (r) => r.product), col('substance', 'text', (r) => r.substance), col('ndc', 'text', (r) => r.ndc), col('strength', 'text', (r) => r.strength),
    col('lot', 'text', (r) => r.lot), col('expires', 'date', (r) => r.expires), col('containers', 'integer', (r) => r.containers),
    col('volume', 'decimal', (r) => r.volume_ml), col('volume_unit', 'unit', () => ML), col('mass', 'decimal', (r) => r.mass_mg), col('mass_unit', 'unit', () => MG),
    col('location', 'text', (r) => r.location), col('supplier_name', 'text', (r) => r.supplier.name), col('supplier_address', 'text', (r) => r.supplier.address),
    col('supplier_dea', 'text', (r) => r.supplier.dea_number), col('invoice', 'text', (r) => r.invoice), col('received_by', 'text', (r) => r.received_by.username),
    col('received_by_name', 'text', (r) => r.received_by.name), col('recorded_late', 'text', (r) => r.recorded_late),
    col('correction', 'text', (r) => mark(r.correction)), col('corrected_by_seq', 'text', (r) => markBy(r.correction)),
  ]
}

function administrationColumns(): Array<CsvColumn<AdministrationRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('recorded_at', 'time', (r) => r.recorded_at),
    col('patient', 'text', (r) => r.patient), col('product', 'text', (r) => r.product), col('lot', 'text', (r) => r.lot), col('container', 'text', (r) => r.container),
    col('location', 'text', (r) => r.location),
    col('given_mass', 'decimal', (r) => r.given_mg), col('drawn_mass', 'decimal', (r) => r.drawn_mg), col('wasted_mass', 'decimal', (r) => r.wasted_mg), col('mass_unit', 'unit', () => MG),
    col('given_volume', 'decimal', (r) => r.given_ml), col('drawn_volume', 'decimal', (r) => r.drawn_ml), col('wasted_volume', 'decimal', (r) => r.wasted_ml), col('volume_unit', 'unit', () => ML),
    col('administered_by', 'text', (r) => r.administered_by.username), col('administered_by_name', 'text', (r) => r.administered_by.name),
    col('prescriber', 'text', (r) => r.prescriber?.username ?? ''), col('prescriber_name', 'text', (r) => r.prescriber?.name ?? ''),
    col('recorded_late', 'text', (r) => r.recorded_late), col('correction', 'text', (r) => mark(r.correction)), col('corrected_by_seq', 'text', (r) => markBy(r.correction)),
  ]
}

function wasteColumns(): Array<CsvColumn<WasteRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('recorded_at', 'time', (r) => r.recorded_at),
    col('product', 'text', (r) => r.product), col('lot', 'text', (r) => r.lot), col('container', 'text', (r) => r.container), col('location', 'text', (r) => r.location),
    col('administration_seq', 'integer', (r) => r.administration), col('mass', 'decimal', (r) => r.amount_mg), col('mass_unit', 'unit', () => MG),
    col('volume', 'decimal', (r) => r.amount_ml), col('volume_unit', 'unit', () => ML), col('reason', 'text', (r) => r.reason),
    col('wasted_by', 'text', (r) => r.wasted_by.username), col('wasted_by_name', 'text', (r) => r.wasted_by.name),
    col('witness', 'text', (r) => r.witness?.username ?? ''), col('witness_name', 'text', (r) => r.witness?.name ?? ''),
    col('witness_delay_minutes', 'integer', (r) => r.witness_delay_minutes), col('witness_late', 'text', (r) => r.witness_late),
    col('cosign_seq', 'integer', (r) => r.cosign?.seq ?? null), col('cosigned_by', 'text', (r) => r.cosign?.by.username ?? ''), col('cosigned_by_name', 'text', (r) => r.cosign?.by.name ?? ''),
    col('cosigned_at', 'time', (r) => r.cosign?.at ?? null), col('cosign_status', 'text', (r) => r.cosign_status),
    col('correction', 'text', (r) => mark(r.correction)), col('corrected_by_seq', 'text', (r) => markBy(r.correction)),
  ]
}

function transferColumns(): Array<CsvColumn<TransferRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('product', 'text', (r) => r.product), col('lot', 'text', (r) => r.lot),
    col('containers', 'integer', (r) => r.containers), col('volume', 'decimal', (r) => r.volume_ml), col('volume_unit', 'unit', () => ML),
    col('mass', 'decimal', (r) => r.mass_mg), col('mass_unit', 'unit', () => MG), col('from', 'text', (r) => r.from), col('to', 'text', (r) => r.to),
    col('by', 'text', (r) => r.by.username), col('by_name', 'text', (r) => r.by.name), col('correction', 'text', (r) => mark(r.correction)), col('corrected_by_seq', 'text', (r) => markBy(r.correction)),
  ]
}

function disposalColumns(): Array<CsvColumn<DisposalRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('method', 'text', (r) => r.method), col('reason', 'text', (r) => r.reason),
    col('destruction_method', 'text', (r) => r.destruction?.method ?? ''), col('destruction_place', 'text', (r) => r.destruction?.place ?? ''),
    col('reverse_distributor_name', 'text', (r) => r.reverse_distributor?.name ?? ''), col('reverse_distributor_address', 'text', (r) => r.reverse_distributor?.address ?? ''),
    col('reverse_distributor_dea', 'text', (r) => r.reverse_distributor?.dea_number ?? ''),
    col('witness_1', 'text', (r) => r.witnesses[0]?.username ?? ''), col('witness_1_name', 'text', (r) => r.witnesses[0]?.name ?? ''),
    col('witness_2', 'text', (r) => r.witnesses[1]?.username ?? ''), col('witness_2_name', 'text', (r) => r.witnesses[1]?.name ?? ''),
    col('items', 'integer', (r) => r.items.length),
  ]
}

function disposalItemColumns(): Array<CsvColumn<{ d: DisposalRow; i: DisposalItemRow }>> {
  return [
    col('disposal_seq', 'integer', (r) => r.d.seq), col('disposal_hash', 'text', (r) => r.d.hash), col('location', 'text', (r) => r.i.location), col('product', 'text', (r) => r.i.product), col('ndc', 'text', (r) => r.i.ndc),
    col('substance', 'text', (r) => r.i.substance), col('strength', 'text', (r) => r.i.strength), col('form', 'text', (r) => r.i.form), col('lot', 'text', (r) => r.i.lot),
    col('package_volume', 'decimal', (r) => r.i.package_ml), col('full_packages', 'integer', (r) => r.i.full_packages), col('container', 'text', (r) => r.i.container ?? ''),
    col('partial_volume', 'decimal', (r) => r.i.partial_ml), col('total_volume', 'decimal', (r) => r.i.total_ml), col('volume_unit', 'unit', () => ML),
    col('total_mass', 'decimal', (r) => r.i.total_mg), col('mass_unit', 'unit', () => MG),
  ]
}

function lossColumns(): Array<CsvColumn<LossRow>> {
  return [
    col('loss', 'text', (r) => r.id), col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('opened_by', 'text', (r) => r.opened_by), col('discrepancy', 'text', (r) => r.discrepancy ?? ''),
    col('type', 'text', (r) => r.type), col('discovered_at', 'time', (r) => r.discovered_at), col('note', 'text', (r) => r.note), col('recorded_by', 'text', (r) => r.recorded_by.username),
    col('notice_due', 'time', (r) => r.notice_due), col('notice_seq', 'integer', (r) => r.notice?.seq ?? null), col('notice_at', 'time', (r) => r.notice?.at ?? null),
    col('notice_method', 'text', (r) => r.notice?.method ?? ''), col('notice_to', 'text', (r) => r.notice?.to ?? ''), col('notice_status', 'text', (r) => r.notice_status),
    col('form106_due', 'time', (r) => r.form106_due), col('form106_filed_at', 'time', (r) => r.filings[0]?.at ?? null),
    col('form106_confirmations', 'text', (r) => r.filings.map((f) => `${f.confirmation}${f.amended ? ' (amended)' : ''}`).join('; ')), col('form106_status', 'text', (r) => r.form106_status),
    col('items', 'integer', (r) => r.items.length),
  ]
}

function lossItemColumns(): Array<CsvColumn<{ l: LossRow; i: LossRow['items'][number] }>> {
  return [
    col('loss', 'text', (r) => r.l.id), col('loss_seq', 'integer', (r) => r.l.seq), col('loss_hash', 'text', (r) => r.l.hash), col('location', 'text', (r) => r.i.location), col('product', 'text', (r) => r.i.product), col('ndc', 'text', (r) => r.i.ndc),
    col('lot', 'text', (r) => r.i.lot), col('containers', 'integer', (r) => r.i.containers), col('container', 'text', (r) => r.i.container ?? ''),
    col('volume', 'decimal', (r) => r.i.amount_ml), col('volume_unit', 'unit', () => ML), col('mass', 'decimal', (r) => r.i.amount_mg), col('mass_unit', 'unit', () => MG),
  ]
}

function countColumns(): Array<CsvColumn<CountRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('location', 'text', (r) => r.location),
    col('counted_by', 'text', (r) => r.counted_by.username), col('witness', 'text', (r) => r.witness?.username ?? ''), col('based_on_seq', 'integer', (r) => r.based_on_seq),
    col('blind', 'text', (r) => r.blind), col('tolerance', 'decimal', (r) => r.tolerance_ml), col('tolerance_unit', 'unit', () => ML),
    col('lines', 'integer', (r) => r.items), col('discrepancies', 'text', (r) => r.discrepancies.join(' ')),
  ]
}

function countItemColumns(): Array<CsvColumn<CountItemRow>> {
  return [
    col('count_seq', 'integer', (r) => r.count_seq), col('count_hash', 'text', (r) => r.count_hash), col('occurred_at', 'time', (r) => r.occurred_at), col('location', 'text', (r) => r.location), col('type', 'text', (r) => r.type),
    col('product', 'text', (r) => r.product), col('lot', 'text', (r) => r.lot), col('container', 'text', (r) => r.container ?? ''),
    col('expected', 'decimal', (r) => r.expected), col('counted', 'decimal', (r) => r.counted), col('difference', 'decimal', (r) => r.difference), col('unit', 'unit', (r) => r.unit),
    col('estimated', 'text', (r) => r.estimated), col('discrepancy', 'text', (r) => r.discrepancy ?? ''),
  ]
}

function discrepancyColumns(): Array<CsvColumn<DiscrepancyRow>> {
  return [
    col('id', 'text', (r) => r.id), col('found_by_kind', 'text', (r) => r.found_by.kind), col('found_by_seq', 'integer', (r) => r.found_by.seq), col('found_by_hash', 'text', (r) => r.found_by.hash), col('found_at', 'time', (r) => r.found_by.at),
    col('location', 'text', (r) => r.location), col('type', 'text', (r) => r.type), col('product', 'text', (r) => r.product), col('lot', 'text', (r) => r.lot),
    col('container', 'text', (r) => r.container ?? ''), col('expected', 'decimal', (r) => r.expected), col('counted', 'decimal', (r) => r.counted),
    col('difference', 'decimal', (r) => r.difference), col('unit', 'unit', (r) => r.unit), col('due', 'time', (r) => r.due), col('status', 'text', (r) => r.status),
    col('resolution_seq', 'integer', (r) => r.resolution?.seq ?? null), col('resolved_at', 'time', (r) => r.resolution?.at ?? null), col('resolved_by', 'text', (r) => r.resolution?.by.username ?? ''),
    col('reason', 'text', (r) => r.resolution?.reason ?? ''), col('note', 'text', (r) => r.resolution?.note ?? ''), col('linked_seqs', 'text', (r) => r.resolution?.linked.join(' ') ?? ''),
    col('explained', 'decimal', (r) => r.resolution?.explained ?? null), col('adjustment', 'text', (r) => r.resolution?.adjustment ?? ''), col('loss', 'text', (r) => r.resolution?.loss ?? ''),
  ]
}

function correctionColumns(): Array<CsvColumn<CorrectionRow>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('occurred_at', 'time', (r) => r.occurred_at), col('by', 'text', (r) => r.by.username), col('witness', 'text', (r) => r.witness?.username ?? ''),
    col('corrects_seq', 'integer', (r) => r.corrects), col('corrects_kind', 'text', (r) => r.corrects_kind), col('action', 'text', (r) => r.action), col('reason', 'text', (r) => r.reason),
    col('changes', 'text', (r) => r.changes.map((c) => `${c.field}: ${c.original} -> ${c.corrected}`).join('; ')),
    col('original', 'text', (r) => r.original), col('corrected', 'text', (r) => r.corrected ?? 'VOID'),
  ]
}

function inventoryColumns(): Array<CsvColumn<InventoryRecord>> {
  return [
    col('seq', 'integer', (r) => r.seq), col('hash', 'text', (r) => r.hash), col('type', 'text', (r) => r.type), col('at', 'text', (r) => r.at), col('taken_at', 'time', (r) => r.taken_at),
    col('registrant_name', 'text', (r) => r.registrant.name), col('registrant_address', 'text', (r) => r.registrant.address), col('dea_number', 'text', (r) => r.registrant.dea_number),
    col('based_on_seq', 'integer', (r) => r.based_on_seq), col('zero', 'text', (r) => r.zero), col('taken_by', 'text', (r) => r.taken_by.username),
    col('witness', 'text', (r) => r.witness?.username ?? ''), col('items', 'integer', (r) => r.items.length), col('discrepancies', 'text', (r) => r.discrepancies.join(' ')),
  ]
}

function inventoryItemColumns(): Array<CsvColumn<{ inv: InventoryRecord; i: InventoryItemRow }>> {
  return [
    col('inventory_seq', 'integer', (r) => r.inv.seq), col('inventory_hash', 'text', (r) => r.inv.hash), col('location', 'text', (r) => r.i.location), col('product', 'text', (r) => r.i.product), col('substance', 'text', (r) => r.i.substance),
    col('schedule', 'text', (r) => r.i.schedule), col('strength', 'text', (r) => r.i.strength), col('form', 'text', (r) => r.i.form), col('container_volume', 'decimal', (r) => r.i.container_ml),
    col('ndc', 'text', (r) => r.i.ndc), col('lot', 'text', (r) => r.i.lot), col('type', 'text', (r) => r.i.type), col('container', 'text', (r) => r.i.container ?? ''),
    col('sealed', 'integer', (r) => r.i.sealed), col('open_volume', 'decimal', (r) => r.i.open_ml), col('estimated', 'text', (r) => r.i.estimated),
    col('total_volume', 'decimal', (r) => r.i.total_ml), col('volume_unit', 'unit', () => ML), col('total_mass', 'decimal', (r) => r.i.total_mg), col('mass_unit', 'unit', () => MG),
  ]
}
