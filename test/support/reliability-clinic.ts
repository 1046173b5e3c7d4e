import { Ledger, type Principal } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { SAMPLE_PASSPHRASE, TEST_KDF } from './build-sample-ledger.ts'

/**
 * The clinic the reliability suites write to: a PIC, `nurses` nurses (nurse1..nurseN), a
 * physician, one safe, ketamine 50 mg/mL × 10 mL vials, a zero initial inventory, a stock of
 * sealed vials and `openContainers` containers already open (C-0001, C-0002, …).
 */
export interface ReliabilityClinic {
  readonly ledgerId: string
  /** The last seq written by the setup: entries after it are the suite's own. */
  readonly setupHead: number
  /** Open containers, in order of opening. */
  readonly containers: readonly string[]
}

export const CLINIC = {
  location: 'SAFE-1',
  product: 'KET-50',
  lot: 'K2417A',
  expires: '2030-01-31',
  supplier: { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563' },
  passphrase: SAMPLE_PASSPHRASE,
} as const

/** Principals are proven by a passphrase once; the library trusts the object it is handed. */
export const as = (username: string): Principal => ({ username })

/**
 * Writes the clinic into a new file through the library (cheap scrypt parameters), then closes it.
 *
 * @example
 * const clinic = await prepareClinic(tmp.file('clinic.db'), { nurses: 4, sealed: 50, openContainers: 1 })
 */
export async function prepareClinic(file: string, options: { nurses?: number; sealed?: number; openContainers?: number } = {}): Promise<ReliabilityClinic> {
  const nurses = options.nurses ?? 4
  const store = await openSqliteStore(file, { create: true })
  try {
    const L = new Ledger({ store, kdf: TEST_KDF })
    const ledgerId = crypto.randomUUID()
    await L.init({ registrant: 'Reliable Ketamine Clinic', address: '3 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: CLINIC.passphrase, ledgerId })
    const pic = await L.authenticate('pic', CLINIC.passphrase)
    for (let n = 1; n <= nurses; n++) await L.addUser({ username: `nurse${n}`, name: `Nurse ${n}`, role: 'nurse', passphrase: CLINIC.passphrase, by: pic })
    await L.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: CLINIC.passphrase, by: pic })
    await L.addLocation({ code: CLINIC.location, name: 'Main safe', by: pic })
    await L.addProduct({ code: CLINIC.product, drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
    await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await store.read().head())!.seq, items: [], by: pic, witness: as('nurse1') })
    const sealed = options.sealed ?? 20
    if (sealed > 0) await L.receive({ product: CLINIC.product, lot: CLINIC.lot, expires: CLINIC.expires, containers: sealed, location: CLINIC.location, ...CLINIC.supplier, invoice: 'INV-SETUP', by: pic })
    const containers: string[] = []
    for (let i = 0; i < (options.openContainers ?? 0); i++) {
      const r = await L.open({ product: CLINIC.product, lot: CLINIC.lot, location: CLINIC.location, by: pic })
      containers.push((r.stored.entry.data as { container: string }).container)
    }
    return { ledgerId, setupHead: (await store.read().head())!.seq, containers }
  } finally {
    await store.close()
  }
}
