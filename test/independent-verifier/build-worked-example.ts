// Builds the worked example of docs/ledger-format.md: a three-entry ledger with a fixed clock and
// ledger id, so its export is the same bytes on every machine. Run it to print that export:
//   node --conditions=@csledger/source test/independent-verifier/build-worked-example.ts
import { Ledger, createInMemoryLedgerStore, fixedClock } from '@csledger/ledger-core'

/** The ledger id of the worked example. */
export const WORKED_EXAMPLE_LEDGER_ID = '3f9c1e52-7a4b-4d8e-9b21-6c0f5a7d2e13'

/**
 * Builds the worked example (registrant, location, product) on an in-memory store and returns
 * its JSONL export. Passphrase hashes are never part of an entry, so the random salt does not
 * change the bytes.
 *
 * @example
 * const jsonl = await buildWorkedExample()
 */
export async function buildWorkedExample(): Promise<string> {
  const clock = fixedClock('2026-11-02T14:05:00.000Z')
  const ledger = new Ledger({ store: createInMemoryLedgerStore(), clock, kdf: { N: 1024, r: 8, p: 1 } })
  const passphrase = 'example passphrase'
  await ledger.init({
    registrant: 'Ávila Ketamine Clinic, PLLC', address: '410 Elm St, Suite 2, Springfield, IL 62701', dea: 'BJ6125341',
    admin: 'pkim', adminName: 'Pat Kim', passphrase, ledgerId: WORKED_EXAMPLE_LEDGER_ID,
  })
  const pic = await ledger.authenticate('pkim', passphrase)
  clock.set('2026-11-02T14:06:30.000Z')
  await ledger.addLocation({ code: 'SAFE-1', name: 'Main safe, room 104', by: pic })
  clock.set('2026-11-02T14:07:15.250Z')
  await ledger.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '0409-2051-05', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  let out = ''
  for await (const line of ledger.exportJsonl()) out += line
  return out
}

if (import.meta.main) process.stdout.write(await buildWorkedExample())
