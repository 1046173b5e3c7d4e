// What signing costs on PostgreSQL, side by side with the same work unsigned (docs/signatures.md §7):
//
//   eval "$(bin/postgres-start)"
//   node --conditions=@csledger/source test/postgres/postgres-signing-cost.ts [pairs] [entries]
//
// Runs in a new database of its own (the test database commits with synchronous_commit off; this
// one keeps the server's default, on, as production does), through the application login, and
// drops it at the end. Appends: on one signed ledger, each signed append (an authenticated nurse)
// is paired with the same append unsigned (a plain principal through a ledger with signing off),
// so both see the same server, state and moment: the difference is the signature and its row.
// (That ledger then holds unsigned entries of a keyed nurse, so verify is timed on two others.)
// Verify: two ledgers of the same size, one written as before signing existed (no keys), one all signed.
import { Ledger, type Principal, verifyLedger } from '@csledger/ledger-core'
import { type PostgresLedgerStore, migratePostgres, openPostgresStore } from '@csledger/ledger-postgres'
import pg from 'pg'

const PAIRS = Number(process.argv[2] ?? 300)
const ENTRIES = Number(process.argv[3] ?? 2000)
const PASS = 'correct horse battery'
const ownerUrl = process.env.CSLEDGER_PG_URL
const appUrl = process.env.CSLEDGER_PG_APP_URL
if (!ownerUrl || !appUrl) throw new Error('set CSLEDGER_PG_URL and CSLEDGER_PG_APP_URL: eval "$(bin/postgres-start)"')
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2 }
const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`)
const inDatabase = (url: string, db: string) => { const u = new URL(url); u.pathname = `/${db}`; return u.toString() }
async function one<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R | undefined> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try { return (await c.query<R>(sql)).rows[0] } finally { await c.end() }
}
async function timed(fn: () => Promise<unknown>): Promise<number> { const t = performance.now(); await fn(); return performance.now() - t }

/** A clinic with a nurse and 1000 vials; `signing` as the CLI opens it (keys) or as before signing existed. */
async function clinic(store: PostgresLedgerStore, signing: boolean) {
  const L = new Ledger({ store, signing, kdf: { N: 1024, r: 8, p: 1 } })
  await L.init({ registrant: 'Cost Clinic', address: '1 Main St', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: PASS, ledgerId: store.ledgerId })
  const pic: Principal = signing ? await L.authenticate('pkim', PASS) : { username: 'pkim' }
  await L.addUser({ username: 'nkim', name: 'Nora Kim', role: 'nurse', passphrase: PASS, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse: Principal = signing ? await L.authenticate('nkim', PASS) : { username: 'nkim' }
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 4, items: [], by: pic, witness: nurse })
  await L.receive({ product: 'KET-50', lot: 'K1', expires: '2099-12-31', containers: 1000, location: 'SAFE-1', supplier: 'Acme', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  let container = ''
  let left = 0
  /** One 0.01 mL administration, by `ledger` as `by` (default: this clinic's, signed when it signs); a fresh vial every 900. */
  const dose = async (ledger = L, by = nurse) => {
    if (left === 0) {
      container = ((await L.open({ product: 'KET-50', lot: 'K1', location: 'SAFE-1', by: nurse })).stored.entry.data as { container: string }).container
      left = 900
    }
    left--
    await ledger.administer({ container, dose: '0.01mL', patient: 'P-1', by })
  }
  return { store, dose }
}

const database = `csl_cost_${Date.now().toString(36)}`
await one(ownerUrl, `CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`)
const stores: PostgresLedgerStore[] = []
try {
  await migratePostgres(inDatabase(ownerUrl, database))
  const open = async () => { const s = await openPostgresStore(inDatabase(appUrl, database), { create: true, poolSize: 2 }); stores.push(s); return s }
  const paired = await clinic(await open(), true)
  const plain = new Ledger({ store: paired.store })
  const signed: number[] = []
  const unsigned: number[] = []
  for (let i = 0; i < PAIRS; i++) {
    signed.push(await timed(() => paired.dose()))
    unsigned.push(await timed(() => paired.dose(plain, { username: 'nkim' })))
  }
  const on = await clinic(await open(), true)
  const off = await clinic(await open(), false)
  for (const c of [on, off]) while ((await c.store.read().head())!.seq < ENTRIES) await c.dose()
  const runs = { on: [] as number[], off: [] as number[] }
  let checked = 0
  for (let i = 0; i < 3; i++) {
    runs.off.push(await timed(() => verifyLedger(off.store)))
    runs.on.push(await timed(async () => { checked = (await verifyLedger(on.store)).signatures?.verified ?? 0 }))
  }
  const sizes = [(await off.store.read().head())!.seq, (await on.store.read().head())!.seq]
  const sync = await one<{ synchronous_commit: string }>(inDatabase(appUrl, database), 'SHOW synchronous_commit')
  const s = (xs: number[]) => xs.map((r) => `${(r / 1000).toFixed(2)} s`).join(', ')
  console.log(`PostgreSQL (synchronous_commit ${sync?.synchronous_commit}), ${PAIRS} pairs`)
  console.log(`append, committed on its own: unsigned ${fmt(median(unsigned))}, signed ${fmt(median(signed))} (medians): signing costs ${fmt(median(signed) - median(unsigned))} per append`)
  console.log(`verify: ${sizes[0]} entries unsigned ${s(runs.off)}; ${sizes[1]} entries with ${checked} signatures ${s(runs.on)}: ${fmt((median(runs.on) - median(runs.off)) / checked)} per signature`)
} finally {
  for (const s of stores) await s.close()
  await one(ownerUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
}
