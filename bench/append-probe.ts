import { rmSync } from 'node:fs'
import { Ledger, fixedClock } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
const file = '/tmp/cs/probe.db'
for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
const store = await openSqliteStore(file, { create: true })
const clock = fixedClock('2026-01-01T12:00:00Z')
const L = new Ledger({ store, clock, kdf: { N: 1024, r: 8, p: 1 } })
await L.init({ registrant: 'B', address: 'A', dea: 'BJ6125341', admin: 'pic', adminName: 'P', passphrase: 'secretpass', ledgerId: 'bench' })
const pic = { username: 'pic' }
await L.addUser({ username: 'nurse', name: 'N', role: 'nurse', passphrase: 'secretpass', by: pic })
await L.addLocation({ code: 'S', name: 'S', by: pic })
await L.addProduct({ code: 'K', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 4, items: [], by: pic, witness: { username: 'nurse' } })
const n = { username: 'nurse' }
const N = Number(process.argv[2] ?? 5000)
const t = performance.now()
let c = ''
await L.batch(async () => { for (let i = 0; i < N; i++) {
  if (i % 100 === 0) { await L.receive({ product: 'K', lot: 'L1', expires: '2030-01-01', containers: 1, location: 'S', supplier: 'S', supplierAddress: 'A', supplierDea: 'AB1234563', invoice: `I${i}`, by: n }); c = ((await L.open({ product: 'K', lot: 'L1', location: 'S', by: n })).stored.entry.data as { container: string }).container; i += 2 }
  else await L.administer({ container: c, dose: '0.1mL', patient: 'P1', by: n })
  clock.advance(1000)
} })
const ms = performance.now() - t
console.log(`${N} appends in ${ms.toFixed(0)} ms = ${(N / ms * 1000).toFixed(0)}/s`)
const v = performance.now(); const r = await L.verify(); console.log(`verify ${r.entries} in ${(performance.now() - v).toFixed(0)} ms ok=${r.ok}`)
