/**
 * An independent computation of the accountability audit from the raw exported entries (the
 * JSONL export, parsed as plain JSON): no projections, none of the report's code, and different
 * arithmetic (integers of micro-millilitres, not decimal.js). It replays the stock effects in the
 * order things happened and sums the movements by category.
 */

export interface RawEntry {
  readonly seq: number
  readonly kind: string
  readonly occurred_at: string
  readonly recorded_at: string
  readonly actor: string
  readonly data: Record<string, any>
}

/** Quantities in micro-millilitres (exact: stored volumes have at most 6 decimals). */
export type Micro = bigint

export interface OracleLines {
  opening: Micro; receipts: Micro; administered: Micro; wasted: Micro; awaiting: Micro; disposed: Micro; lost: Micro
  transfers: Micro; adjustments: Micro; counted: Micro | null
  /** What the replayed book moved by inside the window. */
  book_change: Micro
}

/** Parses `{"entry":…,"hash":…}` lines. */
export function parseExport(lines: readonly string[]): RawEntry[] {
  return lines.filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { entry: RawEntry }).entry)
}

/** A decimal string as micro-units (6 decimals). */
export function micro(value: string): Micro {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(value)
  if (!m) throw new Error(`not a decimal with at most 6 places: ${value}`)
  const v = BigInt(m[2]!) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'))
  return m[1] ? -v : v
}

/** A decimal string (up to 10 places) as units of 1e-10, for mg = mL x concentration. */
export function nano10(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,10}))?$/.exec(value)
  if (!m) throw new Error(`not a decimal with at most 10 places: ${value}`)
  const v = BigInt(m[2]!) * 10_000_000_000n + BigInt((m[3] ?? '').padEnd(10, '0'))
  return m[1] ? -v : v
}

/** mg of `ml` micro-mL at `concentration` mg/mL, in units of 1e-10 mg. */
export function mgOf(ml: Micro, concentration: string): bigint {
  return ml * nano10(concentration) / 1_000_000n
}

type Key = { at: string; seq: number }
type Effect = { key: Key; product: string; location: string; ml: Micro; cat: string; extra: Micro }
const le = (a: Key, b: Key) => a.at < b.at || (a.at === b.at && a.seq <= b.seq)

function replay(entries: readonly RawEntry[]) {
  const volume = new Map<string, Micro>()
  const locations: string[] = []
  const finalData = new Map<number, Record<string, any> | null>()
  const countPoint = new Map<string, Key>()
  for (const e of entries) {
    if (e.kind === 'product') volume.set(e.data.code, micro(e.data.volume_ml))
    if (e.kind === 'location') locations.push(e.data.code)
    if (e.kind === 'correction') finalData.set(e.data.corrects, e.data.action === 'void' ? null : e.data.amended)
    if (e.kind === 'count' || e.kind === 'inventory') for (const d of e.data.discrepancies) countPoint.set(d.id, { at: e.occurred_at, seq: e.seq })
  }
  const effects: Effect[] = []
  const push = (key: Key, product: string, location: string, ml: Micro, cat: string, extra: Micro = 0n) => effects.push({ key, product, location, ml, cat, extra })
  for (const e of entries) {
    const key = { at: e.occurred_at, seq: e.seq }
    const d = finalData.has(e.seq) ? finalData.get(e.seq) : e.data
    if (!d) continue
    switch (e.kind) {
      case 'receipt': push(key, d.product, d.location, volume.get(d.product)! * BigInt(d.containers), 'receipts'); break
      case 'administration': push(key, d.product, d.location, -micro(d.drawn_ml), 'administered', micro(d.given_ml)); break
      case 'waste':
        if (d.administration === undefined) push(key, d.product, d.location, -micro(d.amount_ml), 'container-waste', micro(d.amount_ml))
        else push(key, d.product, d.location, 0n, 'dose-waste', micro(d.amount_ml))
        break
      case 'transfer':
        push(key, d.product, d.from, -volume.get(d.product)! * BigInt(d.containers), 'transfers')
        push(key, d.product, d.to, volume.get(d.product)! * BigInt(d.containers), 'transfers')
        break
      case 'disposal': for (const i of d.items) push(key, i.product, i.location, -micro(i.amount_ml), 'disposed'); break
      case 'loss': if (d.adjusts_stock) for (const i of d.items) push(key, i.product, i.location, -micro(i.amount_ml), 'lost'); break
      case 'reconciliation': {
        const a = d.adjustment
        if (!a) break
        const ml = a.type === 'sealed' ? volume.get(a.product)! * BigInt(a.delta) : micro(a.delta_ml)
        // An adjustment brings the book to what the count found: it belongs to the count.
        push(countPoint.get(d.discrepancy)!, a.product, a.location, ml, d.loss ? 'lost' : 'adjustments')
        break
      }
      default: break
    }
  }
  return { volume, locations, effects }
}

/**
 * Per `product|location`, the lines of the audit for the period [start, end): a location's window
 * runs from its last count or inventory at or before `start` to its last one before `end`.
 */
export function oracle(entries: readonly RawEntry[], start: string, end: string): Map<string, OracleLines> {
  const { volume, locations, effects } = replay(entries)
  const points = new Map<string, Array<{ key: Key; items: any[] }>>()
  for (const e of entries) {
    const p = { key: { at: e.occurred_at, seq: e.seq }, items: e.data.items as any[] }
    if (e.kind === 'count') points.set(e.data.location, [...(points.get(e.data.location) ?? []), p])
    if (e.kind === 'inventory') for (const l of locations) points.set(l, [...(points.get(l) ?? []), p])
  }
  const physical = (items: any[], product: string, loc: string): Micro => items.filter((i) => i.location === loc && i.product === product)
    .reduce((s: Micro, i: any) => s + (i.type === 'sealed' ? volume.get(product)! * BigInt(i.counted) : micro(i.counted_ml)), 0n)
  const out = new Map<string, OracleLines>()
  for (const product of volume.keys()) {
    for (const loc of locations) {
      const ps = points.get(loc) ?? []
      const open = ps.filter((p) => p.key.at <= start).at(-1) ?? null
      const close = ps.filter((p) => p.key.at > start && p.key.at < end).at(-1) ?? null
      const inWindow = (k: Key) => (!open || !le(k, open.key)) && (close ? le(k, close.key) : k.at < end)
      const l: OracleLines = {
        opening: open ? physical(open.items, product, loc) : 0n, receipts: 0n, administered: 0n, wasted: 0n, awaiting: 0n, disposed: 0n, lost: 0n,
        transfers: 0n, adjustments: 0n, counted: close ? physical(close.items, product, loc) : null, book_change: 0n,
      }
      for (const f of effects) {
        if (f.product !== product || f.location !== loc || !inWindow(f.key)) continue
        l.book_change += f.ml
        switch (f.cat) {
          case 'receipts': l.receipts += f.ml; break
          case 'administered': l.administered += f.extra; l.awaiting += -f.ml - f.extra; break
          case 'dose-waste': l.wasted += f.extra; l.awaiting -= f.extra; break
          case 'container-waste': l.wasted += f.extra; break
          case 'transfers': l.transfers += f.ml; break
          case 'disposed': l.disposed -= f.ml; break
          case 'lost': l.lost -= f.ml; break
          case 'adjustments': l.adjustments += f.ml; break
        }
      }
      out.set(`${product}|${loc}`, l)
    }
  }
  return out
}

/** The book at the end of the ledger per product, in micro-mL: every stock effect ever. */
export function finalBook(entries: readonly RawEntry[]): Map<string, Micro> {
  const out = new Map<string, Micro>()
  for (const f of replay(entries).effects) out.set(f.product, (out.get(f.product) ?? 0n) + f.ml)
  return out
}
