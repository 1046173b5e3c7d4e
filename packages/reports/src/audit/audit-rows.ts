import { Decimal } from 'decimal.js'
import {
  type AdministrationData, type CountItem, type DisposalData, type Entry, type LossData, type ProductData, type ReceiptData, type TransferData,
  type WasteData, SETTINGS, canonicalJson, dec,
} from '@csledger/ledger-core'
import type {
  AdministrationRow, AuditFilters, ClockStatus, CorrectionMark, CorrectionRow, CountItemRow, CountRow, DiscrepancyRow, DisposalRow, InventoryItemRow,
  InventoryRecord, LossRow, Person, ReceiptRow, TransferRow, WasteRow,
} from './audit-report.ts'
import { entryHash } from '../source/audit-source.ts'
import { type LedgerIndex, type PeriodBounds, effectiveOf, settingAt } from './ledger-index.ts'

/** An entry recorded this long after it happened is flagged "recorded late" (21 CFR 1304.21(d): the actual date counts). */
export const LATE_RECORD_MINUTES = 60

/** What every row mapper needs: the index, the period, the filters and the generation time (for clocks still running). */
export interface RowContext {
  readonly index: LedgerIndex
  readonly bounds: PeriodBounds
  readonly filters: AuditFilters
  readonly generatedAt: string
}

/** True when the entry happened in the period. */
export function inPeriod(ctx: RowContext, occurredAt: string): boolean {
  return occurredAt >= ctx.bounds.start && occurredAt < ctx.bounds.end
}

/** True when a product (and, if given, a location) passes the packet's filters. */
export function wanted(ctx: RowContext, product: string, location?: string | readonly string[]): boolean {
  const f = ctx.filters
  const p = ctx.index.products.get(product)
  if (f.product !== null && product !== f.product) return false
  if (f.schedule !== null && p?.schedule !== f.schedule) return false
  if (f.location !== null && location !== undefined) return typeof location === 'string' ? location === f.location : location.includes(f.location)
  return true
}

export function person(ctx: RowContext, username: string): Person {
  return { username, name: ctx.index.users.get(username)?.name ?? username }
}

export function strength(p: ProductData | undefined): string {
  return p ? `${p.concentration_mg_per_ml} mg/mL` : ''
}

export function form(p: ProductData | undefined): string {
  return p ? `injection, ${p.volume_ml} mL ${p.dose_form} vial` : ''
}

function mark(ctx: RowContext, seq: number): CorrectionMark | null {
  const c = ctx.index.corrections.get(seq)
  return c ? { status: c.current === null ? 'voided' : 'amended', by: c.by } : null
}

/** The data a log shows: the corrected values when a correction amended it, the original when it was voided. */
function shown<T>(ctx: RowContext, e: Entry): T {
  return (effectiveOf(ctx.index, e) ?? e.data) as T
}

function recordedLate(e: Entry): boolean {
  return Date.parse(e.recorded_at) - Date.parse(e.occurred_at) > LATE_RECORD_MINUTES * 60_000
}

function mgOf(ctx: RowContext, product: string, ml: Decimal): string {
  return dec(ml.times(ctx.index.products.get(product)?.concentration_mg_per_ml ?? '0'))
}

export function receiptRow(ctx: RowContext, e: Entry<'receipt'>): ReceiptRow | null {
  const d = shown<ReceiptData>(ctx, e)
  if (!wanted(ctx, d.product, d.location)) return null
  const p = ctx.index.products.get(d.product)
  const ml = new Decimal(p?.volume_ml ?? '0').times(d.containers)
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, recorded_at: e.recorded_at, product: d.product, substance: p?.substance ?? '', ndc: p?.ndc ?? '', strength: strength(p),
    lot: d.lot, expires: d.expires, containers: d.containers, volume_ml: dec(ml), mass_mg: mgOf(ctx, d.product, ml), location: d.location,
    supplier: { name: d.supplier.name, address: d.supplier.address, dea_number: d.supplier.dea_number }, invoice: d.invoice,
    received_by: person(ctx, e.actor), recorded_late: recordedLate(e), correction: mark(ctx, e.seq),
  }
}

export function administrationRow(ctx: RowContext, e: Entry<'administration'>, doseWaste: ReadonlyMap<number, Decimal>): AdministrationRow | null {
  const d = shown<AdministrationData>(ctx, e)
  if (!wanted(ctx, d.product, d.location)) return null
  const wasted = doseWaste.get(e.seq) ?? new Decimal(0)
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, recorded_at: e.recorded_at, patient: d.patient, product: d.product, lot: d.lot, container: d.container, location: d.location,
    given_mg: d.given_mg, given_ml: d.given_ml, drawn_mg: d.drawn_mg, drawn_ml: d.drawn_ml, wasted_mg: mgOf(ctx, d.product, wasted), wasted_ml: dec(wasted),
    administered_by: person(ctx, e.actor), prescriber: d.prescriber ? person(ctx, d.prescriber) : null, recorded_late: recordedLate(e), correction: mark(ctx, e.seq),
  }
}

export function wasteRow(ctx: RowContext, e: Entry<'waste'>): WasteRow | null {
  const d = shown<WasteData>(ctx, e)
  if (!wanted(ctx, d.product, d.location)) return null
  const correction = mark(ctx, e.seq)
  const witnessWindow = Number(settingAt(ctx.index, 'witness_window_minutes', e.seq, SETTINGS.witness_window_minutes.default))
  const cosignHours = Number(settingAt(ctx.index, 'cosign_window_hours', e.seq, SETTINGS.cosign_window_hours.default))
  const delay = Math.floor((Date.parse(e.recorded_at) - Date.parse(e.occurred_at)) / 60_000)
  const c = ctx.index.cosigns.get(e.seq)
  const windowMs = cosignHours * 3_600_000
  const cosign = c ? { seq: c.seq, by: person(ctx, c.by), at: c.at, hours: Math.floor((Date.parse(c.at) - Date.parse(e.occurred_at)) / 3_600_000) } : null
  const status = correction?.status === 'voided' ? 'void'
    : c ? (Date.parse(c.at) - Date.parse(e.occurred_at) > windowMs ? 'late' : 'on-time')
      : Date.parse(ctx.generatedAt) - Date.parse(e.occurred_at) > windowMs ? 'missing' : 'awaiting'
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, recorded_at: e.recorded_at, product: d.product, lot: d.lot, container: d.container, location: d.location,
    administration: d.administration ?? null, amount_mg: d.amount_mg, amount_ml: d.amount_ml, reason: d.reason, wasted_by: person(ctx, e.actor),
    witness: e.witness ? person(ctx, e.witness) : null, witness_delay_minutes: Math.max(0, delay), witness_late: !e.witness || delay > witnessWindow,
    cosign, cosign_status: status, correction,
  }
}

export function transferRow(ctx: RowContext, e: Entry<'transfer'>): TransferRow | null {
  const d = shown<TransferData>(ctx, e)
  if (!wanted(ctx, d.product, [d.from, d.to])) return null
  const ml = new Decimal(ctx.index.products.get(d.product)?.volume_ml ?? '0').times(d.containers)
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, product: d.product, lot: d.lot, containers: d.containers, volume_ml: dec(ml), mass_mg: mgOf(ctx, d.product, ml),
    from: d.from, to: d.to, by: person(ctx, e.actor), correction: mark(ctx, e.seq),
  }
}

export function disposalRow(ctx: RowContext, e: Entry<'disposal'>): DisposalRow | null {
  const d: DisposalData = e.data
  const items = d.items.filter((i) => wanted(ctx, i.product, i.location)).map((i) => {
    const p = ctx.index.products.get(i.product)
    return {
      location: i.location, product: i.product, ndc: p?.ndc ?? '', substance: p?.substance ?? '', strength: strength(p), form: form(p), lot: i.lot,
      package_ml: p?.volume_ml ?? '', full_packages: i.containers, container: i.container ?? null, partial_ml: i.container ? i.amount_ml : '0',
      total_ml: i.amount_ml, total_mg: i.amount_mg,
    }
  })
  if (items.length === 0) return null
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, method: d.method, reason: d.reason, destruction: d.destruction ?? null,
    reverse_distributor: d.reverse_distributor ? { name: d.reverse_distributor.name, address: d.reverse_distributor.address, dea_number: d.reverse_distributor.dea_number } : null,
    witnesses: d.witnesses.map((w) => person(ctx, w)), items,
  }
}

/** A loss opened by a loss entry or by a reconciliation for theft or loss. */
export function lossRow(ctx: RowContext, e: Entry, loss: LossData): LossRow | null {
  const items = loss.items.filter((i) => wanted(ctx, i.product, i.location))
  if (items.length === 0) return null
  const ev = ctx.index.lossEvents.get(loss.id)
  const notice = ev?.notice ?? null
  const filings = ev?.filings ?? []
  return {
    id: loss.id, seq: e.seq, hash: entryHash(e), opened_by: e.kind === 'loss' ? 'loss' : 'reconciliation', discrepancy: loss.discrepancy ?? null, type: loss.type, discovered_at: loss.discovered_at,
    items: items.map((i) => ({ location: i.location, product: i.product, ndc: i.ndc, lot: i.lot, containers: i.containers, container: i.container ?? null, amount_ml: i.amount_ml, amount_mg: i.amount_mg })),
    note: loss.note, recorded_by: person(ctx, e.actor),
    notice_due: loss.notice_due, notice, notice_status: clock(ctx, loss.notice_due, notice?.at ?? null),
    form106_due: loss.form106_due, filings, form106_status: clock(ctx, loss.form106_due, filings[0]?.at ?? null),
  }
}

function clock(ctx: RowContext, due: string, doneAt: string | null): ClockStatus {
  if (doneAt !== null) return doneAt <= due ? 'done' : 'done-late'
  return ctx.generatedAt > due ? 'overdue' : 'due'
}

export function countRow(ctx: RowContext, e: Entry<'count'>): CountRow | null {
  const d = e.data
  if (ctx.filters.location !== null && d.location !== ctx.filters.location) return null
  const items = d.items.filter((i) => wanted(ctx, i.product))
  if (items.length === 0 && (ctx.filters.product !== null || ctx.filters.schedule !== null)) return null
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, location: d.location, counted_by: person(ctx, e.actor), witness: e.witness ? person(ctx, e.witness) : null,
    based_on_seq: d.based_on_seq, blind: d.blind === true, tolerance_ml: d.tolerance_ml, items: items.length,
    discrepancies: d.discrepancies.filter((x) => wanted(ctx, x.item.product)).map((x) => x.id),
  }
}

export function countItemRows(ctx: RowContext, e: Entry<'count'>): CountItemRow[] {
  const d = e.data
  if (ctx.filters.location !== null && d.location !== ctx.filters.location) return []
  const byItem = new Map(d.discrepancies.map((x) => [itemKey(x.item), x.id]))
  return d.items.filter((i) => wanted(ctx, i.product)).map((i) => {
    const expected = i.type === 'sealed' ? String(i.expected) : i.expected_ml
    const counted = i.type === 'sealed' ? String(i.counted) : i.counted_ml
    return {
      count_seq: e.seq, count_hash: entryHash(e), occurred_at: e.occurred_at, location: i.location, type: i.type, product: i.product, lot: i.lot, container: i.type === 'open' ? i.container : null,
      expected, counted, difference: dec(new Decimal(counted).minus(expected)), unit: i.type === 'sealed' ? 'container' : 'mL',
      estimated: i.type === 'open' && i.estimated === true, discrepancy: byItem.get(itemKey(i)) ?? null,
    }
  })
}

export function discrepancyRow(ctx: RowContext, id: string): DiscrepancyRow | null {
  const x = ctx.index.discrepancies.get(id)
  if (!x || !wanted(ctx, x.item.product, x.location)) return null
  const r = ctx.index.reconciliations.get(id)
  const i = x.item
  const a = r?.data.adjustment
  const adjustment = !a ? null
    : a.type === 'sealed' ? `${a.delta > 0 ? '+' : ''}${a.delta} sealed ${a.product} lot ${a.lot} at ${a.location}`
      : `${a.delta_ml.startsWith('-') ? '' : '+'}${a.delta_ml} mL (${a.delta_mg} mg) in ${a.container}`
  return {
    id, found_by: x.point, location: x.location, type: i.type, product: i.product, lot: i.lot, container: i.type === 'open' ? i.container : null,
    expected: i.type === 'sealed' ? String(i.expected) : i.expected_ml, counted: i.type === 'sealed' ? String(i.counted) : i.counted_ml,
    difference: x.difference, unit: x.unit, due: x.due,
    resolution: r ? { seq: r.seq, at: r.at, by: person(ctx, r.by), reason: r.data.reason, note: r.data.note, linked: r.data.linked, explained: r.data.explained, adjustment, loss: r.data.loss?.id ?? null } : null,
    status: r ? (r.at <= x.due ? 'resolved' : 'resolved-late') : ctx.generatedAt > x.due ? 'overdue' : 'open',
  }
}

const QUANTITY_FIELDS = ['containers', 'given_mg', 'given_ml', 'drawn_mg', 'drawn_ml', 'amount_mg', 'amount_ml', 'volume_ml']

export function correctionRow(ctx: RowContext, e: Entry<'correction'>): CorrectionRow | null {
  const d = e.data
  const before = d.before as Record<string, unknown>
  const product = typeof before.product === 'string' ? before.product : ''
  const locs = ['location', 'from', 'to'].map((k) => before[k]).filter((v): v is string => typeof v === 'string')
  if (!wanted(ctx, product, locs)) return null
  const text = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : canonicalJson(v))
  let changes: Array<{ field: string; original: string; corrected: string }>
  if (d.action === 'void') {
    changes = QUANTITY_FIELDS.filter((f) => before[f] !== undefined).map((f) => ({ field: f, original: text(before[f]), corrected: 'VOID' }))
  } else {
    const after = (d.amended ?? {}) as Record<string, unknown>
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    changes = keys.filter((k) => text(before[k]) !== text(after[k])).map((k) => ({ field: k, original: text(before[k]), corrected: text(after[k]) }))
  }
  return {
    seq: e.seq, hash: entryHash(e), occurred_at: e.occurred_at, by: person(ctx, e.actor), witness: e.witness ? person(ctx, e.witness) : null, corrects: d.corrects, corrects_kind: d.corrects_kind,
    action: d.action, reason: d.reason, changes, original: canonicalJson(before), corrected: d.action === 'void' ? null : canonicalJson(d.amended ?? {}),
  }
}

export function inventoryRecord(ctx: RowContext, e: Entry<'inventory'>): InventoryRecord {
  const d = e.data
  const items: InventoryItemRow[] = d.items.filter((i) => wanted(ctx, i.product, i.location)).map((i) => {
    const p = ctx.index.products.get(i.product)
    const ml = i.type === 'sealed' ? new Decimal(p?.volume_ml ?? '0').times(i.counted) : new Decimal(i.counted_ml)
    return {
      location: i.location, product: i.product, substance: p?.substance ?? '', schedule: p?.schedule ?? 'III', strength: strength(p), form: form(p), container_ml: p?.volume_ml ?? '',
      ndc: p?.ndc ?? '', lot: i.lot, type: i.type, container: i.type === 'open' ? i.container : null, sealed: i.type === 'sealed' ? i.counted : null,
      open_ml: i.type === 'open' ? i.counted_ml : null, estimated: i.type === 'open' && i.estimated === true, total_ml: dec(ml), total_mg: mgOf(ctx, i.product, ml),
    }
  })
  const totals = new Map<string, { sealed: number; open: number; ml: Decimal }>()
  for (const i of items) {
    const t = totals.get(i.product) ?? { sealed: 0, open: 0, ml: new Decimal(0) }
    totals.set(i.product, { sealed: t.sealed + (i.sealed ?? 0), open: t.open + (i.type === 'open' ? 1 : 0), ml: t.ml.plus(i.total_ml) })
  }
  return {
    seq: e.seq, hash: entryHash(e), type: d.type, at: d.at, taken_at: d.taken_at, registrant: d.registrant, based_on_seq: d.based_on_seq, zero: d.zero,
    taken_by: person(ctx, e.actor), witness: e.witness ? person(ctx, e.witness) : null, items,
    totals: [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([product, t]) => {
      const p = ctx.index.products.get(product)
      return { product, substance: p?.substance ?? '', schedule: p?.schedule ?? 'III', sealed: t.sealed, open_containers: t.open, total_ml: dec(t.ml), total_mg: mgOf(ctx, product, t.ml) }
    }),
    discrepancies: d.discrepancies.map((x) => x.id),
  }
}

function itemKey(i: CountItem): string {
  return i.type === 'sealed' ? `s|${i.location}|${i.product}|${i.lot}` : `o|${i.container}`
}
