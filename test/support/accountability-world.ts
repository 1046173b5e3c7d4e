/**
 * A small clinic ledger for the accountability tests (counts, reconciliation, losses, disposal,
 * inventories, clocks), built through the real Ledger service with an injected clock and cheap
 * scrypt parameters. The same builder writes the SQLite fixture the CLI end-to-end tests copy.
 *
 * The clinic, as a ledger (times are UTC; the registrant is in America/New_York):
 *
 *   2026-11-23 14:00  registrant Calm Waters Ketamine Clinic, PIC pkim
 *                     users nkim (nurse), rmoss (nurse), drlee (physician), audra (auditor)
 *                     locations SAFE-1, LOCKBOX-2
 *                     products KET-50 ketamine 50 mg/mL x 10 mL multi-dose (NDC 67457-108-10)
 *                              MDZ-5 midazolam 5 mg/mL x 10 mL multi-dose (NDC 0409-2596-05)
 *                     initial inventory, opening of business, zero
 *   2026-11-23 15:00  receipt KET-50 lot K2417A (exp 2028-03-31) x 4 into SAFE-1
 *                     receipt MDZ-5 lot M7788 (exp 2026-12-31) x 2 into SAFE-1
 *                     receipt KET-50 lot K2501B (exp 2028-06-30) x 2 into LOCKBOX-2
 *   2026-11-27 14:00  open C-0001 (KET-50 lot K2417A at SAFE-1), beyond use 2026-12-25
 *   2026-11-27 14:10  administer 3.65 mL from C-0001 to P-1001: 6.35 mL left
 *
 * SAFE-1 then holds 3 sealed K2417A, 2 sealed M7788 and C-0001 with 6.35 mL (distinctive values,
 * so a test can tell whether an expected value ever reached the screen).
 */
import { type Clock, Ledger, type LedgerStore, type Principal, createInMemoryLedgerStore, fixedClock } from '@csledger/ledger-core'

export const PASSPHRASE = 'correct horse battery'
/** Cheap scrypt for tests (the CLI verifies whatever parameters a hash records). */
export const TEST_KDF = { N: 1024, r: 8, p: 1 } as const
export const CLINIC_TZ = 'America/New_York'
export const CLINIC = { name: 'Calm Waters Ketamine Clinic', address: '12 Elm St, Springfield, OH 45501', dea: 'BJ6125341' } as const
export const SUPPLIER = { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd, Columbus OH', supplierDea: 'AB1234563' } as const

export const PIC: Principal = { username: 'pkim' }
export const NURSE: Principal = { username: 'nkim' }
export const NURSE2: Principal = { username: 'rmoss' }
export const DOC: Principal = { username: 'drlee' }
export const AUDITOR: Principal = { username: 'audra' }

/** When the fixture's last entry was recorded (the CLI tests run at or after this time). */
export const FIXTURE_END = '2026-11-27T14:10:00.000Z'

export type TestClock = Clock & { set(iso: string): void; advance(ms: number): void }

export interface World {
  readonly ledger: Ledger
  readonly store: LedgerStore
  readonly clock: TestClock
  /** Moves the clock to `iso` (a UTC instant). */
  at(iso: string): void
  /** The seq of the last entry. */
  head(): Promise<number>
}

export interface WorldOptions {
  readonly store?: LedgerStore
  readonly timezone?: string
  /** Stop after the catalog and the initial inventory (no receipts). */
  readonly empty?: boolean
  /** Stop after the catalog, before the initial inventory. */
  readonly noInventory?: boolean
}

/** Builds the clinic described at the top of this file. */
export async function buildWorld(options: WorldOptions = {}): Promise<World> {
  const store = options.store ?? createInMemoryLedgerStore()
  const clock = fixedClock('2026-11-23T14:00:00Z')
  const ledger = new Ledger({ store, clock, kdf: TEST_KDF })
  const world: World = {
    ledger, store, clock,
    at: (iso) => clock.set(iso),
    head: async () => (await store.read().head())?.seq ?? 0,
  }
  await ledger.init({ registrant: CLINIC.name, address: CLINIC.address, dea: CLINIC.dea, admin: 'pkim', adminName: 'Pat Kim', passphrase: PASSPHRASE, ledgerId: 'acc0a7e5-0000-4000-8000-000000000001', timezone: options.timezone ?? CLINIC_TZ })
  await ledger.addUser({ username: 'nkim', name: 'Nora Kim', role: 'nurse', passphrase: PASSPHRASE, by: PIC })
  await ledger.addUser({ username: 'rmoss', name: 'Rita Moss', role: 'nurse', passphrase: PASSPHRASE, by: PIC })
  await ledger.addUser({ username: 'drlee', name: 'Dana Lee', role: 'physician', passphrase: PASSPHRASE, by: PIC })
  await ledger.addUser({ username: 'audra', name: 'Audra Hale', role: 'auditor', passphrase: PASSPHRASE, by: PIC })
  await ledger.addLocation({ code: 'SAFE-1', name: 'Main safe, med room', by: PIC })
  await ledger.addLocation({ code: 'LOCKBOX-2', name: 'Procedure room lockbox', by: PIC })
  await ledger.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: PIC })
  await ledger.addProduct({ code: 'MDZ-5', drug: 'midazolam', ndc: '0409-2596-05', concentration: '5mg/mL', volume: '10mL', doseForm: 'multi-dose', by: PIC })
  if (options.noInventory) return world
  await ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: await world.head(), items: [], by: PIC, witness: NURSE })
  if (options.empty) return world
  world.at('2026-11-23T15:00:00Z')
  await ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2028-03-31', containers: 4, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-1001', by: NURSE })
  await ledger.receive({ product: 'MDZ-5', lot: 'M7788', expires: '2026-12-31', containers: 2, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-1002', by: NURSE })
  await ledger.receive({ product: 'KET-50', lot: 'K2501B', expires: '2028-06-30', containers: 2, location: 'LOCKBOX-2', ...SUPPLIER, invoice: 'INV-1003', by: NURSE })
  world.at('2026-11-27T14:00:00Z')
  await ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: NURSE })
  world.at(FIXTURE_END)
  await ledger.administer({ container: 'C-0001', dose: '3.65mL', patient: 'P-1001', by: NURSE })
  return world
}

/** Every item at SAFE-1 counted exactly as the book has it. */
export const EXACT_SAFE_1 = [
  { ref: 'K2417A', value: '3' },
  { ref: 'M7788', value: '2' },
  { ref: 'C-0001', value: '6.35mL' },
] as const

/** The count: one sealed K2417A missing, C-0001 0.4 mL short. */
export const SHORT_SAFE_1 = [
  { ref: 'K2417A', value: '2' },
  { ref: 'M7788', value: '2' },
  { ref: 'C-0001', value: '5.95mL' },
] as const
