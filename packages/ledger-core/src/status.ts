import { Decimal } from 'decimal.js'
import { addDaysToDate, hoursBetween, localDate } from './clocks.ts'
import { settingNumber } from './settings.ts'
import type { ProjectionView } from './state/projections.ts'
import { REGISTRANT_KEY, openContainersOf } from './state/projections.ts'

/** The PIC's start-of-day screen, as data. Every list is sorted most urgent first. */
export interface StatusReport {
  readonly generated_at: string
  readonly today: string
  readonly discrepancies: ReadonlyArray<{ id: string; location: string; item: string; difference: string; unit: string; opened_at: string; age_hours: number; due: string; overdue: boolean }>
  readonly cosign_pending: ReadonlyArray<{ seq: number; actor: string; witness: string; occurred_at: string; age_hours: number; late: boolean }>
  readonly losses: ReadonlyArray<{ id: string; type: string; discovered_at: string; notice_due: string; notice: string | null; notice_overdue: boolean; form106_due: string; filing: string | null; form106_overdue: boolean }>
  readonly beyond_use: ReadonlyArray<{ container: string; product: string; lot: string; location: string; beyond_use: string; remaining_ml: string }>
  /** Lots with stock on hand (sealed or in open containers) that expire within the warning window, or have expired. */
  readonly expiring_lots: ReadonlyArray<{ product: string; lot: string; expires: string; days_left: number; expired: boolean; sealed_on_hand: number; open_on_hand: number }>
  readonly inventory: { readonly last: { type: string; seq: number; date: string } | null; readonly biennial_due: string | null; readonly overdue: boolean }
  readonly last_counts: ReadonlyArray<{ location: string; seq: number | null; at: string | null; age_hours: number | null; discrepancies: number | null }>
  readonly significance_review: ReadonlyArray<{ product: string; events: number; window_days: number }>
  /** Number of items that need attention now (overdue clocks, late co-signs, containers past use, expired lots). */
  readonly attention: number
}

/**
 * Builds the status report from the projections at `now`.
 *
 * @example
 * const s = await buildStatus(ledger.store.read(), clock.now())
 */
export async function buildStatus(view: ProjectionView, now: Date): Promise<StatusReport> {
  const tz = (await view.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
  const today = localDate(now, tz)
  const iso = now.toISOString()
  const cosignWindow = await settingNumber(view, 'cosign_window_hours')
  const expiryDays = await settingNumber(view, 'expiry_warning_days')
  const patternCount = await settingNumber(view, 'loss_pattern_count')
  const patternDays = await settingNumber(view, 'loss_pattern_days')

  const discrepancies = (await view.list('discrepancy')).filter((d) => d.status === 'open').map((d) => ({
    id: d.id, location: d.location,
    item: d.item.type === 'sealed' ? `${d.item.product} lot ${d.item.lot} sealed` : `${d.item.container} (${d.item.product} lot ${d.item.lot})`,
    difference: d.difference, unit: d.unit, opened_at: d.opened_at, age_hours: hoursBetween(d.opened_at, now), due: d.due, overdue: d.due < iso,
  })).sort((a, b) => cmp(a.due, b.due) || cmp(a.id, b.id))
  const cosign_pending = (await view.list('waste')).filter((w) => !w.cosigned_by && !w.voided).map((w) => {
    const age = hoursBetween(w.occurred_at, now)
    return { seq: w.seq, actor: w.actor, witness: w.witness, occurred_at: w.occurred_at, age_hours: age, late: age >= cosignWindow }
  }).sort((a, b) => a.seq - b.seq)
  const losses = (await view.list('loss')).filter((l) => !l.notice || !l.filing).map((l) => ({
    id: l.id, type: l.type, discovered_at: l.discovered_at, notice_due: l.notice_due, notice: l.notice?.at ?? null, notice_overdue: !l.notice && l.notice_due < iso,
    form106_due: l.form106_due, filing: l.filing?.confirmation ?? null, form106_overdue: !l.filing && l.form106_due < iso,
  })).sort((a, b) => cmp(nextDue(a), nextDue(b)) || cmp(a.id, b.id))
  const openContainers = await openContainersOf(view)
  const beyond_use = openContainers.filter((c) => c.beyond_use !== null && c.beyond_use < today)
    .map((c) => ({ container: c.container, product: c.product, lot: c.lot, location: c.location, beyond_use: c.beyond_use!, remaining_ml: c.remaining_ml }))
  const stock = await view.list('stock')
  const horizon = addDaysToDate(today, expiryDays)
  const expiring_lots = (await view.list('lot')).map((l) => ({
    product: l.product, lot: l.lot, expires: l.expires, days_left: Math.round((Date.parse(l.expires) - Date.parse(today)) / 86_400_000), expired: l.expires < today,
    sealed_on_hand: stock.filter((s) => s.product === l.product && s.lot === l.lot).reduce((n, s) => n + s.sealed, 0),
    // an open container of an expired lot is as unusable as a sealed one, and must be disposed of too
    open_on_hand: openContainers.filter((c) => c.product === l.product && c.lot === l.lot).length,
  })).filter((l) => l.expires <= horizon && (l.sealed_on_hand > 0 || l.open_on_hand > 0)).sort((a, b) => cmp(a.expires, b.expires) || cmp(a.product, b.product) || cmp(a.lot, b.lot))
  const inv = await view.get('inventory', 'last')
  const biennial_due = inv ? addDaysToDate(inv.local_date, 730) : null
  const locations = await view.list('location')
  const last_counts = await Promise.all(locations.map(async (l) => {
    const c = await view.get('last_count', l.code)
    return { location: l.code, seq: c?.seq ?? null, at: c?.at ?? null, age_hours: c ? hoursBetween(c.at, now) : null, discrepancies: c?.discrepancies ?? null }
  }))
  const since = new Date(now.getTime() - patternDays * 86_400_000).toISOString()
  const events = new Map<string, number>()
  for (const l of await view.list('loss')) if (l.discovered_at >= since) for (const p of l.products) events.set(p, (events.get(p) ?? 0) + 1)
  for (const d of await view.list('discrepancy')) {
    if (d.opened_at >= since && d.resolution?.reason === 'unexplained' && new Decimal(d.difference).isNegative()) events.set(d.item.product, (events.get(d.item.product) ?? 0) + 1)
  }
  const significance_review = [...events].filter(([, n]) => n >= patternCount).map(([product, n]) => ({ product, events: n, window_days: patternDays }))
  const attention = discrepancies.filter((d) => d.overdue).length + cosign_pending.filter((w) => w.late).length + losses.filter((l) => l.notice_overdue || l.form106_overdue).length
    + beyond_use.length + expiring_lots.filter((l) => l.expired).length + (biennial_due !== null && biennial_due < today ? 1 : 0) + significance_review.length
  return {
    generated_at: iso, today, discrepancies, cosign_pending, losses, beyond_use, expiring_lots,
    inventory: { last: inv ? { type: inv.type, seq: inv.seq, date: inv.local_date } : null, biennial_due, overdue: biennial_due !== null && biennial_due < today },
    last_counts, significance_review, attention,
  }
}

/** The loss clock that runs out first: the notice while it is not sent, then Form 106. */
function nextDue(l: { notice: string | null; notice_due: string; form106_due: string }): string {
  return l.notice === null && l.notice_due < l.form106_due ? l.notice_due : l.form106_due
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }
