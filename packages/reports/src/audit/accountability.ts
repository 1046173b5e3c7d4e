import { Decimal } from 'decimal.js'
import {
  type AdministrationData, type ContainerOpeningData, type CountItem, type Entry, type ProductData, type ReceiptData, type Schedule,
  type TransferData, type WasteData, dec,
} from '@csledger/ledger-core'
import type {
  AccountabilityLines, AccountabilitySection, Amount, AuditFilters, CountPoint, LocationAccountability, ProductAccountability, ScheduleAccountability,
} from './audit-report.ts'
import { type LedgerIndex, type PeriodBounds, effectiveOf } from './ledger-index.ts'

type MlLine = 'opening' | 'receipts' | 'administered' | 'wasted' | 'awaiting_waste' | 'disposed' | 'lost' | 'transfers' | 'adjustments'
type SealedLine = 'opening' | 'receipts' | 'opened' | 'disposed' | 'lost' | 'transfers' | 'adjustments'
const ML_LINES: readonly MlLine[] = ['opening', 'receipts', 'administered', 'wasted', 'awaiting_waste', 'disposed', 'lost', 'transfers', 'adjustments']
const SEALED_LINES: readonly SealedLine[] = ['opening', 'receipts', 'opened', 'disposed', 'lost', 'transfers', 'adjustments']

/** Running totals of one product at one location, in mL (exact) and sealed containers. */
interface Acc {
  readonly ml: Record<MlLine, Decimal>
  readonly sealed: Record<SealedLine, number>
  counted: { ml: Decimal; sealed: number } | null
}

/** The words printed under the accountability tables: how the numbers were made. */
export const ACCOUNTABILITY_METHOD: readonly string[] = [
  'Each location is audited over its own window: from its last physical count or formal inventory at or before the start of the period (the opening balance is what was counted then; a location never counted before starts at zero at the beginning of the ledger) to its last count or inventory in the period (the closing physical count). Without a count in the period the window ends with the period and there is no physical count to compare.',
  'Entries are placed in a window by when they happened (occurred_at), not when they were recorded: a dose recorded late but given before a count falls on the same side of the count as the drug that left the vial.',
  'A reconciliation brings the book to what a count found, so its adjustment is placed at that count: it belongs to the window the count closes, not to the one it opens. Reconciliations for theft or loss are shown as lost.',
  'Corrections apply to the entries they correct: a voided entry counts for nothing and an amended one counts with its corrected values. Transfers between locations cancel out for a product when both windows include them.',
  'Expected closing = opening + receipts - administered - wasted - awaiting waste - disposed - lost + transfers + adjustments. Awaiting waste is drawn for a dose but neither given nor wasted by the end of the window. Difference = physical count - expected (negative: shortage); percent = difference / (opening + receipts), in mg.',
]

/**
 * The accountability audit: folds every entry of the ledger (second pass, in seq order) into per
 * product and location totals, counting only what happened inside each location's window.
 */
export class AccountabilityFold {
  readonly #index: LedgerIndex
  readonly #bounds: PeriodBounds
  readonly #filters: AuditFilters
  readonly #acc = new Map<string, Acc>()
  readonly #openingSeqs = new Map<number, string[]>()
  readonly #closingSeqs = new Map<number, string[]>()

  constructor(index: LedgerIndex, bounds: PeriodBounds, filters: AuditFilters) {
    this.#index = index
    this.#bounds = bounds
    this.#filters = filters
    for (const [loc, w] of index.windows) {
      if (w.opening) this.#openingSeqs.set(w.opening.seq, [...(this.#openingSeqs.get(w.opening.seq) ?? []), loc])
      if (w.closing) this.#closingSeqs.set(w.closing.seq, [...(this.#closingSeqs.get(w.closing.seq) ?? []), loc])
    }
  }

  /** Folds one entry. */
  apply(e: Entry): void {
    const here = { at: e.occurred_at, seq: e.seq }
    switch (e.kind) {
      case 'receipt': {
        const d = effectiveOf(this.#index, e) as ReceiptData | null
        if (d) this.#add(d.product, d.location, here, { receipts: this.#vol(d.product).times(d.containers) }, { receipts: d.containers })
        break
      }
      case 'container_opening': {
        const d = effectiveOf(this.#index, e) as ContainerOpeningData | null
        if (d) this.#add(d.product, d.location, here, {}, { opened: 1 })
        break
      }
      case 'administration': {
        const d = effectiveOf(this.#index, e) as AdministrationData | null
        if (d) this.#add(d.product, d.location, here, { administered: new Decimal(d.given_ml), awaiting_waste: new Decimal(d.drawn_ml).minus(d.given_ml) }, {})
        break
      }
      case 'waste': {
        const d = effectiveOf(this.#index, e) as WasteData | null
        if (!d) break
        const ml = new Decimal(d.amount_ml)
        this.#add(d.product, d.location, here, d.administration !== undefined ? { wasted: ml, awaiting_waste: ml.negated() } : { wasted: ml }, {})
        break
      }
      case 'transfer': {
        const d = effectiveOf(this.#index, e) as TransferData | null
        if (!d) break
        const ml = this.#vol(d.product).times(d.containers)
        this.#add(d.product, d.from, here, { transfers: ml.negated() }, { transfers: -d.containers })
        this.#add(d.product, d.to, here, { transfers: ml }, { transfers: d.containers })
        break
      }
      case 'disposal':
        for (const i of e.data.items) this.#add(i.product, i.location, here, { disposed: new Decimal(i.amount_ml) }, { disposed: i.containers })
        break
      case 'loss':
        if (e.data.adjusts_stock) for (const i of e.data.items) this.#add(i.product, i.location, here, { lost: new Decimal(i.amount_ml) }, { lost: i.containers })
        break
      case 'reconciliation': {
        const a = e.data.adjustment
        if (!a) break
        const found = this.#index.discrepancies.get(e.data.discrepancy)?.point ?? here
        const at = { at: found.at, seq: found.seq }
        const ml = a.type === 'sealed' ? this.#vol(a.product).times(a.delta) : new Decimal(a.delta_ml)
        const sealed = a.type === 'sealed' ? a.delta : 0
        if (e.data.loss) this.#add(a.product, a.location, at, { lost: ml.negated() }, { lost: -sealed })
        else this.#add(a.product, a.location, at, { adjustments: ml }, { adjustments: sealed })
        break
      }
      case 'count':
      case 'inventory': {
        const opening = this.#openingSeqs.get(e.seq)
        const closing = this.#closingSeqs.get(e.seq)
        if (!opening && !closing) break
        const items: readonly CountItem[] = e.data.items
        for (const loc of opening ?? []) this.#counted(loc, items, 'opening')
        for (const loc of closing ?? []) this.#counted(loc, items, 'closing')
        break
      }
      default:
        break
    }
  }

  /** The accountability section: per product (with its locations) and per schedule and substance. */
  result(): AccountabilitySection {
    const products: ProductAccountability[] = []
    for (const p of [...this.#index.products.values()].sort((a, b) => cmp(a.code, b.code))) {
      if (!this.#wantProduct(p)) continue
      const locations: LocationAccountability[] = []
      for (const [key, acc] of [...this.#acc].sort(([a], [b]) => cmp(a, b))) {
        const [product, location] = key.split('|') as [string, string]
        if (product !== p.code || !isActive(acc)) continue
        const w = this.#index.windows.get(location)
        locations.push({ location, opening_point: w?.opening ?? null, closing_point: w?.closing ?? null, ...lines(p, acc) })
      }
      const total = sumAcc(locations.length > 0 ? [...this.#acc].filter(([k, a]) => k.startsWith(`${p.code}|`) && isActive(a)).map(([, a]) => a) : [])
      products.push({
        product: p.code, substance: p.substance, schedule: p.schedule, dea_code: p.dea_code, ndc: p.ndc, concentration_mg_per_ml: p.concentration_mg_per_ml,
        container_ml: p.volume_ml, dose_form: p.dose_form, locations, ...lines(p, total),
      })
    }
    return { products, schedules: scheduleTotals(products), method: ACCOUNTABILITY_METHOD }
  }

  #wantProduct(p: ProductData): boolean {
    return (this.#filters.schedule === null || p.schedule === this.#filters.schedule) && (this.#filters.product === null || p.code === this.#filters.product)
  }

  #vol(product: string): Decimal {
    return new Decimal(this.#index.products.get(product)?.volume_ml ?? '0')
  }

  #accFor(product: string, location: string): Acc {
    const key = `${product}|${location}`
    let a = this.#acc.get(key)
    if (!a) {
      a = {
        ml: Object.fromEntries(ML_LINES.map((l) => [l, new Decimal(0)])) as Record<MlLine, Decimal>,
        sealed: Object.fromEntries(SEALED_LINES.map((l) => [l, 0])) as Record<SealedLine, number>,
        counted: null,
      }
      this.#acc.set(key, a)
    }
    return a
  }

  #wanted(product: string, location: string): boolean {
    const p = this.#index.products.get(product)
    return p !== undefined && this.#wantProduct(p) && (this.#filters.location === null || location === this.#filters.location)
  }

  #add(product: string, location: string, at: { at: string; seq: number }, ml: Partial<Record<MlLine, Decimal>>, sealed: Partial<Record<SealedLine, number>>): void {
    if (!this.#wanted(product, location) || !this.#inWindow(location, at)) return
    const a = this.#accFor(product, location)
    for (const [k, v] of Object.entries(ml) as Array<[MlLine, Decimal]>) a.ml[k] = a.ml[k].plus(v)
    for (const [k, v] of Object.entries(sealed) as Array<[SealedLine, number]>) a.sealed[k] += v
  }

  /** After the location's opening point and at or before its closing point (or before the period end). */
  #inWindow(location: string, at: { at: string; seq: number }): boolean {
    const w = this.#index.windows.get(location)
    const open = w?.opening
    if (open && !(at.at > open.at || (at.at === open.at && at.seq > open.seq))) return false
    const close = w?.closing
    if (close) return at.at < close.at || (at.at === close.at && at.seq <= close.seq)
    return at.at < this.#bounds.end
  }

  /** Records what a count or inventory found at `location` as the opening balance or the closing count. */
  #counted(location: string, items: readonly CountItem[], which: 'opening' | 'closing'): void {
    const byProduct = new Map<string, { ml: Decimal; sealed: number }>()
    for (const i of items) {
      if (i.location !== location) continue
      const t = byProduct.get(i.product) ?? { ml: new Decimal(0), sealed: 0 }
      if (i.type === 'sealed') byProduct.set(i.product, { ml: t.ml.plus(this.#vol(i.product).times(i.counted)), sealed: t.sealed + i.counted })
      else byProduct.set(i.product, { ml: t.ml.plus(i.counted_ml), sealed: t.sealed })
    }
    for (const p of this.#index.products.keys()) {
      if (!this.#wanted(p, location)) continue
      const v = byProduct.get(p) ?? { ml: new Decimal(0), sealed: 0 }
      const a = this.#accFor(p, location)
      if (which === 'opening') {
        a.ml.opening = v.ml
        a.sealed.opening = v.sealed
      } else {
        a.counted = v
      }
    }
  }
}

function isActive(a: Acc): boolean {
  return ML_LINES.some((l) => !a.ml[l].isZero()) || SEALED_LINES.some((l) => a.sealed[l] !== 0) || (a.counted !== null && (!a.counted.ml.isZero() || a.counted.sealed !== 0))
}

/** Sums accumulators; the count is known only when every one of them was counted. */
function sumAcc(list: readonly Acc[]): Acc {
  const out: Acc = {
    ml: Object.fromEntries(ML_LINES.map((l) => [l, list.reduce((s, a) => s.plus(a.ml[l]), new Decimal(0))])) as Record<MlLine, Decimal>,
    sealed: Object.fromEntries(SEALED_LINES.map((l) => [l, list.reduce((s, a) => s + a.sealed[l], 0)])) as Record<SealedLine, number>,
    counted: list.length > 0 && list.every((a) => a.counted !== null)
      ? { ml: list.reduce((s, a) => s.plus(a.counted!.ml), new Decimal(0)), sealed: list.reduce((s, a) => s + a.counted!.sealed, 0) }
      : null,
  }
  return out
}

function lines(p: ProductData, a: Acc): AccountabilityLines {
  const conc = new Decimal(p.concentration_mg_per_ml)
  const amount = (ml: Decimal, sealed: number | null): Amount => ({ mg: dec(ml.times(conc)), ml: dec(ml), sealed })
  const m = a.ml
  const s = a.sealed
  const expectedMl = m.opening.plus(m.receipts).minus(m.administered).minus(m.wasted).minus(m.awaiting_waste).minus(m.disposed).minus(m.lost).plus(m.transfers).plus(m.adjustments)
  const expectedSealed = s.opening + s.receipts - s.opened - s.disposed - s.lost + s.transfers + s.adjustments
  const counted = a.counted ? amount(a.counted.ml, a.counted.sealed) : null
  const diffMl = a.counted ? a.counted.ml.minus(expectedMl) : null
  const base = m.opening.plus(m.receipts).times(conc)
  return {
    opening: amount(m.opening, s.opening),
    receipts: amount(m.receipts, s.receipts),
    administered: amount(m.administered, null),
    wasted: amount(m.wasted, null),
    awaiting_waste: amount(m.awaiting_waste, null),
    disposed: amount(m.disposed, s.disposed),
    lost: amount(m.lost, s.lost),
    transfers: amount(m.transfers, s.transfers),
    adjustments: amount(m.adjustments, s.adjustments),
    opened: { mg: '0', ml: '0', sealed: s.opened },
    expected: amount(expectedMl, expectedSealed),
    counted,
    difference: diffMl && a.counted ? amount(diffMl, a.counted.sealed - expectedSealed) : null,
    difference_percent: diffMl && !base.isZero() ? percent(diffMl.times(conc), base) : null,
  }
}

function percent(part: Decimal, whole: Decimal): string {
  return part.dividedBy(whole).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2)
}

function scheduleTotals(products: readonly ProductAccountability[]): ScheduleAccountability[] {
  const groups = new Map<string, ProductAccountability[]>()
  for (const p of products) {
    const k = `${p.schedule}|${p.substance}`
    groups.set(k, [...(groups.get(k) ?? []), p])
  }
  return [...groups].sort(([a], [b]) => cmp(a, b)).map(([k, list]) => {
    const [schedule, substance] = k.split('|') as [Schedule, string]
    const sum = (f: (p: ProductAccountability) => string) => dec(list.reduce((s, p) => s.plus(f(p)), new Decimal(0)))
    const counted = list.every((p) => p.counted !== null) ? sum((p) => p.counted!.mg) : null
    const expected = sum((p) => p.expected.mg)
    const base = new Decimal(sum((p) => p.opening.mg)).plus(sum((p) => p.receipts.mg))
    const difference = counted !== null ? dec(new Decimal(counted).minus(expected)) : null
    return {
      schedule, substance, products: list.map((p) => p.product),
      mg: {
        opening: sum((p) => p.opening.mg), receipts: sum((p) => p.receipts.mg), administered: sum((p) => p.administered.mg), wasted: sum((p) => p.wasted.mg),
        awaiting_waste: sum((p) => p.awaiting_waste.mg), disposed: sum((p) => p.disposed.mg), lost: sum((p) => p.lost.mg), transfers: sum((p) => p.transfers.mg),
        adjustments: sum((p) => p.adjustments.mg), expected, counted, difference,
      },
      difference_percent: difference !== null && !base.isZero() ? percent(new Decimal(difference), base) : null,
    }
  })
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }

export type { CountPoint }
