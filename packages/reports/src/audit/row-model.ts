import type { Schedule } from '@csledger/ledger-core'
import type { CountPoint } from './accountability-model.ts'

/*
 * The rows of the audit packet's logs, as data (part of the report model of audit-report.ts,
 * which re-exports them). Each names its ledger entry by seq and hash.
 */

export interface Person { readonly username: string; readonly name: string }

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
