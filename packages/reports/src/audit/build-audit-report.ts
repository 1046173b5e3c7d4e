import { Decimal } from 'decimal.js'
import { type Entry, InputError, type Schedule, type WasteData } from '@csledger/ledger-core'
import { addDaysToDate, isCalendarDate, localMidnight } from '../format/local-time.ts'
import { type AuditSource, type SourceRow, parseEntry } from '../source/audit-source.ts'
import { type CheckpointGiven, checkpointStamp } from '../checkpoint/checkpoint-stamp.ts'
import { AccountabilityFold } from './accountability.ts'
import {
  type AdministrationRow, type AuditCover, type AuditFilters, type AuditReport, type CorrectionRow, type CountItemRow, type CountRow, type DiscrepancyRow,
  type DisposalRow, type InventoryRecord, type LossRow, type ReceiptRow, type RowSection, type TransferRow, type WasteRow, AUDIT_SECTIONS,
} from './audit-report.ts'
import {
  type RowContext, administrationRow, correctionRow, countItemRows, countRow, discrepancyRow, disposalRow, inPeriod, inventoryRecord, lossRow, receiptRow,
  transferRow, wasteRow,
} from './audit-rows.ts'
import { type ReportProgress, effectiveOf, indexLedger } from './ledger-index.ts'

/** The result of a full verification run at generation time (`Ledger.verify()` returns one). */
export interface VerificationInput {
  readonly ok: boolean
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly findings: ReadonlyArray<{ readonly code: string; readonly seq: number | null; readonly message: string }>
}

export interface AuditInput {
  /** The ledger, read a few times (each `rows()` call starts from the first entry). */
  readonly source: AuditSource
  readonly verification: VerificationInput
  /**
   * The signed checkpoint to print on the cover: one signed for this packet, or the newest the
   * ledger keeps that verification accepted. The packet checks its root against its own entries.
   */
  readonly checkpoint?: CheckpointGiven | null
}

export interface AuditOptions {
  /** First day of the period, YYYY-MM-DD, in the registrant's time zone. */
  readonly from: string
  /** Last day of the period (inclusive). */
  readonly to: string
  readonly schedule?: 'III' | 'IV'
  readonly product?: string
  readonly location?: string
  /** When the packet is generated (ISO-8601): printed, and the PDF's creation date (byte-identical output). */
  readonly generatedAt: string
  /** Who generates it (a username; the name and role are added when the ledger knows the user). */
  readonly generatedBy: string
  readonly onProgress?: (p: ReportProgress) => void
}

/** Entry kinds the second pass reads; the rest were fully used by the first. */
const FOLDED = new Set(['receipt', 'container_opening', 'administration', 'waste', 'transfer', 'disposal', 'loss', 'reconciliation', 'count', 'inventory', 'correction'])

/**
 * Builds the audit packet for a period from the ledger's entries: two passes over the source
 * (an index of the catalog, people, corrections, co-signs, reconciliations and count windows;
 * then the accountability fold and the small sections). The large logs (doses, waste, count
 * lines) stay in the ledger: their `rows()` read it again. No projections are used: every number
 * comes from the entries themselves.
 *
 * @example
 * const L = new Ledger({ store })
 * const report = await buildAuditReport(
 *   { source: sourceFromStore(store), verification: await L.verify() },
 *   { from: '2027-01-01', to: '2027-03-31', generatedAt: new Date().toISOString(), generatedBy: 'mdiaz' },
 * )
 */
export async function buildAuditReport(input: AuditInput, options: AuditOptions): Promise<AuditReport> {
  if (!isCalendarDate(options.from) || !isCalendarDate(options.to)) {
    throw new InputError('INVALID_DATE', `the period ${options.from} to ${options.to} is not two dates like 2027-01-01`, { hint: 'give --from and --to as YYYY-MM-DD' })
  }
  if (options.from > options.to) throw new InputError('INVALID_PERIOD', `the period starts (${options.from}) after it ends (${options.to})`, { hint: 'swap --from and --to' })
  if (options.schedule !== undefined && options.schedule !== 'III' && options.schedule !== 'IV') {
    throw new InputError('INVALID_SCHEDULE', `schedule "${String(options.schedule).slice(0, 10)}" is not III or IV`, { hint: '--schedule III|IV (leave it out for all)' })
  }
  if (Number.isNaN(Date.parse(options.generatedAt))) throw new InputError('INVALID_TIME', `generatedAt "${options.generatedAt}" is not an ISO-8601 time`)
  const generatedAt = new Date(options.generatedAt).toISOString()
  const { source, verification } = input
  const onProgress = options.onProgress
  const stamp = input.checkpoint ? checkpointStamp(input.checkpoint) : null
  const index = await indexLedger(source, (tz) => ({ start: localMidnight(options.from, tz), end: localMidnight(addDaysToDate(options.to, 1), tz) }), onProgress, stamp?.size)
  if (!index.registrant) throw new InputError('NO_LEDGER', 'the ledger has no registrant entry: it is empty or not a csledger chain', { hint: 'initialise it with `csledger init`' })
  if (options.product !== undefined && !index.products.has(options.product)) throw new InputError('UNKNOWN_PRODUCT', `no product ${options.product}`, { hint: 'list products with `csledger product list`' })
  if (options.location !== undefined && !index.locations.has(options.location)) throw new InputError('UNKNOWN_LOCATION', `no location ${options.location}`, { hint: 'list locations with `csledger location list`' })
  const bounds = index.bounds
  const filters: AuditFilters = { schedule: (options.schedule ?? null) as Schedule | null, product: options.product ?? null, location: options.location ?? null }
  const ctx: RowContext = { index, bounds, filters, generatedAt }
  const fold = new AccountabilityFold(index, bounds, filters)

  const receipts: ReceiptRow[] = []
  const transfers: TransferRow[] = []
  const disposals: DisposalRow[] = []
  const losses: LossRow[] = []
  const counts: CountRow[] = []
  const corrections: CorrectionRow[] = []
  const inventories: InventoryRecord[] = []
  const discrepancyIds: string[] = []
  const doseWaste = new Map<number, Decimal>()
  let administrations = 0
  let wastes = 0
  let countItems = 0
  let done = 0
  // Entries that happened before every location's window opened, or after the period, cannot
  // change the audit (reconciliations, counts and inventories are placed by what they refer to,
  // and a dose's waste may come later): they are not even parsed.
  const opens = [...index.locations.keys()].map((l) => index.windows.get(l)?.opening?.at ?? null)
  const before = opens.includes(null) || opens.length === 0 ? '' : opens.reduce((a, b) => (a! < b! ? a : b))!
  const windowPoints = new Set([...index.windows.values()].flatMap((w) => [w.opening?.seq, w.closing?.seq]).filter((x): x is number => x !== undefined))
  for await (const row of source.rows()) {
    if (onProgress && ++done % 5000 === 0) onProgress({ phase: 'accountability', done, total: index.entries })
    if (!FOLDED.has(row.kind)) continue
    const relevant = row.kind === 'reconciliation' || windowPoints.has(row.seq)
      || (row.kind === 'waste' && row.seq > index.firstSeqInPeriod)
      || (row.occurred_at >= before && row.occurred_at < bounds.end)
    if (!relevant) continue
    const e = parseEntry(row)
    fold.apply(e)
    if (e.kind === 'waste' && e.data.administration !== undefined && e.data.administration >= index.firstSeqInPeriod) {
      const d = effectiveOf(index, e) as WasteData | null
      if (d) doseWaste.set(e.data.administration, (doseWaste.get(e.data.administration) ?? new Decimal(0)).plus(d.amount_ml))
    }
    if (!inPeriod(ctx, e.occurred_at)) continue
    switch (e.kind) {
      case 'receipt': push(receipts, receiptRow(ctx, e)); break
      case 'administration': if (administrationRow(ctx, e, doseWaste)) administrations++; break
      case 'waste': if (wasteRow(ctx, e)) wastes++; break
      case 'transfer': push(transfers, transferRow(ctx, e)); break
      case 'disposal': push(disposals, disposalRow(ctx, e)); break
      case 'loss': push(losses, lossRow(ctx, e, e.data)); break
      case 'reconciliation': if (e.data.loss) push(losses, lossRow(ctx, e, e.data.loss)); break
      case 'count':
        push(counts, countRow(ctx, e))
        countItems += countItemRows(ctx, e).length
        for (const d of e.data.discrepancies) discrepancyIds.push(d.id)
        break
      case 'inventory':
        inventories.push(inventoryRecord(ctx, e))
        for (const d of e.data.discrepancies) discrepancyIds.push(d.id)
        break
      case 'correction': push(corrections, correctionRow(ctx, e)); break
      default: break
    }
  }
  const discrepancies = discrepancyIds.map((id) => discrepancyRow(ctx, id)).filter((d): d is DiscrepancyRow => d !== null)

  const eachInPeriod = (kind: string) => async function* (): AsyncIterable<Entry> {
    for await (const row of source.rows()) if (row.kind === kind && row.occurred_at >= bounds.start && row.occurred_at < bounds.end) yield parseEntry(row as SourceRow)
  }
  const doses = eachInPeriod('administration')
  const wasteEntries = eachInPeriod('waste')
  const countEntries = eachInPeriod('count')
  const report: Omit<AuditReport, 'cover'> = {
    accountability: fold.result(),
    receipts: held(receipts),
    administrations: streamed(administrations, async function* () {
      for await (const e of doses()) { const r = administrationRow(ctx, e as Entry<'administration'>, doseWaste); if (r) yield r }
    }),
    waste: streamed(wastes, async function* () {
      for await (const e of wasteEntries()) { const r = wasteRow(ctx, e as Entry<'waste'>); if (r) yield r }
    }),
    transfers: held(transfers),
    disposals: held(disposals),
    losses: held(losses),
    counts: held(counts),
    count_items: streamed(countItems, async function* () {
      for await (const e of countEntries()) yield* countItemRows(ctx, e as Entry<'count'>)
    }),
    discrepancies: held(discrepancies),
    corrections: held(corrections),
    inventories: held(inventories),
  }
  const checkpoint = stamp ? { ...stamp, consistent: index.rootAt !== null && Buffer.from(index.rootAt).toString('base64') === stamp.root } : null
  return { cover: cover(index, options, generatedAt, verification, checkpoint, report), ...report }
}

function cover(
  index: Awaited<ReturnType<typeof indexLedger>>, options: AuditOptions, generatedAt: string, v: VerificationInput, checkpoint: AuditCover['checkpoint'], report: Omit<AuditReport, 'cover'>,
): AuditCover {
  const r = index.registrant!
  const by = index.users.get(options.generatedBy)
  const matches = v.head !== null && index.head !== null && v.head.seq === index.head.seq && v.head.hash === index.head.hash
  const notes = [
    'No prices or financial data are included (21 CFR 1316.04).',
    `Times are local to the registered location (${index.timezone}); the CSV files carry the stored UTC times.`,
    'Patient references resolve to the patient\'s name and address in the clinic\'s medical record.',
    'Logs show the corrected values of corrected entries, marked; the corrections section shows the original values beside the corrected ones.',
  ]
  if (checkpoint === null) notes.push('No signed checkpoint is printed: none had been signed. Generate the packet with --by (a user with a signing key signs one for it), or sign one with `csledger checkpoint`.')
  else if (!checkpoint.consistent) notes.unshift(`CHECKPOINT MISMATCH: the entries of this packet do not have the root signed in checkpoint ${checkpoint.code}${checkpoint.size > index.entries ? ` (it covers ${checkpoint.size} entries; the ledger read has ${index.entries})` : ''}. The ledger was rewritten or truncated after it was signed.`)
  if (!v.ok) notes.unshift(`VERIFICATION FAILED: ${v.findings.length} finding(s). The records below come from a ledger whose integrity could not be confirmed.`)
  if (!matches) notes.unshift('The verified head is not the head this report read: the ledger changed between verification and report. Generate the packet again.')
  return {
    title: 'Controlled substance audit packet',
    registrant: { name: r.name, address: r.address, dea_number: r.dea_number, timezone: index.timezone },
    period: { from: options.from, to: options.to, start: index.bounds.start, end: index.bounds.end, timezone: index.timezone },
    filters: { schedule: (options.schedule ?? null) as Schedule | null, product: options.product ?? null, location: options.location ?? null },
    generated_at: generatedAt,
    generated_by: by ? `${by.name} (${options.generatedBy}, ${by.role})` : options.generatedBy,
    ledger: { id: index.ledgerId, entries: index.entries, head: index.head },
    verification: { ok: v.ok, entries: v.entries, head: v.head, matches_report: matches, findings: v.findings.slice(0, 20).map((f) => ({ code: f.code, seq: f.seq, message: f.message })) },
    checkpoint,
    people: [...index.users].sort(([a], [b]) => (a < b ? -1 : 1)).map(([username, u]) => ({ username, name: u.name, role: u.role })),
    sections: AUDIT_SECTIONS.map((name) => ({ name, rows: report[name].count })),
    notes,
  }
}

function push<T>(list: T[], row: T | null): void {
  if (row !== null) list.push(row)
}

function held<T>(rows: readonly T[]): RowSection<T> {
  return { count: rows.length, rows: async function* () { yield* rows } }
}

function streamed<T>(count: number, rows: () => AsyncIterable<T>): RowSection<T> {
  return { count, rows }
}
