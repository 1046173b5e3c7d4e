import { type Ledger, fixedClock } from '@csledger/ledger-core'

/** Seqs of entries the tamper tests aim at. */
export interface ClinicSeqs {
  readonly initialInventory: number
  readonly receipt: number
  readonly transfer: number
  readonly firstOpening: number
  readonly administration: number
  readonly doseWaste: number
  readonly containerWaste: number
  /** An amendment that goes below zero half-way (reversal first) but ends at or above zero. */
  readonly endStateAmendment: number
  /** The amendment of a dose that has waste recorded against it. */
  readonly correction: number
  readonly setting: number
  readonly count: number
  readonly lateAdministration: number
  readonly documentationReconciliation: number
  readonly lossReconciliation: number
  readonly directLoss: number
  readonly lossNotice: number
  readonly lossFiling: number
  /** The disposal by destruction; it takes the last sealed KET-50 K2417A from SAFE-1. */
  readonly destruction: number
  readonly reverseDistribution: number
  readonly biennialInventory: number
  readonly head: number
}

/** The clock the clinic ledger is written with (each step moves it on a few minutes). */
export function clinicClock(): ReturnType<typeof fixedClock> {
  return fixedClock('2026-11-02T13:00:00.000Z')
}

const PASS = 'correct horse battery staple'
/** The registrant's time zone: business days, beyond-use dates and local dates are reckoned in it. */
export const CLINIC_TIMEZONE = 'America/Chicago'

/**
 * Writes a small clinic's history through the library, touching every entry kind and every
 * correction path: users and a deactivation, two locations, ketamine and midazolam products, a
 * zero initial inventory before the first receipt, receipts (one with a supplier DEA override),
 * transfers, openings, doses in mg and in mL with and without a prescriber, dose waste and
 * container waste, a co-sign, amendments and voids of receipts, transfers, openings, doses and
 * waste (one amendment valid only by its end state), an idempotent retry, free text that needs
 * escaping (quotes, backslash, tab, newline, non-ASCII, an emoji); then a setting change, a blind
 * count with two discrepancies (one reconciled as a documentation error by a late dose, one as a
 * loss), a direct theft with its notice and Form 106 filings (one amended), disposals by
 * destruction and to a reverse distributor, and a biennial inventory.
 *
 * @example
 * const clock = clinicClock()
 * const seqs = await buildClinicLedger(new Ledger({ store, clock }), clock)
 */
export async function buildClinicLedger(ledger: Ledger, clock: ReturnType<typeof fixedClock>): Promise<ClinicSeqs> {
  const step = () => clock.advance(7 * 60_000 + 13_250)
  const seqOf = async (p: Promise<{ stored: { entry: { seq: number } } }>) => { const r = await p; step(); return r.stored.entry.seq }
  const head = async () => (await ledger.store.read().head())!.seq

  await seqOf(ledger.init({ registrant: 'Ávila Ketamine Clinic, PLLC', address: '410 Elm St, Suite 2, Springfield, IL 62701', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: PASS, ledgerId: 'a2b3c4d5-0000-4000-8000-00000000c11c', timezone: CLINIC_TIMEZONE }))
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
  // 21 CFR 1304.11(b): the initial inventory comes before the first receipt; nothing is on hand yet.
  const initialInventory = await seqOf(ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: await head(), items: [], by: pic, witness: nurse }))
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
  // Both containers of K2419B go to the lockbox; then the receipt is raised to 3. Taking the old
  // receipt back first would leave SAFE-1 at -2; only the end state (1 at SAFE-1) must be >= 0.
  const k2419b = await seqOf(ledger.receive({ product: 'KET-50', lot: 'K2419B', expires: '2028-09-30', containers: 2, location: 'SAFE-1', supplier: 'Müller Wholesale', supplierAddress: '9 Depot Rd, Columbus, OH', supplierDea: 'AB1234563', invoice: 'INV-1002', by: nurse }))
  await seqOf(ledger.transfer({ product: 'KET-50', lot: 'K2419B', containers: 2, from: 'SAFE-1', to: 'LOCKBOX-2', by: nurse }))
  const endStateAmendment = await seqOf(ledger.correct({ seq: k2419b, reason: 'the packing slip lists 3 vials; one was left in the carton', amend: { containers: '3' }, witness, by: nurse }))
  await seqOf(ledger.deactivateUser({ username: 'rlopez', reason: 'left the clinic', by: pic }))
  const big = await seqOf(ledger.administer({ container: 'C-0003', dose: '50mg', drawn: '1.2mL', patient: 'P-1050', by: doctor }, { requestId: 'dose-7f3a' }))
  const retry = await ledger.administer({ container: 'C-0003', dose: '50mg', drawn: '1.2mL', patient: 'P-1050', by: doctor }, { requestId: 'dose-7f3a' })
  if (!retry.replayed || retry.stored.entry.seq !== big) throw new Error('an idempotent retry appended a second entry')
  await seqOf(ledger.waste({ administration: big, amount: '0.2mL', reason: 'excess drawn', witness: pic, by: doctor }))
  const correction = await seqOf(ledger.correct({ seq: big, reason: 'order was 45 mg', amend: { dose: '45mg', prescriber: 'drlee' }, witness: pic, by: nurse }))

  // Tuesday morning: a tighter tolerance, a vial opened at 08:05, a dose at 08:30 not charted, then the count.
  clock.set('2026-11-03T15:00:00.000Z')
  const setting = await seqOf(ledger.setSetting({ name: 'count_tolerance_ml', value: '0.20', by: pic }))
  await seqOf(ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', at: '2026-11-03T08:05:00-06:00', by: nurse })) // C-0005
  const count = await seqOf(ledger.count({
    location: 'SAFE-1', basedOnSeq: await head(), by: nurse, witness: doctor,
    items: [
      { ref: 'KET-50:K2417A', value: '1' }, // the book says 2: D-0001
      { ref: 'K2419B', value: '1' },
      { ref: 'M88', value: '9' },
      { ref: 'SAFE-1/M91', value: '2' },
      { ref: 'C-0005', value: '9.5mL ~' }, // the book says 10 mL: D-0002
    ],
  }))
  const lateAdministration = await seqOf(ledger.administer({ container: 'C-0005', dose: '25mg', patient: 'P-1060', prescriber: 'drlee', at: '2026-11-03T08:30:00-06:00', by: nurse }))
  const documentationReconciliation = await seqOf(ledger.reconcile({ discrepancy: 'D-0002', reason: 'documentation-error', note: 'the 08:30 dose for P-1060 was charted after the count', linked: [lateAdministration], by: pic }))
  const lossReconciliation = await seqOf(ledger.reconcile({ discrepancy: 'D-0001', reason: 'loss', note: 'one sealed vial not found after a search of the safe', by: pic }))
  await seqOf(ledger.lossNotice({ loss: 'L-0001', method: 'email', to: 'DEA Chicago Field Division', by: pic }))

  // Friday evening: the lockbox is found forced open.
  clock.set('2026-11-06T23:10:00.000Z')
  const directLoss = await seqOf(ledger.loss({
    type: 'theft', note: 'lockbox found forced open; two midazolam vials and part of an open ketamine vial gone', discoveredAt: '2026-11-06T16:45:00-06:00', by: pic,
    items: [{ location: 'SAFE-1', product: 'MDZ-1', lot: 'M88', containers: 2 }, { container: 'C-0003', amount: '1mL' }],
  }))
  clock.set('2026-11-09T15:00:00.000Z')
  const lossNotice = await seqOf(ledger.lossNotice({ loss: 'L-0002', method: 'fax and email', to: 'DEA Chicago Field Division; Springfield PD report 26-4471', at: '2026-11-07T09:00:00-06:00', by: pic }))
  const lossFiling = await seqOf(ledger.lossFiling({ loss: 'L-0002', confirmation: 'TLR-2026-004417', by: pic }))
  await seqOf(ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-2026-004418', by: pic }))
  await seqOf(ledger.lossFiling({ loss: 'L-0001', confirmation: 'TLR-2026-004418-A1', by: pic })) // amended

  // December: C-0003 is past its beyond-use date (opened 2 November, 28 days).
  clock.set('2026-12-01T16:00:00.000Z')
  const destruction = await seqOf(ledger.dispose({
    method: 'destruction', reason: 'past beyond-use date; one vial from a damaged carton', by: nurse, witness: pic,
    destruction: { method: 'rendered non-retrievable in a chemical digestion container', place: 'med room 104, 410 Elm St' },
    items: [{ container: 'C-0003' }, { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', containers: 1 }],
  }))
  const reverseDistribution = await seqOf(ledger.dispose({
    method: 'reverse-distributor', reason: 'recalled lot', by: nurse, witness: doctor,
    distributor: { name: 'Return Logistics, Inc.', address: '77 Harbor Rd, Peoria, IL', dea: 'AB1234563' },
    items: [{ location: 'SAFE-1', product: 'MDZ-1', lot: 'M91', containers: 2 }],
  }))
  const biennialInventory = await seqOf(ledger.inventory({
    type: 'biennial', at: 'close', basedOnSeq: await head(), by: pic, witness: nurse,
    items: [
      { ref: 'SAFE-1/KET-50:K2419B', value: '1' },
      { ref: 'SAFE-1/M88', value: '7' },
      { ref: 'LOCKBOX-2/K2419B', value: '2' },
      { ref: 'C-0005', value: '9.4mL' }, // the book says 9.5: within the 0.2 mL tolerance
    ],
  }))
  return {
    initialInventory, receipt, transfer, firstOpening, administration, doseWaste, containerWaste, endStateAmendment, correction,
    setting, count, lateAdministration, documentationReconciliation, lossReconciliation, directLoss, lossNotice, lossFiling,
    destruction, reverseDistribution, biennialInventory, head: await head(),
  }
}
