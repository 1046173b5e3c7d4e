import { type Clock, Ledger, fixedClock } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'

/** scrypt parameters cheap enough for tests (the parameters travel with each hash). */
export const TEST_KDF = { N: 1024, r: 8, p: 1 } as const

/** The passphrase of every user of the sample ledger. */
export const SAMPLE_PASSPHRASE = 'correct horse battery'

/** The seq of each notable entry of the sample ledger (see `scriptSampleLedger`). */
export interface SampleSeqs {
  readonly registrant: number
  readonly receiptKetamine: number
  readonly transfer: number
  readonly openKetamine: number
  readonly dose: number
  readonly doseWaste: number
  readonly cosign: number
  readonly amendDose: number
  readonly voidedDose: number
  readonly voidDose: number
  readonly openMidazolam: number
  readonly midazolamDose: number
  readonly containerWaste: number
  readonly deactivation: number
}

/** A sample ledger as built: where it ends and which entry is where. */
export interface SampleLedger {
  readonly ledgerId: string
  readonly head: { readonly seq: number; readonly hash: string }
  readonly seqs: SampleSeqs
}

/**
 * A clock that moves one step forward each time it is read, so every entry gets its own
 * `recorded_at` (and `seqAtTime` has something to tell apart).
 */
export function tickingClock(startIso: string, stepMs = 60_000): Clock {
  const c = fixedClock(startIso)
  return { now: () => { const d = c.now(); c.advance(stepMs); return d } }
}

/**
 * Writes the sample clinic's history through the library: 23 entries of every kind (registrant,
 * users, locations, products, a zero initial inventory, receipts, a transfer, openings, doses, dose and container waste, a
 * co-sign, an amendment, a void, a deactivation), the way smoke.ts does.
 *
 * @example
 * const seqs = await scriptSampleLedger(new Ledger({ store, kdf: TEST_KDF }), crypto.randomUUID())
 */
export async function scriptSampleLedger(L: Ledger, ledgerId: string): Promise<SampleSeqs> {
  const pass = SAMPLE_PASSPHRASE
  const seq = (r: { stored: { entry: { seq: number } } }) => r.stored.entry.seq
  const registrant = seq(await L.init({ registrant: 'Sample Ketamine Clinic', address: '1 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: pass, ledgerId }))
  const pic = await L.authenticate('pic', pass)
  await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: pass, by: pic })
  await L.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: pass, by: pic })
  await L.addUser({ username: 'nina', name: 'Nina Night', role: 'nurse', passphrase: pass, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addLocation({ code: 'LOCKBOX-2', name: 'Procedure room lockbox', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  await L.addProduct({ code: 'MID-5', drug: 'midazolam', ndc: '0641-6057-10', concentration: '5mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse = await L.authenticate('nurse', pass)
  const nina = await L.authenticate('nina', pass)
  const doc = await L.authenticate('doc', pass)
  // 21 CFR 1304.11(b): the initial inventory (zero here) comes before the first receipt.
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await L.store.read().head())!.seq, items: [], by: pic, witness: nurse })
  const supplier = { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563' }
  const receiptKetamine = seq(await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 4, location: 'SAFE-1', ...supplier, invoice: 'INV-1', by: nurse }))
  await L.receive({ product: 'MID-5', lot: 'M118B', expires: '2030-06-30', containers: 2, location: 'SAFE-1', ...supplier, invoice: 'INV-2', by: nurse })
  const transfer = seq(await L.transfer({ product: 'KET-50', lot: 'K2417A', containers: 1, from: 'SAFE-1', to: 'LOCKBOX-2', by: nurse }))
  const opened = await L.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
  const container = (opened.stored.entry.data as { container: string }).container
  const dose = seq(await L.administer({ container, dose: '35mg', drawn: '0.8mL', patient: 'P-1042', by: nurse }))
  const doseWaste = seq(await L.waste({ administration: dose, amount: '5mg', reason: 'partial dose', witness: pic, by: nurse }))
  const cosign = seq(await L.cosign({ waste: doseWaste, by: doc }))
  const amendDose = seq(await L.correct({ seq: dose, reason: 'dose misread', amend: { dose: '30mg' }, witness: pic, by: nurse }))
  const voidedDose = seq(await L.administer({ container, dose: '50mg', patient: 'P-2001', by: nina }))
  const voidDose = seq(await L.correct({ seq: voidedDose, reason: 'recorded against the wrong patient chart', witness: nurse, by: nina }))
  const openedMid = await L.open({ product: 'MID-5', lot: 'M118B', location: 'SAFE-1', by: nina })
  const midContainer = (openedMid.stored.entry.data as { container: string }).container
  const midazolamDose = seq(await L.administer({ container: midContainer, dose: '2mg', patient: 'P-3003', by: nina }))
  const containerWaste = seq(await L.waste({ container, amount: '0.2mL', reason: 'drawn into a contaminated syringe', witness: doc, by: nurse }))
  const deactivation = seq(await L.deactivateUser({ username: 'nina', reason: 'left the clinic', by: pic }))
  return {
    registrant, receiptKetamine, transfer, openKetamine: seq(opened), dose, doseWaste, cosign, amendDose, voidedDose, voidDose,
    openMidazolam: seq(openedMid), midazolamDose, containerWaste, deactivation,
  }
}

/**
 * Creates `file` and writes the sample ledger into it through the library, then closes it
 * (so the WAL is checkpointed and the file stands alone).
 *
 * @example
 * const sample = await buildSampleLedger(tmp.file('clinic.db'))
 */
export async function buildSampleLedger(file: string, options: { clock?: Clock } = {}): Promise<SampleLedger> {
  const store = await openSqliteStore(file, { create: true })
  try {
    const L = new Ledger({ store, kdf: TEST_KDF, clock: options.clock ?? tickingClock('2026-11-02T09:00:00.000Z') })
    const ledgerId = crypto.randomUUID()
    const seqs = await scriptSampleLedger(L, ledgerId)
    const head = await store.read().head()
    if (!head) throw new Error('the sample ledger has no head')
    return { ledgerId, head: { seq: head.seq, hash: head.hash }, seqs }
  } finally {
    await store.close()
  }
}
