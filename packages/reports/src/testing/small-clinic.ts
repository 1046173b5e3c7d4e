import { Ledger, type LedgerStore, type Principal, createInMemoryLedgerStore, fixedClock } from '@csledger/ledger-core'
import { type AuditSource, sourceFromStore } from '../source/audit-source.ts'

/**
 * A small clinic for the report's unit tests: a registrant in New York, a PIC, two nurses and a
 * physician, a safe and an infusion-room lockbox, ketamine 50 mg/mL x 10 mL and midazolam
 * 1 mg/mL x 2 mL. Times are given in UTC (New York is UTC-5 in winter). The scrypt cost is
 * lowered for speed (tests only).
 */
export interface SmallClinic {
  readonly L: Ledger
  readonly store: LedgerStore
  readonly source: AuditSource
  /** Sets the clock (ISO-8601 UTC) for the next entries. */
  at(iso: string): void
  readonly pic: Principal
  readonly nurse: Principal
  readonly nurse2: Principal
  readonly doc: Principal
}

export async function smallClinic(): Promise<SmallClinic> {
  const clock = fixedClock('2027-03-01T11:00:00Z')
  const store = createInMemoryLedgerStore()
  const L = new Ledger({ store, clock, kdf: { N: 1024, r: 8, p: 1 } })
  const pass = 'test passphrase'
  await L.init({ registrant: 'Small Test Clinic', address: '1 Main St, Springfield', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: pass, ledgerId: '00000000-0000-4000-8000-000000000001', timezone: 'America/New_York' })
  const pic = await L.authenticate('pkim', pass)
  await L.addUser({ username: 'nora', name: 'Nora Nurse', role: 'nurse', passphrase: pass, by: pic })
  await L.addUser({ username: 'ned', name: 'Ned Nurse', role: 'nurse', passphrase: pass, by: pic })
  await L.addUser({ username: 'drlee', name: 'Dana Lee', role: 'physician', passphrase: pass, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addLocation({ code: 'CART-2', name: 'Infusion room', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  await L.addProduct({ code: 'MDZ-1', drug: 'midazolam', ndc: '70860-600-02', concentration: '1mg/mL', volume: '2mL', doseForm: 'single-dose', by: pic })
  return {
    L, store, source: sourceFromStore(store), at: (iso) => clock.set(iso), pic,
    nurse: await L.authenticate('nora', pass), nurse2: await L.authenticate('ned', pass), doc: await L.authenticate('drlee', pass),
  }
}

/** Counts a location exactly as the book says, except for the `override`s (ref → value). */
export async function countAsBook(c: SmallClinic, location: string, override: Record<string, string> = {}): Promise<number> {
  const sheet = await c.L.countSheet(location)
  const read = c.store.read()
  const items = [
    ...await Promise.all(sheet.sealed.map(async (s) => ({ ref: `${s.product}:${s.lot}`, value: String((await read.get('stock', `${location}|${s.product}|${s.lot}`))?.sealed ?? 0) }))),
    ...await Promise.all(sheet.open.map(async (o) => ({ ref: o.container, value: `${(await read.get('container', o.container))!.remaining_ml}mL` }))),
  ].map((i) => (override[i.ref] !== undefined ? { ...i, value: override[i.ref]! } : i))
  const r = await c.L.count({ location, basedOnSeq: sheet.based_on_seq, items, by: c.nurse, witness: c.nurse2 })
  return r.stored.entry.seq
}
