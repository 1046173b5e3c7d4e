import type { EntryRow, EntrySignature, LedgerStore, SignatureRole } from '@csledger/ledger-core'

/** Direct SQL on the store's database as its most privileged ordinary user: the guards apply. */
export interface RawAccess {
  /** UPDATE ledger_entry SET actor = … for one entry. */
  updateEntryActor(seq: number, actor: string): Promise<void>
  /** DELETE one entry. */
  deleteEntry(seq: number): Promise<void>
  /** INSERT a row as given (bypassing the store and its lock). */
  insertEntryRow(row: EntryRow): Promise<void>
  /** UPDATE entry_signature SET signer = … for one signature. */
  updateSignatureSigner(seq: number, role: SignatureRole, signer: string): Promise<void>
  /** DELETE one signature. */
  deleteSignature(seq: number, role: SignatureRole): Promise<void>
  /** INSERT a signature row on its own, after its entry was committed. */
  insertSignatureRow(signature: EntrySignature): Promise<void>
  /** UPDATE checkpoint SET size = … (every checkpoint of the ledger). */
  updateCheckpointSize(size: number): Promise<void>
  /** DELETE every checkpoint of the ledger. */
  deleteCheckpoints(): Promise<void>
}

/** A superuser who first switches the database guards off: what the tamper tests simulate. */
export interface TamperAccess {
  /** Replaces an entry's stored bytes, keeping its stored hash. */
  replaceCanonical(seq: number, canonical: string): Promise<void>
  /** Replaces an entry's stored bytes and hash (a forger who recomputes the hash). */
  rewriteEntry(seq: number, canonical: string, hash: string): Promise<void>
  /** Deletes one entry. */
  deleteEntry(seq: number): Promise<void>
  /** Replaces one stored entry signature (e.g. with another entry's signature). */
  replaceSignature(seq: number, role: SignatureRole, signature: string): Promise<void>
  /** Deletes one stored entry signature. */
  deleteSignature(seq: number, role: SignatureRole): Promise<void>
}

/** One fresh, empty ledger in the store under test. */
export interface StoreUnderTest {
  readonly store: LedgerStore
  readonly ledgerId: string
  /** Opens another independent store on the same ledger (a second workstation). */
  reopen(): Promise<LedgerStore>
  readonly raw: RawAccess
  readonly tamper: TamperAccess
  dispose(): Promise<void>
}

/** A store implementation the contract runs against. */
export interface StoreHarness {
  readonly name: string
  /** False when the backing server is not available (the suite is then skipped). */
  readonly available: boolean
  /** False when no superuser access exists to tamper with (those tests are then skipped). */
  readonly tamperAvailable: boolean
  create(): Promise<StoreUnderTest>
}
