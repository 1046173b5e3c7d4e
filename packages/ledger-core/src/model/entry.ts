import type { Drug, Schedule } from './drug.ts'

/**
 * Ledger entries. Every entry is an immutable record of one physical or administrative event.
 * Quantities are decimal strings in their one stored spelling (see `dec`), never JS numbers;
 * whole container counts are integers. Field names are snake_case because they are hashed and
 * exported as they are (docs/ledger-format.md).
 */
export type Role = 'pic' | 'physician' | 'nurse' | 'auditor'
export const ROLES: readonly Role[] = ['pic', 'physician', 'nurse', 'auditor']

export type DoseForm = 'multi-dose' | 'single-dose'

export interface RegistrantData {
  readonly name: string
  readonly address: string
  readonly dea_number: string
  readonly schedules: readonly Schedule[]
  /** Why a DEA number that failed its check digit was accepted anyway. */
  readonly dea_override?: string
  /** The first PIC; `public_key` (`ed25519:<base64>`) when the ledger was created with signing (docs/signatures.md). */
  readonly admin: { readonly username: string; readonly name: string; readonly public_key?: string }
  /** IANA time zone of the registered location (business days and local dates are computed in it). */
  readonly timezone?: string
}
export interface UserData {
  readonly username: string
  readonly name: string
  readonly role: Role
  /** The user's Ed25519 public key, `ed25519:<base64>`; absent for users created before signing existed. */
  readonly public_key?: string
}
/** A signing key enrolled by an existing user who had none (a user created before signing existed). */
export interface UserKeyData { readonly username: string; readonly public_key: string }
export interface UserDeactivationData { readonly username: string; readonly reason?: string }
export interface LocationData { readonly code: string; readonly name: string }
export interface ProductData {
  readonly code: string
  readonly drug: Drug
  readonly substance: string
  readonly schedule: Schedule
  readonly dea_code: string
  readonly ndc: string
  readonly ndc11: string
  readonly concentration_mg_per_ml: string
  readonly volume_ml: string
  readonly dose_form: DoseForm
}
export interface Party { readonly name: string; readonly address: string; readonly dea_number: string; readonly dea_override?: string }
export interface ReceiptData {
  readonly product: string
  readonly lot: string
  readonly expires: string
  readonly containers: number
  readonly location: string
  readonly supplier: Party
  readonly invoice: string
}
export interface ContainerOpeningData {
  readonly container: string
  readonly product: string
  readonly lot: string
  readonly location: string
  readonly volume_ml: string
  /** Last day the opened container may be drawn from (multi-dose: first puncture + beyond-use days). */
  readonly beyond_use?: string
}
export interface AdministrationData {
  readonly container: string
  readonly product: string
  readonly lot: string
  readonly location: string
  readonly patient: string
  readonly given_ml: string
  readonly given_mg: string
  readonly drawn_ml: string
  readonly drawn_mg: string
  readonly prescriber?: string
}
export interface WasteData {
  /** The open container whose remainder is wasted (container waste). */
  readonly container: string
  /** The administration whose drawn-but-not-given remainder is wasted (dose waste). */
  readonly administration?: number
  readonly product: string
  readonly lot: string
  readonly location: string
  readonly amount_ml: string
  readonly amount_mg: string
  readonly reason: string
}
export interface CosignData { readonly waste: number }
export interface TransferData {
  readonly product: string
  readonly lot: string
  readonly containers: number
  readonly from: string
  readonly to: string
}
export interface CorrectionData {
  readonly corrects: number
  readonly corrects_kind: EntryKind
  readonly action: 'void' | 'amend'
  readonly reason: string
  /** The corrected entry's data after the amendment (amend only). */
  readonly amended?: Readonly<Record<string, unknown>>
  /** The corrected entry's effective data before this correction (printed side by side). */
  readonly before: Readonly<Record<string, unknown>>
}

/** A setting changed by a PIC (tolerances, deadlines, beyond-use days). */
export interface SettingData { readonly name: string; readonly value: string }

/** One line of a physical count: sealed containers of a lot, or the volume left in an open container. */
export type CountItem =
  | { readonly type: 'sealed'; readonly location: string; readonly product: string; readonly lot: string; readonly expected: number; readonly counted: number }
  | { readonly type: 'open'; readonly location: string; readonly product: string; readonly lot: string; readonly container: string; readonly expected_ml: string; readonly counted_ml: string; readonly estimated?: boolean }

/** A difference beyond tolerance found by a count or an inventory; it opens a discrepancy. */
export interface CountDiscrepancy {
  readonly id: string
  readonly item: CountItem
  /** counted - expected: containers for sealed items, mL for open ones (decimal string). */
  readonly difference: string
  readonly unit: 'container' | 'mL'
  /** Resolve by this time (the count's time + the discrepancy deadline setting). */
  readonly due: string
}

/** A blind physical count of one location, bound to the ledger position it was compared against. */
export interface CountData {
  readonly location: string
  /** The ledger position (seq) the counter started from; expected values are as of this seq. */
  readonly based_on_seq: number
  readonly blind: true
  readonly tolerance_ml: string
  readonly items: readonly CountItem[]
  readonly discrepancies: readonly CountDiscrepancy[]
}

export type ReconcileReason = 'documentation-error' | 'breakage-spill' | 'unrecorded-waste' | 'theft' | 'loss' | 'unexplained'
export const RECONCILE_REASONS: readonly ReconcileReason[] = ['documentation-error', 'breakage-spill', 'unrecorded-waste', 'theft', 'loss', 'unexplained']

/** A change to the book that brings it to the physical count (never an edit of an entry). */
export type Adjustment =
  | { readonly type: 'sealed'; readonly location: string; readonly product: string; readonly lot: string; readonly delta: number }
  | { readonly type: 'open'; readonly container: string; readonly product: string; readonly lot: string; readonly location: string; readonly delta_ml: string; readonly delta_mg: string }

/** The PIC's resolution of a discrepancy: a reason, a note, linked correcting entries, the adjustment left. */
export interface ReconciliationData {
  readonly discrepancy: string
  readonly reason: ReconcileReason
  readonly note: string
  /** Entries that explain the difference (e.g. a late-recorded administration). */
  readonly linked: readonly number[]
  /** What the linked entries already changed on this item (same unit as the discrepancy). */
  readonly explained: string
  /** The adjustment that brings the book to the count; absent when the linked entries explain it all. */
  readonly adjustment?: Adjustment
  /** Set when the reason is theft or loss: the loss this reconciliation opens (its clocks start). */
  readonly loss?: LossData
}

export type LossType = 'theft' | 'loss' | 'in-transit' | 'breakage-spill'
export interface LossItem {
  readonly location: string
  readonly product: string
  readonly lot: string
  readonly ndc: string
  /** Sealed containers lost. */
  readonly containers: number
  /** Volume lost from an open container. */
  readonly container?: string
  readonly amount_ml: string
  readonly amount_mg: string
}
/** A theft or loss: starts the 1-business-day DEA notice clock and the 45-day Form 106 clock. */
export interface LossData {
  readonly id: string
  readonly type: LossType
  readonly discovered_at: string
  readonly items: readonly LossItem[]
  readonly note: string
  /** Set when the loss came from reconciling a discrepancy (its stock was adjusted there). */
  readonly discrepancy?: string
  readonly notice_due: string
  readonly form106_due: string
  /** Whether this entry itself removes the items from stock (direct loss entries do). */
  readonly adjusts_stock: boolean
}
export interface LossNoticeData { readonly loss: string; readonly method: string; readonly to: string }
export interface LossFilingData { readonly loss: string; readonly confirmation: string; readonly amended?: boolean }

export type DisposalMethod = 'reverse-distributor' | 'destruction'
export interface DisposalItem {
  readonly location: string
  readonly product: string
  readonly lot: string
  readonly containers: number
  readonly container?: string
  readonly amount_ml: string
  readonly amount_mg: string
}
/** Disposal of expired or unwanted stock (Form 41 for destruction; RD transfer record otherwise). */
export interface DisposalData {
  readonly method: DisposalMethod
  readonly items: readonly DisposalItem[]
  readonly reason: string
  /** The reverse distributor (method reverse-distributor). */
  readonly reverse_distributor?: Party
  /** How it was rendered non-retrievable, and where (method destruction). */
  readonly destruction?: { readonly method: string; readonly place: string }
  /** The two employees who handled and witnessed it (actor and witness). */
  readonly witnesses: readonly [string, string]
}

/** A formal inventory (21 CFR 1304.11): everything on hand at the registered location. */
export interface InventoryData {
  readonly type: 'initial' | 'biennial'
  readonly at: 'opening' | 'close'
  readonly taken_at: string
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly based_on_seq: number
  readonly items: readonly CountItem[]
  readonly discrepancies: readonly CountDiscrepancy[]
  /** True when nothing was on hand (recorded explicitly, 1304.11(b)). */
  readonly zero: boolean
}

export interface EntryDataByKind {
  registrant: RegistrantData
  user: UserData
  user_deactivation: UserDeactivationData
  user_key: UserKeyData
  location: LocationData
  product: ProductData
  receipt: ReceiptData
  container_opening: ContainerOpeningData
  administration: AdministrationData
  waste: WasteData
  cosign: CosignData
  transfer: TransferData
  correction: CorrectionData
  setting: SettingData
  count: CountData
  reconciliation: ReconciliationData
  loss: LossData
  loss_notice: LossNoticeData
  loss_filing: LossFilingData
  disposal: DisposalData
  inventory: InventoryData
}
export type EntryKind = keyof EntryDataByKind
export const ENTRY_KINDS: readonly EntryKind[] = [
  'registrant', 'user', 'user_deactivation', 'location', 'product', 'receipt', 'container_opening',
  'administration', 'waste', 'cosign', 'transfer', 'correction', 'setting', 'count', 'reconciliation', 'loss',
  'loss_notice', 'loss_filing', 'disposal', 'inventory', 'user_key',
]

/** What a decision produces: the business content of an entry, before the chain places it. */
export type EntryDraft<K extends EntryKind = EntryKind> = K extends EntryKind
  ? {
      readonly kind: K
      /** When it physically happened (ISO-8601 UTC); may be earlier than recorded_at (back-dating is visible). */
      readonly occurred_at: string
      /** Username of the authenticated person who did it. */
      readonly actor: string
      /** Username of the authenticated witness, where one is needed. */
      readonly witness?: string
      /** Client idempotency key: a retry with the same id returns the original entry. */
      readonly request_id?: string
      readonly data: EntryDataByKind[K]
    }
  : never

/** A placed entry, exactly the object that is canonicalized and hashed (format 1). */
export type Entry<K extends EntryKind = EntryKind> = EntryDraft<K> & {
  readonly format: 1
  readonly ledger_id: string
  readonly seq: number
  readonly prev_hash: string
  /** System clock at append time; never user-set. */
  readonly recorded_at: string
}

/** An entry as stored: the object, the exact canonical bytes that were hashed, and the hash. */
export interface StoredEntry<K extends EntryKind = EntryKind> {
  readonly entry: Entry<K>
  readonly canonical: string
  readonly hash: string
}
