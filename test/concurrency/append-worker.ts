// One workstation of the concurrency test: opens the shared ledger file, authenticates once, waits
// for "go" on stdin, then makes N appends as fast as it can, logging each outcome as a JSON line
// to its side file right after the call returns.
//
//   node --conditions=@csledger/source append-worker.ts <ledger.db> <worker 1-4> <appends> <log.jsonl>
import { appendFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Ledger, LedgerError } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { SAMPLE_PASSPHRASE, TEST_KDF } from '../support/build-sample-ledger.ts'

/** One line of a worker's side file. */
export type WorkerOutcome =
  | { readonly ok: true; readonly worker: number; readonly op: Op; readonly requestId: string; readonly seq: number; readonly hash: string; readonly drawn_ml?: string }
  | { readonly ok: false; readonly worker: number; readonly op: Op; readonly requestId: string; readonly name: string; readonly code: string; readonly drawn_ml?: string; readonly crash?: string }

export type Op = 'receive' | 'administer' | 'open'

/** The shared container every worker draws from, and the product lot every worker opens. */
export const SHARED_CONTAINER = 'C-0001'
export const SCARCE_PRODUCT = { product: 'MID-5', lot: 'M118B', location: 'SAFE-1' } as const
/** Draw sizes, picked in turn: they do not divide the container evenly, so the last draws race. */
export const DRAWS_ML = ['0.3', '0.5', '0.7', '1.1'] as const
const CYCLE: readonly Op[] = ['receive', 'administer', 'administer', 'open']

async function main(): Promise<void> {
  const [file, workerText, countText, log] = process.argv.slice(2)
  if (!file || !workerText || !countText || !log) throw new Error('usage: append-worker.ts <ledger.db> <worker> <appends> <log.jsonl>')
  const worker = Number(workerText)
  const count = Number(countText)
  const store = await openSqliteStore(file)
  const L = new Ledger({ store, kdf: TEST_KDF })
  const me = await L.authenticate(`nurse${worker}`, SAMPLE_PASSPHRASE)

  process.stdout.write('ready\n')
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) if (line.trim() === 'go') break
  lines.close()

  let crashed = false
  for (let k = 0; k < count; k++) {
    const op = CYCLE[(k + worker) % CYCLE.length]!
    const requestId = `w${worker}-${k}`
    const drawn = op === 'administer' ? DRAWS_ML[(k + worker) % DRAWS_ML.length]! : undefined
    const extra = drawn ? { drawn_ml: drawn } : {}
    let outcome: WorkerOutcome
    try {
      const r = op === 'receive'
        ? await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 1, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: `INV-${requestId}`, by: me }, { requestId })
        : op === 'administer'
          ? await L.administer({ container: SHARED_CONTAINER, dose: `${drawn!}mL`, patient: `P-${requestId}`, by: me }, { requestId })
          : await L.open({ ...SCARCE_PRODUCT, by: me }, { requestId })
      outcome = { ok: true, worker, op, requestId, seq: r.stored.entry.seq, hash: r.stored.hash, ...extra }
    } catch (err) {
      if (err instanceof LedgerError) {
        outcome = { ok: false, worker, op, requestId, name: err.name, code: err.code, ...extra }
      } else {
        crashed = true
        outcome = { ok: false, worker, op, requestId, name: (err as Error)?.name ?? 'unknown', code: 'CRASH', crash: String((err as Error)?.stack ?? err), ...extra }
      }
    }
    appendFileSync(log, `${JSON.stringify(outcome)}\n`)
    // A workstation pauses between entries; without it one process re-takes the write lock at once
    // while the others sleep in SQLite's busy back-off, and the appends barely interleave.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4))
  }
  await store.close()
  if (crashed) process.exitCode = 70
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main()
