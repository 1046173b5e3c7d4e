import { resolve } from 'node:path'
import { Ledger, canSign } from '@csledger/ledger-core'
import { DEFAULT_DB, type CliContext, type GlobalOptions } from './context.ts'

/** The database the command works on: --db, else CSLEDGER_DB, else ./csledger.db. */
export function dbLocation(ctx: CliContext, g: GlobalOptions): string {
  return g.db ?? ctx.env.CSLEDGER_DB ?? DEFAULT_DB
}

/**
 * Opens the ledger named by --db / CSLEDGER_DB: a SQLite file path, or a postgres:// URL.
 * Store packages are imported lazily so that `--help` stays fast.
 */
export async function openLedger(ctx: CliContext, g: GlobalOptions, options: { create?: boolean; readonly?: boolean } = {}): Promise<Ledger> {
  const location = dbLocation(ctx, g)
  if (/^postgres(ql)?:\/\//.test(location)) {
    // A shared server: schema migrations are explicit (`csledger migrate`), never run here.
    const { openPostgresStore } = await import('@csledger/ledger-postgres')
    const store = await openPostgresStore(location, { ...(options.create ? { create: true } : {}), ...(options.readonly ? { readonly: true } : {}) })
    return new Ledger({ store, clock: ctx.clock, signing: canSign(store) })
  }
  const { openSqliteStore } = await import('@csledger/ledger-sqlite')
  // Read commands open the embedded SQLite file normally too, so a pending migration is applied
  // (the store reads through its own read-only connection either way).
  const store = await openSqliteStore(resolve(ctx.cwd, location), options.create ? { create: true } : {})
  // Signing on: new users get Ed25519 keys and every entry is signed by its actor and witness (docs/signatures.md).
  return new Ledger({ store, clock: ctx.clock, signing: canSign(store) })
}
