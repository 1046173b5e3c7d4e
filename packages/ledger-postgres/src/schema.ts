import type { ColumnType } from 'kysely'
import { StoreError } from '@csledger/ledger-core'

/**
 * A bigint column: pg returns int8 as a string (JavaScript numbers cannot hold every int8), so
 * it is read as string | number and normalised by `toSafeInteger`; it is written as a number.
 */
export type Int8 = ColumnType<string | number, number, number>

/** Row types of the PostgreSQL schema (see migrations/src/postgres/). */
export interface LedgerTable {
  ledger_id: string
  created_at: ColumnType<Date, never, never>
  created_by: ColumnType<string, never, never>
}
export interface LedgerAccessTable { ledger_id: string; role_name: string; granted_at: ColumnType<Date, never, never> }
export interface PgLedgerEntryTable {
  ledger_id: string
  seq: Int8
  prev_hash: string
  hash: string
  kind: string
  recorded_at: string
  occurred_at: string
  actor: string
  request_id: string | null
  canonical: string
}
export interface PgProjectionTable { ledger_id: string; kind: string; key: string; seq: Int8; value: string }
export interface PgCredentialTable { ledger_id: string; username: string; passphrase_hash: string; updated_at: string; sealed_key: string | null }
/** One entry signature (migration 0004): written with its entry, never changed. */
export interface PgEntrySignatureTable { ledger_id: string; seq: Int8; role: 'actor' | 'witness'; signer: string; signature: string }
/** One signed checkpoint (migration 0004); `id` orders them as stored. */
export interface PgCheckpointTable {
  id: ColumnType<string | number, never, never>
  ledger_id: string
  size: Int8
  root: string
  note: string
  created_at: string
}
export interface KyselyMigrationTable { name: string; timestamp: string }

export interface PgDatabase {
  ledger: LedgerTable
  ledger_access: LedgerAccessTable
  ledger_entry: PgLedgerEntryTable
  projection: PgProjectionTable
  projection_history: PgProjectionTable
  credential: PgCredentialTable
  entry_signature: PgEntrySignatureTable
  checkpoint: PgCheckpointTable
  kysely_migration: KyselyMigrationTable
}

/**
 * Normalises an int8 / count(*) value (a string from pg) to a JavaScript number, refusing
 * anything that is not a safe integer rather than rounding it.
 */
export function toSafeInteger(value: string | number | bigint | null | undefined, what: string): number {
  const n = typeof value === 'string' ? (/^-?\d+$/.test(value) ? Number(value) : Number.NaN) : Number(value)
  if (value === null || value === undefined || !Number.isSafeInteger(n)) {
    throw new StoreError('BAD_VALUE', `PostgreSQL returned ${String(value)} for ${what}, which is not a safe integer`, { hint: 'the database holds a value csledger never writes; run `csledger verify`' })
  }
  return n
}
