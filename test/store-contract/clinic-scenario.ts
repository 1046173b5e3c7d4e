import { type Clock, Ledger, type LedgerStore, type Principal, fixedClock } from '@csledger/ledger-core'

/** Low scrypt cost: the contract tests hash many passphrases and do not test the KDF. */
export const TEST_KDF = { N: 1024, r: 8, p: 1 } as const
export const PASS = 'correct horse battery'
export const START = '2026-03-02T09:00:00.000Z'

export interface Clinic {
  readonly ledger: Ledger
  readonly clock: ReturnType<typeof fixedClock>
  readonly pic: Principal
  readonly nurse: Principal
  readonly doc: Principal
}

/** How the clinic's ledger service is opened. */
export interface ClinicOptions {
  /** Signing on, as the CLI opens every ledger (docs/signatures.md): users get keys and every entry is signed. */
  readonly signing?: boolean
}

/** A ledger service on `store` whose clock moves one minute per write (so recorded_at orders entries). */
export function ledgerOn(store: LedgerStore, clock = fixedClock(START), options: ClinicOptions = {}): { ledger: Ledger; clock: ReturnType<typeof fixedClock> } {
  const ticking: Clock = { now: () => { const t = clock.now(); clock.advance(60_000); return t } }
  return { ledger: new Ledger({ store, clock: ticking, kdf: TEST_KDF, signing: options.signing ?? false }), clock }
}

/** init + users + a location + a product: entries 1-5. */
export async function initClinic(store: LedgerStore, ledgerId: string, clock = fixedClock(START), options: ClinicOptions = {}): Promise<Clinic> {
  const { ledger } = ledgerOn(store, clock, options)
  await ledger.init({ registrant: 'Contract Test Ketamine Clinic', address: '1 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: PASS, ledgerId })
  const pic = await ledger.authenticate('pic', PASS)
  await ledger.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: PASS, by: pic })
  await ledger.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: PASS, by: pic })
  await ledger.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await ledger.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  return { ledger, clock, pic, nurse: await ledger.authenticate('nurse', PASS), doc: await ledger.authenticate('doc', PASS) }
}

/**
 * The zero initial inventory a first receipt needs (once per ledger), then a receipt, an opened
 * vial, a dose with waste, a co-sign and a correction: entries 6-12 on a fresh clinic.
 */
export async function runClinicDay(c: Clinic): Promise<{ doseSeq: number; container: string }> {
  const { ledger, nurse, pic, doc } = c
  if (!(await ledger.store.read().get('inventory', 'last'))) {
    await ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await ledger.store.read().head())!.seq, items: [], by: pic, witness: nurse })
  }
  await ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 4, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  const opened = await ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
  const container = (opened.stored.entry.data as { container: string }).container
  const dose = await ledger.administer({ container, dose: '35mg', drawn: '0.8mL', patient: 'P-1042', by: nurse })
  const waste = await ledger.waste({ administration: dose.stored.entry.seq, amount: '5mg', reason: 'partial dose', witness: pic, by: nurse })
  await ledger.cosign({ waste: waste.stored.entry.seq, by: doc })
  await ledger.correct({ seq: dose.stored.entry.seq, reason: 'dose misread', amend: { dose: '30mg' }, witness: pic, by: nurse })
  return { doseSeq: dose.stored.entry.seq, container }
}
