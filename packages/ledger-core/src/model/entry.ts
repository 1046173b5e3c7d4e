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
  readonly admin: { readonly username: string; readonly name: string }
}
export interface UserData { readonly username: string; readonly name: string; readonly role: Role }
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

export interface EntryDataByKind {
  registrant: RegistrantData
  user: UserData
  user_deactivation: UserDeactivationData
  location: LocationData
  product: ProductData
  receipt: ReceiptData
  container_opening: ContainerOpeningData
  administration: AdministrationData
  waste: WasteData
  cosign: CosignData
  transfer: TransferData
  correction: CorrectionData
}
export type EntryKind = keyof EntryDataByKind
export const ENTRY_KINDS: readonly EntryKind[] = [
  'registrant', 'user', 'user_deactivation', 'location', 'product', 'receipt', 'container_opening',
  'administration', 'waste', 'cosign', 'transfer', 'correction',
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
