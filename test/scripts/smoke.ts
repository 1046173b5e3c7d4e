// A smoke run of the ledger library on the embedded SQLite default: a ledger, a receipt,
// a dose with waste, a co-sign, a correction, then balance and a full verification.
import { rmSync } from 'node:fs'
import { Ledger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'

const file = process.argv[2] ?? 'csledger-smoke.db'
for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
const store = await openSqliteStore(file, { create: true })
const L = new Ledger({ store })
const pass = 'correct horse battery'
await L.init({ registrant: 'Smoke Test Ketamine Clinic', address: '1 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: pass, ledgerId: crypto.randomUUID() })
const pic = await L.authenticate('pic', pass)
await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: pass, by: pic })
await L.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: pass, by: pic })
await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
const nurse = await L.authenticate('nurse', pass)
// 21 CFR 1304.11(b): an initial inventory (here a zero one) comes before the first receipt.
await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 5, items: [], by: pic, witness: nurse })
await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 4, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
const opened = await L.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
const container = (opened.stored.entry.data as { container: string }).container
const dose = await L.administer({ container, dose: '35mg', drawn: '0.8mL', patient: 'P-1042', by: nurse })
const waste = await L.waste({ administration: dose.stored.entry.seq, amount: '5mg', reason: 'partial dose', witness: pic, by: nurse })
await L.cosign({ waste: waste.stored.entry.seq, by: await L.authenticate('doc', pass) })
await L.correct({ seq: dose.stored.entry.seq, reason: 'dose misread', amend: { dose: '30mg' }, witness: pic, by: nurse })
const { rows } = await L.balance()
const report = await L.verify()
console.log(JSON.stringify({ file, balance: rows, verify: { ok: report.ok, entries: report.entries, head: report.head } }, null, 2))
await store.close()
if (!report.ok) process.exitCode = 5
