import type { LocationData, ProductData, Role } from '../model/entry.ts'
import type { Schedule } from '../model/drug.ts'

/**
 * Projections: the current state derived from the entries by `evolve`. Stores keep them in the
 * same transaction as the append, and `verify` rebuilds them from the entries alone to compare.
 * Values are plain JSON (decimal strings), so they store and compare byte-for-byte.
 */
export interface RegistrantState {
  readonly ledger_id: string
  readonly name: string
  readonly address: string
  readonly dea_number: string
  readonly schedules: readonly Schedule[]
  readonly timezone: string
}
export interface UserState {
  readonly username: string
  readonly name: string
  readonly role: Role
  readonly active: boolean
  readonly since_seq: number
  /** The user's current signing public key (`ed25519:<base64>`), when they have one. */
  readonly public_key?: string
}
/** A location and a product are stored as their entries recorded them. */
export type LocationState = LocationData
export type ProductState = ProductData
export interface LotState { readonly product: string; readonly lot: string; readonly expires: string; readonly received: number }
/** Sealed containers of one product lot at one location. */
export interface StockState { readonly location: string; readonly product: string; readonly lot: string; readonly sealed: number }
export interface ContainerState {
  readonly container: string
  readonly product: string
  readonly lot: string
  readonly location: string
  readonly remaining_ml: string
  readonly opened_at: string
  readonly opened_seq: number
  readonly beyond_use: string | null
  readonly status: 'open' | 'empty' | 'voided' | 'disposed'
}
/** A dose drawn from a container: drawn = given + wasted once its remainder is wasted. */
export interface DoseState {
  readonly seq: number
  readonly container: string
  readonly drawn_ml: string
  readonly given_ml: string
  readonly wasted_ml: string
  readonly voided: boolean
}
export interface WasteState {
  readonly seq: number
  readonly actor: string
  readonly witness: string
  readonly occurred_at: string
  readonly cosigned_by: string | null
  readonly cosign_seq: number | null
  readonly voided: boolean
}
/** Corrections applied to an entry, newest last. */
export interface CorrectionState { readonly seq: number; readonly corrected_by: readonly number[]; readonly voided: boolean; readonly current: Readonly<Record<string, unknown>> }
export interface CounterState { readonly value: number }
export interface SettingState { readonly name: string; readonly value: string; readonly seq: number }
/** A count or inventory difference and what became of it. */
export interface DiscrepancyState {
  readonly id: string
  readonly count_seq: number
  readonly location: string
  readonly item: import('../model/entry.ts').CountItem
  readonly difference: string
  readonly unit: 'container' | 'mL'
  readonly opened_at: string
  /** Resolve by this time (opened_at + the discrepancy deadline setting). */
  readonly due: string
  readonly status: 'open' | 'resolved'
  readonly resolution: { readonly seq: number; readonly reason: string; readonly by: string; readonly at: string; readonly loss?: string } | null
}
/** A theft or loss and its two regulatory clocks. */
export interface LossState {
  readonly id: string
  readonly seq: number
  readonly type: string
  readonly discovered_at: string
  readonly notice_due: string
  readonly form106_due: string
  readonly notice: { readonly seq: number; readonly at: string; readonly method: string; readonly to: string } | null
  readonly filing: { readonly seq: number; readonly at: string; readonly confirmation: string } | null
  readonly products: readonly string[]
}
/** The last count of a location. */
export interface LastCountState { readonly location: string; readonly seq: number; readonly at: string; readonly discrepancies: number }
/** The last formal inventory (drives the biennial due date). */
export interface InventoryState { readonly type: 'initial' | 'biennial'; readonly seq: number; readonly taken_at: string; readonly local_date: string }

export interface Projections {
  registrant: RegistrantState
  user: UserState
  location: LocationState
  product: ProductState
  lot: LotState
  stock: StockState
  container: ContainerState
  dose: DoseState
  waste: WasteState
  correction: CorrectionState
  counter: CounterState
  setting: SettingState
  discrepancy: DiscrepancyState
  loss: LossState
  last_count: LastCountState
  inventory: InventoryState
}
export type ProjectionKind = keyof Projections
export const PROJECTION_KINDS: readonly ProjectionKind[] = [
  'registrant', 'user', 'location', 'product', 'lot', 'stock', 'container', 'dose', 'waste', 'correction', 'counter',
  'setting', 'discrepancy', 'loss', 'last_count', 'inventory',
]

/** One write to a projection: the full new value of one key. */
export interface ProjectionChange<K extends ProjectionKind = ProjectionKind> {
  readonly kind: K
  readonly key: string
  readonly value: Projections[K]
}

/** Read access to projections as of the current tip (inside a store transaction, or in memory). */
export interface ProjectionView {
  get<K extends ProjectionKind>(kind: K, key: string): Promise<Projections[K] | undefined>
  list<K extends ProjectionKind>(kind: K): Promise<ReadonlyArray<Projections[K]>>
  /**
   * Optional: the containers whose status is open, in key order, without reading the emptied ones
   * (a store with an index of them implements it). {@link openContainersOf} falls back to `list`.
   */
  openContainers?(): Promise<ReadonlyArray<ContainerState>>
}

/** The open containers of a view: its index if it has one, else every container filtered. */
export async function openContainersOf(view: ProjectionView): Promise<ReadonlyArray<ContainerState>> {
  return view.openContainers ? view.openContainers() : (await view.list('container')).filter((c) => c.status === 'open')
}

export const REGISTRANT_KEY = '-'
export function lotKey(product: string, lot: string): string { return `${product}|${lot}` }
export function stockKey(location: string, product: string, lot: string): string { return `${location}|${product}|${lot}` }

/** The key a projection value is stored under (the same rule evolve follows when it writes). */
export function projectionKey(kind: ProjectionKind, value: unknown): string {
  const o = value as Record<string, unknown>
  switch (kind) {
    case 'registrant': case 'counter': case 'inventory': return kind === 'registrant' ? REGISTRANT_KEY : String(o.key ?? '-')
    case 'stock': return stockKey(String(o.location), String(o.product), String(o.lot))
    case 'lot': return lotKey(String(o.product), String(o.lot))
    case 'container': return String(o.container)
    case 'user': return String(o.username)
    case 'dose': case 'waste': case 'correction': return String(o.seq)
    case 'setting': return String(o.name)
    case 'discrepancy': case 'loss': return String(o.id)
    case 'last_count': return String(o.location)
    default: return String(o.code)
  }
}
