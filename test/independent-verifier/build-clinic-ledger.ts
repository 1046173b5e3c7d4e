import { type Ledger, fixedClock } from '@csledger/ledger-core'

/** Seqs of entries the tamper tests aim at. */
export interface ClinicSeqs {
  readonly receipt: number
  readonly transfer: number
  readonly firstOpening: number
  readonly administration: number
  readonly doseWaste: number
  readonly containerWaste: number
  readonly correction: number
  readonly head: number
}

/** The clock the clinic ledger is written with (each step moves it on a few minutes). */
export function clinicClock(): ReturnType<typeof fixedClock> {
  return fixedClock('2026-11-02T13:00:00.000Z')
}

const PASS = 'correct horse battery staple'

/**
 * Writes a small clinic's history through the library, touching every entry kind and every
 * correction path: users and a deactivation, two locations, ketamine and midazolam products,
 * receipts (one with a supplier DEA override), a transfer, openings, doses in mg and in mL with
 * and without a prescriber, dose waste and container waste, a co-sign, amendments and voids of
 * receipts, transfers, openings, doses and waste, an idempotent retry, and free text that needs
 * escaping (quotes, backslash, tab, newline, non-ASCII, an emoji).
 *
 * @example
 * const clock = clinicClock()
 * const seqs = await buildClinicLedger(new Ledger({ store, clock }), clock)
 */
export async function buildClinicLedger(ledger: Ledger, clock: ReturnType<typeof fixedClock>): Promise<ClinicSeqs> {
  const step = () => clock.advance(7 * 60_000 + 13_250)
  const seqOf = async (p: Promise<{ stored: { entry: { seq: number } } }>) => { const r = await p; step(); return r.stored.entry.seq }

  await seqOf(ledger.init({ registrant: 'Ávila Ketamine Clinic, PLLC', address: '410 Elm St, Suite 2, Springfield, IL 62701', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: PASS, ledgerId: 'a2b3c4d5-0000-4000-8000-00000000c11c' }))
  const pic = await ledger.authenticate('pkim', PASS)
  await seqOf(ledger.addUser({ username: 'nkim', name: 'Nora Kim, RN', role: 'nurse', passphrase: PASS, by: pic }))
  await seqOf(ledger.addUser({ username: 'rlopez', name: 'Rosa López, RN', role: 'nurse', passphrase: PASS, by: pic }))
  await seqOf(ledger.addUser({ username: 'drlee', name: 'Dr. Dana Lee', role: 'physician', passphrase: PASS, by: pic }))
  await seqOf(ledger.addUser({ username: 'audit1', name: 'State Inspector', role: 'auditor', passphrase: PASS, by: pic }))
  await seqOf(ledger.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic }))
  await seqOf(ledger.addLocation({ code: 'LOCKBOX-2', name: 'Procedure room lockbox', by: pic }))
  await seqOf(ledger.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '0409-2051-05', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic }))
  await seqOf(ledger.addProduct({ code: 'MDZ-1', drug: 'midazolam', ndc: '0641-6057-10', concentration: '1', volume: '2', doseForm: 'single-dose', by: pic }))

  const nurse = await ledger.authenticate('nkim', PASS)
  const witness = await ledger.authenticate('rlopez', PASS)
  const doctor = await ledger.authenticate('drlee', PASS)
  const receipt = await seqOf(ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2028-06-30', containers: 5, location: 'SAFE-1', supplier: 'Müller Wholesale', supplierAddress: '9 Depot Rd, Columbus, OH', supplierDea: 'AB1234563', invoice: 'INV-1001', at: '2026-11-02T08:15:00-05:00', by: nurse }, { requestId: 'rcpt-1001' }))
  await seqOf(ledger.receive({ product: 'MDZ-1', lot: 'M88', expires: '2027-12-31', containers: 10, location: 'SAFE-1', supplier: 'Acme Pharma', supplierAddress: '1 Acme Way', supplierDea: 'AB1234567', supplierDeaOverride: 'confirmed against the supplier\'s certificate by phone', invoice: 'INV-77', by: nurse }))
  const transfer = await seqOf(ledger.transfer({ product: 'KET-50', lot: 'K2417A', containers: 2, from: 'SAFE-1', to: 'LOCKBOX-2', by: nurse }))
  const firstOpening = await seqOf(ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'LOCKBOX-2', by: nurse })) // C-0001
  const administration = await seqOf(ledger.administer({ container: 'C-0001', dose: '35mg', drawn: '0.8mL', patient: 'P-1042', prescriber: 'drlee', by: nurse }))
  const doseWaste = await seqOf(ledger.waste({ administration, amount: '0.1mL', reason: 'drawn for 40 mg, order was 35 mg', witness, by: nurse }))
  await seqOf(ledger.cosign({ waste: doseWaste, by: doctor }))
  const second = await seqOf(ledger.administer({ container: 'C-0001', dose: '0.35mL', patient: 'P-1043', by: nurse }))
  await seqOf(ledger.correct({ seq: second, reason: 'dose misread from the syringe', amend: { dose: '0.3mL' }, witness, by: nurse }))
  await seqOf(ledger.open({ product: 'MDZ-1', lot: 'M88', location: 'SAFE-1', by: nurse })) // C-0002
  await seqOf(ledger.administer({ container: 'C-0002', dose: '2mg', patient: 'P-1044', prescriber: 'drlee', by: nurse })) // empties it
  await seqOf(ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'LOCKBOX-2', by: nurse })) // C-0003
  const wrong = await seqOf(ledger.administer({ container: 'C-0003', dose: '12.5mg', patient: 'P-1045', by: nurse }))
  await seqOf(ledger.correct({ seq: wrong, reason: 'recorded against the wrong container', witness, by: nurse }))
  const containerWaste = await seqOf(ledger.waste({ container: 'C-0001', amount: '8.9mL', reason: 'vial dropped: "cracked" \\ glass\tswept\nsee incident note 💉', witness, by: nurse }))
  const mdzReceipt = await seqOf(ledger.receive({ product: 'MDZ-1', lot: 'M91', expires: '2028-01-31', containers: 3, location: 'SAFE-1', supplier: 'Acme Pharma', supplierAddress: '1 Acme Way', supplierDea: 'AB1234563', invoice: 'INV-78', by: nurse }))
  await seqOf(ledger.correct({ seq: mdzReceipt, reason: 'one carton was returned unopened', amend: { containers: '2', invoice: 'INV-78/R' }, witness, by: nurse }))
  const move = await seqOf(ledger.transfer({ product: 'MDZ-1', lot: 'M88', containers: 3, from: 'SAFE-1', to: 'LOCKBOX-2', by: nurse }))
  await seqOf(ledger.correct({ seq: move, reason: 'the transfer did not take place', witness, by: nurse }))
  const opened = await seqOf(ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })) // C-0004
  await seqOf(ledger.correct({ seq: opened, reason: 'opened in error, vial still sealed', witness, by: nurse }))
  const spill = await seqOf(ledger.waste({ container: 'C-0003', amount: '1mL', reason: 'spill', witness, by: nurse }))
  await seqOf(ledger.correct({ seq: spill, reason: 'spill was half that', amend: { amount: '25mg' }, witness, by: nurse }))
  await seqOf(ledger.correct({ seq: spill, reason: 'no spill happened; entered for the wrong vial', witness, by: nurse }))
  await seqOf(ledger.deactivateUser({ username: 'rlopez', reason: 'left the clinic', by: pic }))
  const big = await seqOf(ledger.administer({ container: 'C-0003', dose: '50mg', drawn: '1.2mL', patient: 'P-1050', by: doctor }, { requestId: 'dose-7f3a' }))
  const retry = await ledger.administer({ container: 'C-0003', dose: '50mg', drawn: '1.2mL', patient: 'P-1050', by: doctor }, { requestId: 'dose-7f3a' })
  if (!retry.replayed || retry.stored.entry.seq !== big) throw new Error('an idempotent retry appended a second entry')
  await seqOf(ledger.waste({ administration: big, amount: '0.2mL', reason: 'excess drawn', witness: pic, by: doctor }))
  const correction = await seqOf(ledger.correct({ seq: big, reason: 'order was 45 mg', amend: { dose: '45mg', prescriber: 'drlee' }, witness: pic, by: nurse }))
  const head = (await ledger.store.read().head())!.seq
  return { receipt, transfer, firstOpening, administration, doseWaste, containerWaste, correction, head }
}
