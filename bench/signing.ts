// What signing costs an append and a verify, measured beside the same work unsigned (issue 6:
// "a measured, stated cost per append and per verify"). The full breakdown (authentication,
// checkpoints, the primitives) is test/attacks/signing-cost.ts; docs/signatures.md §8.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Ledger, type Principal, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { type Row, median } from './stats.ts'

const PASS = 'bench passphrase, long enough'
const KDF = { N: 1024, r: 8, p: 1 }

async function clinic(file: string, signing: boolean) {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
  const store = await openSqliteStore(file, { create: true })
  const L = new Ledger({ store, signing, kdf: KDF })
  await L.init({ registrant: 'Bench Clinic', address: '1 Bench St', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: PASS, ledgerId: `bench-signing-${signing}` })
  const pic: Principal = signing ? await L.authenticate('pic', PASS) : { username: 'pic' }
  await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: PASS, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse: Principal = signing ? await L.authenticate('nurse', PASS) : { username: 'nurse' }
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 4, items: [], by: pic, witness: nurse })
  await L.receive({ product: 'KET-50', lot: 'K1', expires: '2099-12-31', containers: 1000, location: 'SAFE-1', supplier: 'Acme', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  let container = ''
  let doses = 0
  /** One 0.01 mL dose (a fresh vial every 900), as `who` through `ledger`. */
  const dose = async (ledger: Ledger = L, who: Principal = nurse) => {
    if (!container || doses >= 900) {
      container = ((await L.open({ product: 'KET-50', lot: 'K1', location: 'SAFE-1', by: nurse })).stored.entry.data as { container: string }).container
      doses = 0
    }
    await ledger.administer({ container, dose: '0.01mL', patient: 'P-1', by: who })
    doses++
  }
  return { store, L, dose }
}

const timed = async (fn: () => Promise<unknown>) => { const t = performance.now(); await fn(); return performance.now() - t }
const ms = (x: number) => `${x.toFixed(2)} ms`

/**
 * Appends signed and unsigned, alternating on one ledger (same file, same state, same moment: the
 * difference is the Ed25519 signature and its row), committed one by one as the CLI does; then
 * full verify of two ledgers of `entries` entries, one all signed and one unsigned.
 */
export async function signingSection(dir: string, entries: number, pairs: number): Promise<Row[]> {
  const on = await clinic(join(dir, 'signing-on.db'), true)
  const off = await clinic(join(dir, 'signing-off.db'), false)
  const plain = new Ledger({ store: on.store, kdf: KDF })
  const unsigned = { username: 'nurse' }
  const signedMs: number[] = []
  const unsignedMs: number[] = []
  for (let i = 0; i < pairs; i++) {
    signedMs.push(await timed(() => on.dose()))
    unsignedMs.push(await timed(() => on.dose(plain, unsigned)))
  }
  for (const c of [on, off]) {
    while ((await c.store.read().head())!.seq < entries) await c.L.batch(async () => { for (let i = 0; i < 250; i++) await c.dose() })
  }
  const verifyOn: number[] = []
  const verifyOff: number[] = []
  let signatures = 0
  for (let i = 0; i < 3; i++) {
    verifyOff.push(await timed(() => verifyLedger(off.store)))
    verifyOn.push(await timed(async () => { signatures = (await verifyLedger(on.store)).signatures?.verified ?? 0 }))
  }
  const nOn = (await on.store.read().head())!.seq
  const nOff = (await off.store.read().head())!.seq
  for (const c of [on, off]) await c.store.close()
  const perSignature = (median(verifyOn) - (median(verifyOff) / nOff) * nOn) / Math.max(1, signatures)
  const append = median(signedMs) - median(unsignedMs)
  return [
    { measure: `signing: append committed on its own (median of ${pairs} pairs)`, figure: `+${ms(append)} per append`, baseline: `unsigned: ${ms(median(unsignedMs))}`, ratio: `${(100 * append / median(unsignedMs)).toFixed(1)}%`, budget: 'stated', ok: null },
    { measure: `signing: full verify, ${nOn.toLocaleString('en-US')} entries with ${signatures.toLocaleString('en-US')} signatures`, figure: `+${ms(perSignature)} per signature`, baseline: `unsigned: ${ms(median(verifyOff) / nOff)} per entry`, ratio: `${(median(verifyOn) / (median(verifyOff) / nOff * nOn)).toFixed(2)}x`, budget: 'stated', ok: null },
  ]
}
