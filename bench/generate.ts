import { rmSync } from 'node:fs'
import { Ledger, fixedClock } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'

/** The passphrase of every benchmark user (the benchmark ledger is synthetic). */
export const BENCH_PASSPHRASE = 'benchmark passphrase'

/**
 * Builds a synthetic clinic ledger of about `entries` entries through the same rules as every
 * write (Ledger API, batched: one transaction per 1000 appends). The mix per vial: a receipt
 * every 10 vials, an opening, doses of 0.8 mL (40 mg), the last one with a dose waste, witness
 * and co-sign; a count of the location every 200 entries.
 */
export async function generateLedger(file: string, entries: number, options: { kdfN?: number } = {}): Promise<{ seconds: number; entries: number }> {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
  const store = await openSqliteStore(file, { create: true })
  const clock = fixedClock('2025-01-06T08:00:00Z')
  const L = new Ledger({ store, clock, ...(options.kdfN ? { kdf: { N: options.kdfN, r: 8, p: 1 } } : {}) })
  const t0 = performance.now()
  await L.init({ registrant: 'Benchmark Ketamine Clinic', address: '1 Bench St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: BENCH_PASSPHRASE, ledgerId: 'bench-ledger', timezone: 'America/New_York' })
  const pic = { username: 'pic' }
  await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: BENCH_PASSPHRASE, by: pic })
  await L.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: BENCH_PASSPHRASE, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 5, items: [], by: pic, witness: { username: 'nurse' } })
  const nurse = { username: 'nurse' }
  const doc = { username: 'doc' }
  // Each vial: open, 11 doses of 0.8 mL, a 30 mg dose drawn as 0.8 mL with its 10 mg remainder
  // wasted and co-signed, then the 0.4 mL left in the vial wasted and co-signed: 17 entries.
  // State is tracked here, not read back: reads outside a write see committed entries only.
  let head = 6
  let vial = 0
  let lot = 0
  const step = async (fn: () => Promise<unknown>) => { clock.advance(60_000); await fn(); head++ }
  while (head < entries) {
    await L.batch(async () => {
      const stop = Math.min(entries, head + 1000)
      while (head < stop) {
        if (vial % 10 === 0) {
          lot++
          await step(() => L.receive({ product: 'KET-50', lot: `K${lot}`, expires: '2099-12-31', containers: 10, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: `INV-${lot}`, by: nurse }))
        }
        vial++
        const opened = await L.open({ product: 'KET-50', lot: `K${lot}`, location: 'SAFE-1', by: nurse })
        head++
        const container = (opened.stored.entry.data as { container: string }).container
        for (let d = 0; d < 11; d++) await step(() => L.administer({ container, dose: '0.8mL', patient: `P-${head % 500}`, by: nurse }))
        clock.advance(60_000)
        const dose = await L.administer({ container, dose: '30mg', drawn: '0.8mL', patient: `P-${head % 500}`, by: nurse })
        head++
        const w1 = await L.waste({ administration: dose.stored.entry.seq, amount: '10mg', reason: 'partial dose', by: nurse, witness: pic })
        head++
        await step(() => L.cosign({ waste: w1.stored.entry.seq, by: doc }))
        const w2 = await L.waste({ container, amount: '0.4mL', reason: 'end of vial', by: nurse, witness: pic })
        head++
        await step(() => L.cosign({ waste: w2.stored.entry.seq, by: doc }))
      }
    })
  }
  const seconds = (performance.now() - t0) / 1000
  const count = (await store.read().head())?.seq ?? 0
  await store.close()
  return { seconds, entries: count }
}
