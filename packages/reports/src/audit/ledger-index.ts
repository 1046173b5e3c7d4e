import type {
  CorrectionData, CountItem, Entry, LocationData, ProductData, ReconciliationData, RegistrantData, Role,
} from '@csledger/ledger-core'
import { MerkleFrontier, entryLeafHash } from '@csledger/ledger-core'
import { type AuditSource, entryHash, parseEntry } from '../source/audit-source.ts'
import type { CountPoint } from './audit-report.ts'

/** Progress of a long report run, for a progress bar (the caller decides whether to show one). */
export interface ReportProgress {
  /** index / accountability: building the report; rows: a renderer's pass over a section; pdf-layout: counting pages. */
  readonly phase: string
  readonly done: number
  /** Entries (or rows) in all; null while unknown (the first pass). */
  readonly total: number | null
}

/** The period as UTC instants: [start, end). */
export interface PeriodBounds { readonly start: string; readonly end: string }

/**
 * What the first pass over the ledger learns, kept small: the catalog, the people, settings
 * changes, the corrections, co-signs, reconciliations and loss clocks (few, and needed before the
 * entries they refer to are reached again), and each location's audit window.
 */
export interface LedgerIndex {
  readonly ledgerId: string
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly registrant: RegistrantData | null
  readonly timezone: string
  readonly users: ReadonlyMap<string, { readonly name: string; readonly role: Role }>
  readonly locations: ReadonlyMap<string, LocationData>
  readonly products: ReadonlyMap<string, ProductData>
  /** Setting changes in seq order. */
  readonly settings: ReadonlyArray<{ readonly seq: number; readonly name: string; readonly value: string }>
  /** Per corrected seq: its data after the last correction (null when voided) and the corrections, in order. */
  readonly corrections: ReadonlyMap<number, { readonly current: Readonly<Record<string, unknown>> | null; readonly by: readonly number[] }>
  /** Per waste seq (from the period on): its first co-sign. */
  readonly cosigns: ReadonlyMap<number, { readonly seq: number; readonly by: string; readonly at: string }>
  /** Per discrepancy id: the count or inventory that found it, and what it found. */
  readonly discrepancies: ReadonlyMap<string, { readonly point: CountPoint; readonly location: string; readonly item: CountItem; readonly difference: string; readonly unit: 'container' | 'mL'; readonly due: string }>
  /** Per discrepancy id: the reconciliation that resolved it. */
  readonly reconciliations: ReadonlyMap<string, { readonly seq: number; readonly at: string; readonly by: string; readonly data: ReconciliationData }>
  /** Per loss id: the DEA notice and the Form 106 filings. */
  readonly lossEvents: ReadonlyMap<string, { notice: { seq: number; at: string; method: string; to: string } | null; filings: Array<{ seq: number; at: string; confirmation: string; amended: boolean }> }>
  /** Per location: the count or inventory that opens its window (at or before the period start) and the one that closes it (the last in the period). */
  readonly windows: ReadonlyMap<string, { readonly opening: CountPoint | null; readonly closing: CountPoint | null }>
  /** The first seq whose entry happened in the period (Infinity if none): earlier entries cannot belong to it. */
  readonly firstSeqInPeriod: number
}

/** Kinds the first pass parses; the others (doses, waste, openings, receipts) are only counted. */
const INDEXED = new Set(['registrant', 'user', 'location', 'product', 'setting', 'correction', 'cosign', 'reconciliation', 'count', 'inventory', 'loss_notice', 'loss_filing'])

/**
 * The first pass: reads every row, parses only the kinds listed above. Needs the registrant's time
 * zone to place the period, so `bounds` is a function of it.
 */
export async function indexLedger(
  source: AuditSource, bounds: (timezone: string) => PeriodBounds, onProgress?: (p: ReportProgress) => void, rootAt?: number,
): Promise<LedgerIndex & { readonly bounds: PeriodBounds; readonly rootAt: Uint8Array | null }> {
  // The RFC 6962 root of entries 1..rootAt (a checkpoint's size), from the hashes this pass reads.
  const frontier = rootAt !== undefined && rootAt > 0 ? new MerkleFrontier() : null
  let root: Uint8Array | null = null
  let ledgerId = ''
  let entries = 0
  let head: { seq: number; hash: string } | null = null
  let registrant: RegistrantData | null = null
  let timezone = 'UTC'
  let period: PeriodBounds | null = null
  let firstSeqInPeriod = Number.POSITIVE_INFINITY
  const users = new Map<string, { name: string; role: Role }>()
  const locations = new Map<string, LocationData>()
  const products = new Map<string, ProductData>()
  const settings: Array<{ seq: number; name: string; value: string }> = []
  const corrections = new Map<number, { current: Readonly<Record<string, unknown>> | null; by: number[] }>()
  const cosigns = new Map<number, { seq: number; by: string; at: string }>()
  const discrepancies = new Map<string, { point: CountPoint; location: string; item: CountItem; difference: string; unit: 'container' | 'mL'; due: string }>()
  const reconciliations = new Map<string, { seq: number; at: string; by: string; data: ReconciliationData }>()
  const lossEvents = new Map<string, { notice: { seq: number; at: string; method: string; to: string } | null; filings: Array<{ seq: number; at: string; confirmation: string; amended: boolean }> }>()
  const windows = new Map<string, { opening: CountPoint | null; closing: CountPoint | null }>()
  const lossEvent = (id: string) => {
    let e = lossEvents.get(id)
    if (!e) lossEvents.set(id, (e = { notice: null, filings: [] }))
    return e
  }
  /** A count or inventory at `point` covers `location`: it may open or close that location's window. */
  const place = (location: string, point: CountPoint) => {
    const p = period!
    let w = windows.get(location)
    if (!w) windows.set(location, (w = { opening: null, closing: null }))
    if (point.at <= p.start) {
      if (!w.opening || after(point, w.opening)) w.opening = point
    } else if (point.at < p.end) {
      if (!w.closing || after(point, w.closing)) w.closing = point
    }
  }

  for await (const row of source.rows()) {
    entries++
    head = { seq: row.seq, hash: row.hash }
    if (frontier && frontier.size < rootAt!) {
      frontier.append(entryLeafHash(row.hash))
      if (frontier.size === rootAt) root = frontier.root()
    }
    if (period && firstSeqInPeriod === Number.POSITIVE_INFINITY && row.occurred_at >= period.start && row.occurred_at < period.end) firstSeqInPeriod = row.seq
    if (onProgress && entries % 5000 === 0) onProgress({ phase: 'index', done: entries, total: null })
    if (!INDEXED.has(row.kind)) continue
    // A co-sign matters only for a waste of the period, which comes after the period's first entry.
    if (row.kind === 'cosign' && row.seq <= firstSeqInPeriod) continue
    const e = parseEntry(row)
    if (!ledgerId) ledgerId = e.ledger_id
    switch (e.kind) {
      case 'registrant':
        registrant = e.data
        timezone = e.data.timezone ?? 'UTC'
        users.set(e.data.admin.username, { name: e.data.admin.name, role: 'pic' })
        period = bounds(timezone)
        if (row.occurred_at >= period.start && row.occurred_at < period.end) firstSeqInPeriod = Math.min(firstSeqInPeriod, row.seq)
        break
      case 'user': users.set(e.data.username, { name: e.data.name, role: e.data.role }); break
      case 'location': locations.set(e.data.code, e.data); break
      case 'product': products.set(e.data.code, e.data); break
      case 'setting': settings.push({ seq: e.seq, name: e.data.name, value: e.data.value }); break
      case 'correction': {
        const d: CorrectionData = e.data
        const prior = corrections.get(d.corrects)
        corrections.set(d.corrects, { current: d.action === 'void' ? null : (d.amended ?? {}), by: [...(prior?.by ?? []), e.seq] })
        break
      }
      case 'cosign':
        if (e.data.waste >= firstSeqInPeriod && !cosigns.has(e.data.waste)) cosigns.set(e.data.waste, { seq: e.seq, by: e.actor, at: e.occurred_at })
        break
      case 'count': {
        const point: CountPoint = { seq: e.seq, hash: entryHash(e), kind: 'count', at: e.occurred_at }
        if (period) place(e.data.location, point)
        for (const d of e.data.discrepancies) discrepancies.set(d.id, { point, location: d.item.location, item: d.item, difference: d.difference, unit: d.unit, due: d.due })
        break
      }
      case 'inventory': {
        const point: CountPoint = { seq: e.seq, hash: entryHash(e), kind: 'inventory', at: e.occurred_at }
        if (period) for (const l of locations.keys()) place(l, point)
        for (const d of e.data.discrepancies) discrepancies.set(d.id, { point, location: d.item.location, item: d.item, difference: d.difference, unit: d.unit, due: d.due })
        break
      }
      case 'reconciliation':
        reconciliations.set(e.data.discrepancy, { seq: e.seq, at: e.occurred_at, by: e.actor, data: e.data })
        break
      case 'loss_notice': {
        const ev = lossEvent(e.data.loss)
        if (!ev.notice) ev.notice = { seq: e.seq, at: e.occurred_at, method: e.data.method, to: e.data.to }
        break
      }
      case 'loss_filing':
        lossEvent(e.data.loss).filings.push({ seq: e.seq, at: e.occurred_at, confirmation: e.data.confirmation, amended: e.data.amended === true })
        break
      default:
        break
    }
  }
  return {
    ledgerId, entries, head, registrant, timezone, users, locations, products, settings, corrections, cosigns, discrepancies, reconciliations, lossEvents, windows,
    firstSeqInPeriod, bounds: period ?? bounds(timezone), rootAt: root,
  }
}

/** True when `a` comes after `b` in physical time (occurred_at, then seq). */
export function after(a: { at: string; seq: number }, b: { at: string; seq: number }): boolean {
  return a.at > b.at || (a.at === b.at && a.seq > b.seq)
}

/** The value of a setting in effect just before entry `seq` (its default if never changed). */
export function settingAt(index: Pick<LedgerIndex, 'settings'>, name: string, seq: number, fallback: string): string {
  let value = fallback
  for (const s of index.settings) {
    if (s.seq >= seq) break
    if (s.name === name) value = s.value
  }
  return value
}

/** The effective data of a correctable entry: the original, or what the last correction left (null: voided). */
export function effectiveOf(index: Pick<LedgerIndex, 'corrections'>, e: Entry): Readonly<Record<string, unknown>> | null {
  const c = index.corrections.get(e.seq)
  return c ? c.current : (e.data as unknown as Record<string, unknown>)
}
