// The writer the crash suite kills: opens a clinic ledger through the library, says "ready", then
// appends for ever — receipts, openings, doses with a drawn-but-not-given remainder, dose waste
// with a witness, co-signs, batches of several appends in one transaction, and voids — logging
// each attempt ("try") before it and each success ("ack", with the seq and hash returned) right
// after it to a side file. It never stops by itself: it ends with SIGKILL.
//
//   node --conditions=@csledger/source crash-writer.ts <ledger.db> <trial tag> <side.jsonl>
import { appendFileSync } from 'node:fs'
import { Ledger, type AppendResult } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { CLINIC } from '../support/reliability-clinic.ts'
import type { SideLine } from '../support/reliability-checks.ts'

async function main(): Promise<void> {
  const [file, tag, side] = process.argv.slice(2)
  if (!file || !tag || !side) throw new Error('usage: crash-writer.ts <ledger.db> <trial tag> <side.jsonl>')
  const store = await openSqliteStore(file)
  const L = new Ledger({ store })
  const nurse = await L.authenticate('nurse1', CLINIC.passphrase)
  const witness = await L.authenticate('nurse2', CLINIC.passphrase)
  const doc = await L.authenticate('doc', CLINIC.passphrase)
  const log = (line: SideLine) => appendFileSync(side, `${JSON.stringify(line)}\n`)
  let k = 0
  const rid = () => `${tag}-${++k}`

  /** One append: try, call, ack. */
  const one = async (call: (requestId: string) => Promise<AppendResult>): Promise<AppendResult> => {
    const id = rid()
    log({ t: 'try', rids: [id] })
    const r = await call(id)
    log({ t: 'ack', acks: [{ rid: id, seq: r.stored.entry.seq, hash: r.stored.hash }] })
    return r
  }

  process.stdout.write('ready\n')
  for (;;) {
    await one((requestId) => L.receive({ product: CLINIC.product, lot: CLINIC.lot, expires: CLINIC.expires, containers: 1, location: CLINIC.location, ...CLINIC.supplier, invoice: `INV-${requestId}`, by: nurse }, { requestId }))
    const opened = await one((requestId) => L.open({ product: CLINIC.product, lot: CLINIC.lot, location: CLINIC.location, by: nurse }, { requestId }))
    const container = (opened.stored.entry.data as { container: string }).container
    const dose = await one((requestId) => L.administer({ container, dose: '20mg', drawn: '0.5mL', patient: `P-${requestId}`, by: nurse }, { requestId }))
    const waste = await one((requestId) => L.waste({ administration: dose.stored.entry.seq, amount: '0.1mL', reason: 'drawn, not given', by: nurse, witness }, { requestId }))
    await one((requestId) => L.cosign({ waste: waste.stored.entry.seq, by: doc }, { requestId }))
    // A batch: several appends in one transaction, acknowledged together when it commits.
    const ids = [rid(), rid(), rid(), rid()]
    log({ t: 'try', rids: ids })
    const results = await L.batch(async () => {
      const out: AppendResult[] = []
      out.push(await L.receive({ product: CLINIC.product, lot: CLINIC.lot, expires: CLINIC.expires, containers: 2, location: CLINIC.location, ...CLINIC.supplier, invoice: `INV-${ids[0]}`, by: nurse }, { requestId: ids[0]! }))
      for (const id of ids.slice(1)) out.push(await L.administer({ container, dose: '0.1mL', patient: `P-${id}`, by: nurse }, { requestId: id }))
      return out
    })
    log({ t: 'ack', acks: results.map((r, i) => ({ rid: ids[i]!, seq: r.stored.entry.seq, hash: r.stored.hash })) })
    await one((requestId) => L.correct({ seq: results[1]!.stored.entry.seq, reason: 'recorded twice', witness, by: nurse }, { requestId }))
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main()
