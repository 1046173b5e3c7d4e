import type { Selectable } from 'kysely'

/** Row types of the SQLite schema (see migrations/). */
export interface LedgerEntryTable {
  seq: number
  ledger_id: string
  prev_hash: string
  hash: string
  kind: string
  recorded_at: string
  occurred_at: string
  actor: string
  request_id: string | null
  canonical: string
}
export interface ProjectionTable { kind: string; key: string; seq: number; value: string }
export interface CredentialTable { username: string; passphrase_hash: string; updated_at: string; sealed_key: string | null }
export interface EntrySignatureTable { seq: number; role: 'actor' | 'witness'; signer: string; signature: string }
export interface CheckpointTable { id: number; size: number; root: string; note: string; created_at: string }

export interface Database {
  ledger_entry: LedgerEntryTable
  projection: ProjectionTable
  projection_history: ProjectionTable
  credential: CredentialTable
  entry_signature: EntrySignatureTable
  checkpoint: CheckpointTable
}
export type LedgerEntryRow = Selectable<LedgerEntryTable>
