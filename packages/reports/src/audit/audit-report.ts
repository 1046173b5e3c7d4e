import type { Schedule } from '@csledger/ledger-core'
import type { CheckpointStamp } from '../checkpoint/checkpoint-stamp.ts'

/**
 * The audit packet as data: built once from the ledger by `buildAuditReport`, rendered as PDF,
 * CSV and JSON by the renderers, so the three can never disagree. Quantities are decimal strings
 * (exact, no exponent), times are ISO-8601 UTC as stored, counts of containers are integers.
 * There are no prices or financial data (21 CFR 1316.04).
 *
 * The logs are `RowSection`s: their rows are produced on demand, by reading the ledger again,
 * so a report over a large ledger never holds every row in memory. Each `rows()` call is a new
 * pass in seq order.
 */
export interface AuditReport {
  readonly cover: AuditCover
  readonly accountability: AccountabilitySection
  readonly receipts: RowSection<ReceiptRow>
  readonly administrations: RowSection<AdministrationRow>
  readonly waste: RowSection<WasteRow>
  readonly transfers: RowSection<TransferRow>
  readonly disposals: RowSection<DisposalRow>
  readonly losses: RowSection<LossRow>
  readonly counts: RowSection<CountRow>
  readonly count_items: RowSection<CountItemRow>
  readonly discrepancies: RowSection<DiscrepancyRow>
  readonly corrections: RowSection<CorrectionRow>
  readonly inventories: RowSection<InventoryRecord>
}

/** The rows of one section: how many there are, and a fresh pass over them. */
export interface RowSection<T> {
  readonly count: number
  rows(): AsyncIterable<T>
}

/** The names of the row sections, in packet order. */
export const AUDIT_SECTIONS = [
  'receipts', 'administrations', 'waste', 'transfers', 'disposals', 'losses', 'counts', 'count_items', 'discrepancies', 'corrections', 'inventories',
] as const
export type AuditSectionName = (typeof AUDIT_SECTIONS)[number]

export interface Person { readonly username: string; readonly name: string }

/** Filters of the packet: schedule III or IV (absent: all), one product, one location. */
export interface AuditFilters {
  readonly schedule: Schedule | null
  readonly product: string | null
  readonly location: string | null
}

export interface AuditCover {
  readonly title: string
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string; readonly timezone: string }
  /** Local dates (inclusive) and the UTC instants they span [start, end). */
  readonly period: { readonly from: string; readonly to: string; readonly start: string; readonly end: string; readonly timezone: string }
  readonly filters: AuditFilters
  readonly generated_at: string
  /** Who generated it: the username, with the name and role when the ledger knows the user. */
  readonly generated_by: string
  readonly ledger: { readonly id: string; readonly entries: number; readonly head: { readonly seq: number; readonly hash: string } | null }
  readonly verification: {
    readonly ok: boolean
    readonly entries: number
    readonly head: { readonly seq: number; readonly hash: string } | null
    /** True when the verified head is the head this report read: nothing was appended in between. */
    readonly matches_report: boolean
    readonly findings: ReadonlyArray<{ readonly code: string; readonly seq: number | null; readonly message: string }>
  }
  /**
   * The signed checkpoint this packet is consistent with: `consistent` is true when the Merkle root
   * of the packet's own entries 1..size equals the signed root (the packet was built from a ledger
   * that extends the checkpoint). Null when the ledger has no checkpoint to offer.
   */
  readonly checkpoint: (CheckpointStamp & { readonly consistent: boolean }) | null
  /** Everyone who has an account on the ledger (the user roster), with their role. */
  readonly people: ReadonlyArray<{ readonly username: string; readonly name: string; readonly role: string }>
  /** Row counts per section (the table of contents). */
  readonly sections: ReadonlyArray<{ readonly name: AuditSectionName; readonly rows: number }>
  readonly notes: readonly string[]
}

/** A quantity in the three units the accountability audit uses. `sealed` is null where it does not apply. */
export interface Amount {
  readonly mg: string
  readonly ml: string
  readonly sealed: number | null
}

/** Where a location's audit window starts or ends: a physical count or a formal inventory. */
export interface CountPoint {
  readonly seq: number
  /** The count's or inventory's entry hash (hex). */
  readonly hash: string
  readonly kind: 'count' | 'inventory'
  readonly at: string
}

/**
 * The accountability lines of one product (at one location, or all locations). Outflows are
 * magnitudes; transfers, adjustments and awaiting_waste are signed. The identity is
 *
 *   expected = opening + receipts - administered - wasted - awaiting_waste - disposed - lost + transfers + adjustments
 *
 * in mg and mL; for sealed containers, `opened` replaces the dose lines:
 *
 *   expected.sealed = opening + receipts - opened - disposed - lost + transfers + adjustments
 */
export interface AccountabilityLines {
  readonly opening: Amount
  readonly receipts: Amount
  readonly administered: Amount
  readonly wasted: Amount
  /** Drawn for a dose but neither given nor wasted (yet): a syringe not accounted for. */
  readonly awaiting_waste: Amount
  readonly disposed: Amount
  readonly lost: Amount
  readonly transfers: Amount
  readonly adjustments: Amount
  /** Sealed containers punctured (opened); moves stock from sealed to open, not out. */
  readonly opened: Amount
  readonly expected: Amount
  /** The physical count at the end of the window; null if not every location was counted in the period. */
  readonly counted: Amount | null
  /** counted - expected (negative: shortage); null without a count. */
  readonly difference: Amount | null
  /** difference in mg as a percentage of opening + receipts (two decimals); null without a count or activity. */
  readonly difference_percent: string | null
}

export interface LocationAccountability extends AccountabilityLines {
  readonly location: string
  /** The window start: the last count or inventory at or before the period start (null: the ledger's beginning, zero stock). */
  readonly opening_point: CountPoint | null
  /** The window end: the last count or inventory in the period (null: the period end, no count). */
  readonly closing_point: CountPoint | null
}

export interface ProductAccountability extends AccountabilityLines {
  readonly product: string
  readonly substance: string
  readonly schedule: Schedule
  readonly dea_code: string
  readonly ndc: string
  readonly concentration_mg_per_ml: string
  readonly container_ml: string
  readonly dose_form: string
  readonly locations: readonly LocationAccountability[]
}

/** Per schedule and substance, in mg only (mL of different concentrations do not add up). */
export interface ScheduleAccountability {
  readonly schedule: Schedule
  readonly substance: string
  readonly products: readonly string[]
  readonly mg: {
    readonly opening: string; readonly receipts: string; readonly administered: string; readonly wasted: string; readonly awaiting_waste: string
    readonly disposed: string; readonly lost: string; readonly transfers: string; readonly adjustments: string; readonly expected: string
    readonly counted: string | null; readonly difference: string | null
  }
  readonly difference_percent: string | null
}

export interface AccountabilitySection {
  readonly products: readonly ProductAccountability[]
  readonly schedules: readonly ScheduleAccountability[]
  /** How the windows were chosen, in words (printed under the tables). */
  readonly method: readonly string[]
}

/** How a later correction changed an entry of a log: the log shows the corrected values. */
export interface CorrectionMark {
  readonly status: 'voided' | 'amended'
  readonly by: readonly number[]
}

export interface ReceiptRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly recorded_at: string
  readonly product: string
  readonly substance: string
  readonly ndc: string
  readonly strength: string
  readonly lot: string
  readonly expires: string
  readonly containers: number
  readonly volume_ml: string
  readonly mass_mg: string
  readonly location: string
  readonly supplier: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly invoice: string
  readonly received_by: Person
  readonly recorded_late: boolean
  readonly correction: CorrectionMark | null
}

export interface AdministrationRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly recorded_at: string
  readonly patient: string
  readonly product: string
  readonly lot: string
  readonly container: string
  readonly location: string
  readonly given_mg: string
  readonly given_ml: string
  readonly drawn_mg: string
  readonly drawn_ml: string
  /** Waste recorded against this dose (drawn - given - wasted is still in a syringe). */
  readonly wasted_mg: string
  readonly wasted_ml: string
  readonly administered_by: Person
  readonly prescriber: Person | null
  readonly recorded_late: boolean
  readonly correction: CorrectionMark | null
}

export type CosignStatus = 'on-time' | 'late' | 'missing' | 'awaiting' | 'void'

export interface WasteRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly recorded_at: string
  readonly product: string
  readonly lot: string
  readonly container: string
  readonly location: string
  /** The dose this waste belongs to (null: the remainder of a container). */
  readonly administration: number | null
  readonly amount_mg: string
  readonly amount_ml: string
  readonly reason: string
  readonly wasted_by: Person
  readonly witness: Person | null
  /** Minutes between the waste and the witness's signature (the entry's recording). */
  readonly witness_delay_minutes: number
  /** Witness signature later than the witness window setting. */
  readonly witness_late: boolean
  readonly cosign: { readonly seq: number; readonly by: Person; readonly at: string; readonly hours: number } | null
  /** on-time / late (after the co-sign window) / missing (window passed, none) / awaiting (window still open) / void. */
  readonly cosign_status: CosignStatus
  readonly correction: CorrectionMark | null
}

export interface TransferRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly product: string
  readonly lot: string
  readonly containers: number
  readonly volume_ml: string
  readonly mass_mg: string
  readonly from: string
  readonly to: string
  readonly by: Person
  readonly correction: CorrectionMark | null
}

/** One line of DEA Form 41 section B(1), or of a reverse-distributor transfer. */
export interface DisposalItemRow {
  readonly location: string
  readonly product: string
  readonly ndc: string
  readonly substance: string
  readonly strength: string
  readonly form: string
  readonly lot: string
  /** Units in a full package (mL per container). */
  readonly package_ml: string
  readonly full_packages: number
  readonly container: string | null
  readonly partial_ml: string
  readonly total_ml: string
  readonly total_mg: string
}

export interface DisposalRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly method: 'reverse-distributor' | 'destruction'
  readonly reason: string
  readonly destruction: { readonly method: string; readonly place: string } | null
  readonly reverse_distributor: { readonly name: string; readonly address: string; readonly dea_number: string } | null
  readonly witnesses: readonly Person[]
  readonly items: readonly DisposalItemRow[]
}

export type ClockStatus = 'done' | 'done-late' | 'overdue' | 'due'

export interface LossRow {
  readonly id: string
  /** The entry that opened it: a loss entry, or a reconciliation of a count discrepancy. */
  readonly seq: number
  /** That entry's hash (hex). */
  readonly hash: string
  readonly opened_by: 'loss' | 'reconciliation'
  readonly discrepancy: string | null
  readonly type: string
  readonly discovered_at: string
  readonly items: ReadonlyArray<{ readonly location: string; readonly product: string; readonly ndc: string; readonly lot: string; readonly containers: number; readonly container: string | null; readonly amount_ml: string; readonly amount_mg: string }>
  readonly note: string
  readonly recorded_by: Person
  readonly notice_due: string
  readonly notice: { readonly seq: number; readonly at: string; readonly method: string; readonly to: string } | null
  readonly notice_status: ClockStatus
  readonly form106_due: string
  readonly filings: ReadonlyArray<{ readonly seq: number; readonly at: string; readonly confirmation: string; readonly amended: boolean }>
  readonly form106_status: ClockStatus
}

export interface CountRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly location: string
  readonly counted_by: Person
  readonly witness: Person | null
  readonly based_on_seq: number
  readonly blind: boolean
  readonly tolerance_ml: string
  readonly items: number
  readonly discrepancies: readonly string[]
}

export interface CountItemRow {
  readonly count_seq: number
  /** The count entry's hash (hex). */
  readonly count_hash: string
  readonly occurred_at: string
  readonly location: string
  readonly type: 'sealed' | 'open'
  readonly product: string
  readonly lot: string
  readonly container: string | null
  /** Sealed containers (type sealed) or mL left (type open), as decimal strings. */
  readonly expected: string
  readonly counted: string
  readonly difference: string
  readonly unit: 'container' | 'mL'
  readonly estimated: boolean
  readonly discrepancy: string | null
}

export interface DiscrepancyRow {
  readonly id: string
  readonly found_by: CountPoint
  readonly location: string
  readonly type: 'sealed' | 'open'
  readonly product: string
  readonly lot: string
  readonly container: string | null
  readonly expected: string
  readonly counted: string
  readonly difference: string
  readonly unit: 'container' | 'mL'
  readonly due: string
  readonly resolution: {
    readonly seq: number
    readonly at: string
    readonly by: Person
    readonly reason: string
    readonly note: string
    readonly linked: readonly number[]
    readonly explained: string
    /** The adjustment that brought the book to the count, in words (null: the linked entries explained it all). */
    readonly adjustment: string | null
    readonly loss: string | null
  } | null
  /** open (before its deadline) / overdue (open after it) / resolved / resolved-late. */
  readonly status: 'open' | 'overdue' | 'resolved' | 'resolved-late'
}

export interface CorrectionRow {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly occurred_at: string
  readonly by: Person
  readonly witness: Person | null
  readonly corrects: number
  readonly corrects_kind: string
  readonly action: 'void' | 'amend'
  readonly reason: string
  /** Fields whose value changed, original beside corrected (a void lists the quantities, corrected `VOID`). */
  readonly changes: ReadonlyArray<{ readonly field: string; readonly original: string; readonly corrected: string }>
  /** The corrected entry's data before and after, as canonical JSON. */
  readonly original: string
  readonly corrected: string | null
}

export interface InventoryItemRow {
  readonly location: string
  readonly product: string
  readonly substance: string
  readonly schedule: Schedule
  readonly strength: string
  readonly form: string
  readonly container_ml: string
  readonly ndc: string
  readonly lot: string
  readonly type: 'sealed' | 'open'
  readonly container: string | null
  /** Sealed containers (type sealed). */
  readonly sealed: number | null
  /** mL left in an opened container (type open). */
  readonly open_ml: string | null
  /** An opened container's volume was estimated (allowed for schedules III-V, 1304.11(e)(3)). */
  readonly estimated: boolean
  readonly total_ml: string
  readonly total_mg: string
}

export interface InventoryRecord {
  readonly seq: number
  /** The entry's hash (hex), as the chain stores it. */
  readonly hash: string
  readonly type: 'initial' | 'biennial'
  readonly at: 'opening' | 'close'
  readonly taken_at: string
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly based_on_seq: number
  readonly zero: boolean
  readonly taken_by: Person
  readonly witness: Person | null
  readonly items: readonly InventoryItemRow[]
  readonly totals: ReadonlyArray<{ readonly product: string; readonly substance: string; readonly schedule: Schedule; readonly sealed: number; readonly open_containers: number; readonly total_ml: string; readonly total_mg: string }>
  readonly discrepancies: readonly string[]
}
