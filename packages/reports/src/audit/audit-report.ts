import type { Schedule } from '@csledger/ledger-core'
import type { CheckpointStamp } from '../checkpoint/checkpoint-stamp.ts'
import type { AccountabilitySection } from './accountability-model.ts'
import type {
  AdministrationRow, CorrectionRow, CountItemRow, CountRow, DiscrepancyRow, DisposalRow, InventoryRecord, LossRow, ReceiptRow, TransferRow, WasteRow,
} from './row-model.ts'

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

export type * from './accountability-model.ts'
export type * from './row-model.ts'
