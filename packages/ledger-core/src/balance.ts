import { Decimal } from 'decimal.js'
import { dec } from './model/quantity.ts'
import type { ContainerState, ProductState, StockState } from './state/projections.ts'

/** On-hand stock of one product lot at one location: sealed containers and open ones. */
export interface BalanceRow {
  readonly location: string
  readonly product: string
  readonly lot: string
  /** Sealed (unopened) containers. */
  readonly sealed: number
  readonly open: ReadonlyArray<{ readonly container: string; readonly remaining_mL: string; readonly remaining_mg: string }>
  /** Everything on hand in mg: sealed × volume × concentration + open remainders × concentration. */
  readonly total_mg: string
  readonly total_mL: string
}

export interface BalanceFilter { readonly location?: string; readonly product?: string }

/**
 * Builds balance rows from stock and open-container projections. Rows with nothing on hand are
 * left out. Sorted by location, product, lot.
 */
export function buildBalance(stock: readonly StockState[], containers: readonly ContainerState[], products: readonly ProductState[], filter: BalanceFilter = {}): BalanceRow[] {
  const byProduct = new Map(products.map((p) => [p.code, p]))
  const rows = new Map<string, { location: string; product: string; lot: string; sealed: number; open: ContainerState[] }>()
  const keep = (location: string, product: string) => (!filter.location || filter.location === location) && (!filter.product || filter.product === product)
  const row = (location: string, product: string, lot: string) => {
    const k = `${location}|${product}|${lot}`
    let r = rows.get(k)
    if (!r) rows.set(k, (r = { location, product, lot, sealed: 0, open: [] }))
    return r
  }
  for (const s of stock) if (s.sealed > 0 && keep(s.location, s.product)) row(s.location, s.product, s.lot).sealed += s.sealed
  for (const c of containers) if (c.status === 'open' && keep(c.location, c.product)) row(c.location, c.product, c.lot).open.push(c)
  return [...rows.values()]
    .sort((a, b) => cmp(a.location, b.location) || cmp(a.product, b.product) || cmp(a.lot, b.lot))
    .map((r) => {
      const p = byProduct.get(r.product)
      const conc = new Decimal(p?.concentration_mg_per_ml ?? 0)
      const sealedMl = new Decimal(p?.volume_ml ?? 0).times(r.sealed)
      const openMl = r.open.reduce((acc, c) => acc.plus(c.remaining_ml), new Decimal(0))
      return {
        location: r.location, product: r.product, lot: r.lot, sealed: r.sealed,
        open: r.open.sort((a, b) => cmp(a.container, b.container)).map((c) => ({ container: c.container, remaining_mL: c.remaining_ml, remaining_mg: dec(new Decimal(c.remaining_ml).times(conc)) })),
        total_mg: dec(sealedMl.plus(openMl).times(conc)),
        total_mL: dec(sealedMl.plus(openMl)),
      }
    })
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }
