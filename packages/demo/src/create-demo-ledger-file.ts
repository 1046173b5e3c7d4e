import { existsSync, statSync } from 'node:fs'
import { InputError } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { type DemoOptions, type DemoSummary, buildDemoLedger } from './build-demo-ledger.ts'

/**
 * Creates a new SQLite ledger file and fills it with the demo. Refuses a file that already
 * exists and is not empty, so a real ledger is never written to.
 *
 * @example
 * const summary = await createDemoLedgerFile('demo.db', { days: 30 })
 */
export async function createDemoLedgerFile(file: string, options: DemoOptions = {}): Promise<DemoSummary> {
  if (existsSync(file) && statSync(file).size > 0) {
    throw new InputError('DB_EXISTS', `${file} already exists; the demo only writes a new ledger`, { hint: 'give the demo a new --db path, or remove the old demo file' })
  }
  const store = await openSqliteStore(file, { create: true })
  try {
    return await buildDemoLedger(store, options)
  } finally {
    await store.close()
  }
}
