// One workstation of the last-milligrams duel: opens the shared ledger, authenticates its nurse,
// says "ready", then carries out each JSON command line it is sent on stdin (a draw, or a count
// against a book position) and answers with one JSON line on stdout.
//
//   node --conditions=@csledger/source duel-worker.ts <ledger.db> <username>
import { createInterface } from 'node:readline'
import { Ledger, LedgerError } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { CLINIC, as } from '../support/reliability-clinic.ts'

export type DuelCommand =
  | { readonly op: 'draw'; readonly rid: string; readonly container: string; readonly amount: string }
  | { readonly op: 'count'; readonly rid: string; readonly basedOnSeq: number; readonly items: ReadonlyArray<{ ref: string; value: string }> }
  | { readonly op: 'quit' }

export type DuelOutcome =
  | { readonly rid: string; readonly ok: true; readonly seq: number }
  | { readonly rid: string; readonly ok: false; readonly name: string; readonly code: string; readonly crash?: string }

async function main(): Promise<void> {
  const [file, username] = process.argv.slice(2)
  if (!file || !username) throw new Error('usage: duel-worker.ts <ledger.db> <username>')
  const store = await openSqliteStore(file)
  const L = new Ledger({ store })
  const me = await L.authenticate(username, CLINIC.passphrase)
  process.stdout.write('ready\n')
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as DuelCommand
    if (cmd.op === 'quit') break
    let out: DuelOutcome
    try {
      const r = cmd.op === 'draw'
        ? await L.administer({ container: cmd.container, dose: cmd.amount, patient: `P-${cmd.rid}`, by: me }, { requestId: cmd.rid })
        : await L.count({ location: CLINIC.location, basedOnSeq: cmd.basedOnSeq, items: cmd.items, by: me, witness: as('nurse1') }, { requestId: cmd.rid })
      out = { rid: cmd.rid, ok: true, seq: r.stored.entry.seq }
    } catch (err) {
      out = err instanceof LedgerError
        ? { rid: cmd.rid, ok: false, name: err.name, code: err.code }
        : { rid: cmd.rid, ok: false, name: 'crash', code: 'CRASH', crash: String((err as Error)?.stack ?? err) }
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
  }
  await store.close()
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main()
