import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type CliArg, describeArgs, envelope } from '../support/cli.ts'
import { CLINIC, type ClinicFacts, type LedgerDir, PEOPLE, type Signers, day } from '../support/clinic.ts'
import { sharedClinic } from '../support/shared-clinic.ts'

// Each spawn of bin/csledger is a real process; on a busy 2-core machine a sequence of them
// (and the shared fixture, built once per run) can take minutes, so the bounds are generous.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

/**
 * The hostile-input battery: what a tired person, a bad barcode scan or a hostile script could
 * type, against the real bin/csledger on a copy of the clinic fixture. Each case asserts the exit
 * code, the error code in the one --json document, that nothing went to stderr, and that the
 * exported chain is byte-identical before and after (nothing was appended, nothing changed).
 */

interface HostileCase {
  readonly name: string
  readonly args: (f: ClinicFacts) => CliArg[]
  readonly signers?: Signers
  readonly exit: number
  readonly code: string
}

const TEN_KB = 'x'.repeat(10_240)
const NOT_UTF8 = (prefix: string, suffix = '') => Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0xfe]), Buffer.from(suffix)])

const dose = (amount: CliArg, extra: CliArg[] = []) => (f: ClinicFacts): CliArg[] => ['administer', '--container', f.container, '--dose', amount, '--patient', 'P-1042', '--by', 'nkim', ...extra]
const waste = (extra: CliArg[]) => (f: ClinicFacts): CliArg[] => ['waste', '--container', f.container, '--amount', '1mg', '--reason', 'end of day', ...extra]
const open = (product: CliArg, lot: CliArg, location: CliArg = 'SAFE-1') => (): CliArg[] => ['open', '--product', product, '--lot', lot, '--location', location, '--by', 'nkim']
const receive = (over: Record<string, CliArg>) => (f: ClinicFacts): CliArg[] => {
  const flags: Record<string, CliArg> = { product: 'KET-50', lot: 'K2417A', expires: f.expires, containers: '2', location: 'SAFE-1', supplier: 'Acme Wholesale', 'supplier-address': '9 Depot Rd', 'supplier-dea': 'AB1234563', invoice: 'INV-1', by: 'nkim', ...over }
  return ['receive', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]
}
const productAdd = (ndc: string) => (): CliArg[] => ['product', 'add', 'KET-10', '--drug', 'ketamine', '--ndc', ndc, '--concentration', '10mg/mL', '--volume', '20mL', '--dose-form', 'multi-dose', '--by', 'pkim']
const nurse: Signers = { as: 'nkim' }
const nurseAndWitness: Signers = { as: 'nkim', witness: 'rjones' }

const CASES: readonly HostileCase[] = [
  // Quantities
  { name: 'negative dose', args: dose('-5mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'zero dose', args: dose('0mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'zero dose written 0.000mL', args: dose('0.000mL'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'NaN', args: dose('NaN'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'NaNmg', args: dose('NaNmg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'Infinity mg', args: dose('Infinitymg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: '1e309 (overflows a double)', args: dose('1e309'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: '1e309mg', args: dose('1e309mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: '0.1e1mg (exponent that parseFloat would read as 1)', args: dose('0.1e1mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'hexadecimal 0x10mg', args: dose('0x10mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'thousands separator 1,000mg', args: dose('1,000mg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'wrong unit: grams', args: dose('5g'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'wrong unit: micrograms', args: dose('500mcg'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'no unit', args: dose('35'), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'more than 4 decimal places', args: dose('5.00001mg'), signers: nurse, exit: 2, code: 'TOO_PRECISE' },
  { name: 'dose above what the container holds (460 mg left)', args: dose('460.5mg'), signers: nurse, exit: 3, code: 'DRAW_EXCEEDS_CONTAINER' },
  { name: 'drawn less than the dose', args: dose('35mg', ['--drawn', '30mg']), signers: nurse, exit: 3, code: 'DOSE_EXCEEDS_DRAWN' },
  { name: 'waste more than the container holds', args: (f) => ['waste', '--container', f.container, '--amount', '9.3mL', '--reason', 'end of day', '--by', 'nkim', '--witness', 'rjones'], signers: nurseAndWitness, exit: 3, code: 'INSUFFICIENT_STOCK' },
  { name: 'waste more than a dose left undelivered', args: (f) => ['waste', '--administration', String(f.dose), '--amount', '0.1mg', '--reason', 'again', '--by', 'nkim', '--witness', 'rjones'], signers: nurseAndWitness, exit: 3, code: 'WASTE_EXCEEDS_REMAINDER' },
  { name: 'zero containers', args: receive({ containers: '0' }), signers: nurse, exit: 2, code: 'INVALID_COUNT' },
  { name: 'negative containers', args: () => ['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '-1', '--from', 'SAFE-1', '--to', 'LOCKBOX-2', '--by', 'nkim'], signers: nurse, exit: 2, code: 'INVALID_COUNT' },
  { name: 'fractional containers', args: receive({ containers: '2.5' }), signers: nurse, exit: 2, code: 'INVALID_COUNT' },
  { name: 'containers in exponent form 1e3', args: receive({ containers: '1e3' }), signers: nurse, exit: 2, code: 'INVALID_COUNT' },
  { name: 'transfer more sealed containers than on hand', args: () => ['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '10', '--from', 'SAFE-1', '--to', 'LOCKBOX-2', '--by', 'nkim'], signers: nurse, exit: 3, code: 'INSUFFICIENT_STOCK' },

  // Unknown things
  { name: 'unknown product', args: open('KET-99', 'K2417A'), signers: nurse, exit: 3, code: 'UNKNOWN_PRODUCT' },
  { name: 'lot not yet received', args: open('KET-50', 'K9999Z'), signers: nurse, exit: 3, code: 'UNKNOWN_LOT' },
  { name: 'unknown location', args: open('KET-50', 'K2417A', 'SAFE-9'), signers: nurse, exit: 3, code: 'UNKNOWN_LOCATION' },
  { name: 'unknown container', args: () => ['administer', '--container', 'C-9999', '--dose', '5mg', '--patient', 'P-1042', '--by', 'nkim'], signers: nurse, exit: 3, code: 'UNKNOWN_CONTAINER' },
  { name: 'unknown user', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', 'ghost'], signers: nurse, exit: 77, code: 'UNKNOWN_USER' },
  { name: 'unknown witness', args: waste(['--by', 'nkim', '--witness', 'ghost']), signers: nurseAndWitness, exit: 77, code: 'UNKNOWN_USER' },
  { name: 'correcting an entry that does not exist', args: () => ['correct', '9999', '--reason', 'typo', '--by', 'nkim', '--witness', 'rjones'], signers: nurseAndWitness, exit: 3, code: 'UNKNOWN_ENTRY' },
  { name: 'co-signing a waste that does not exist', args: () => ['cosign', '9999', '--by', 'drlee'], signers: { as: 'drlee' }, exit: 3, code: 'UNKNOWN_WASTE' },

  // Dates and times
  { name: 'opening a container of an expired lot', args: open('KET-50', 'OLD1'), signers: nurse, exit: 3, code: 'LOT_EXPIRED' },
  { name: 'receiving a lot that has already expired', args: receive({ lot: 'OLD2', expires: day(-1) }), signers: nurse, exit: 3, code: 'LOT_EXPIRED' },
  { name: 'expiry date that does not exist', args: receive({ lot: 'K2', expires: '2027-02-30' }), signers: nurse, exit: 2, code: 'INVALID_DATE' },
  { name: 'an event in the future', args: dose('5mg', ['--at', `${day(2)}T09:00:00Z`]), signers: nurse, exit: 3, code: 'FUTURE_TIME' },
  { name: 'a time without a zone', args: dose('5mg', ['--at', `${day(0)}T09:00:00`]), signers: nurse, exit: 2, code: 'INVALID_TIME' },

  // People, roles and passphrases
  { name: 'witness = actor', args: waste(['--by', 'nkim', '--witness', 'nkim']), signers: { as: 'nkim', witness: 'nkim' }, exit: 3, code: 'WITNESS_IS_ACTOR' },
  { name: 'nurse co-signing a waste', args: (f) => ['cosign', String(f.pendingWaste), '--by', 'rjones'], signers: { as: 'rjones' }, exit: 77, code: 'ROLE_FORBIDDEN' },
  { name: 'auditor recording a dose', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', 'audra'], signers: { as: 'audra' }, exit: 77, code: 'ROLE_FORBIDDEN' },
  { name: 'auditor receiving stock', args: receive({ by: 'audra' }), signers: { as: 'audra' }, exit: 77, code: 'ROLE_FORBIDDEN' },
  { name: 'auditor as a waste witness', args: waste(['--by', 'nkim', '--witness', 'audra']), signers: { as: 'nkim', witness: 'audra' }, exit: 77, code: 'ROLE_FORBIDDEN' },
  { name: 'nurse adding a user', args: () => ['user', 'add', 'eve', '--name', 'Eve', '--role', 'pic', '--by', 'nkim'], signers: { as: 'nkim', newPassphrase: 'eve: a long passphrase' }, exit: 77, code: 'ROLE_FORBIDDEN' },
  { name: 'wrong passphrase', args: dose('5mg'), signers: { env: { CSLEDGER_PASSPHRASE: 'nkim: copper lantern 8' } }, exit: 77, code: 'BAD_PASSPHRASE' },
  { name: 'passphrase in the wrong case', args: dose('5mg'), signers: { env: { CSLEDGER_PASSPHRASE: PEOPLE.nkim.passphrase.toUpperCase() } }, exit: 77, code: 'BAD_PASSPHRASE' },
  { name: "the actor's passphrase given for the witness", args: waste(['--by', 'nkim', '--witness', 'rjones']), signers: { as: 'nkim', env: { CSLEDGER_WITNESS_PASSPHRASE: PEOPLE.nkim.passphrase } }, exit: 77, code: 'BAD_PASSPHRASE' },
  { name: 'no passphrase at a non-terminal', args: dose('5mg'), signers: {}, exit: 77, code: 'PASSPHRASE_REQUIRED' },
  { name: 'deactivated user acting', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', 'tgone'], signers: { as: 'tgone' }, exit: 77, code: 'USER_DEACTIVATED' },
  { name: 'deactivated user as witness', args: waste(['--by', 'nkim', '--witness', 'tgone']), signers: { as: 'nkim', witness: 'tgone' }, exit: 77, code: 'USER_DEACTIVATED' },
  { name: 'prescriber who is a nurse', args: dose('5mg', ['--prescriber', 'rjones']), signers: nurse, exit: 3, code: 'PRESCRIBER_NOT_PHYSICIAN' },

  // Malformed registration numbers and codes
  { name: 'malformed supplier DEA number (too short)', args: receive({ 'supplier-dea': 'AB12345' }), signers: nurse, exit: 2, code: 'INVALID_DEA_NUMBER' },
  { name: 'malformed supplier DEA number (digit for a letter)', args: receive({ 'supplier-dea': 'A11234563' }), signers: nurse, exit: 2, code: 'INVALID_DEA_NUMBER' },
  { name: 'supplier DEA number failing its check digit', args: receive({ 'supplier-dea': 'AB1234567' }), signers: nurse, exit: 3, code: 'DEA_CHECK_WARNING' },
  { name: 'NDC without hyphens', args: productAdd('6745710810'), signers: { as: 'pkim' }, exit: 2, code: 'INVALID_NDC' },
  { name: 'NDC with impossible segments (3-4-2)', args: productAdd('674-5710-10'), signers: { as: 'pkim' }, exit: 2, code: 'INVALID_NDC' },

  // SQL and shell metacharacters
  { name: 'SQL in the patient reference', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', "P-1'; DROP TABLE ledger_entry;--", '--by', 'nkim'], signers: nurse, exit: 2, code: 'INVALID_IDENTIFIER' },
  { name: 'SQL tautology as a container id', args: () => ['administer', '--container', "C' OR '1'='1", '--dose', '5mg', '--patient', 'P-1042', '--by', 'nkim'], signers: nurse, exit: 3, code: 'UNKNOWN_CONTAINER' },
  { name: 'SQL tautology as a username', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', "nkim' OR '1'='1"], signers: nurse, exit: 77, code: 'UNKNOWN_USER' },
  { name: 'shell substitution in a lot number', args: open('KET-50', '$(rm -rf ~)'), signers: nurse, exit: 2, code: 'INVALID_IDENTIFIER' },
  { name: 'backticks and a pipe in a product code', args: open('`id`|sh', 'K2417A'), signers: nurse, exit: 2, code: 'INVALID_IDENTIFIER' },
  { name: 'terminal escape sequence in a reason', args: (f) => ['waste', '--container', f.container, '--amount', '1mg', '--reason', 'ok\u001b[2J\u001b]0;pwned\u0007', '--by', 'nkim', '--witness', 'rjones'], signers: nurseAndWitness, exit: 2, code: 'INVALID_TEXT' },

  // Very long strings
  { name: '10 kB reason', args: waste(['--reason', TEN_KB, '--by', 'nkim', '--witness', 'rjones']), signers: nurseAndWitness, exit: 2, code: 'TOO_LONG' },
  { name: '10 kB patient reference', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', TEN_KB, '--by', 'nkim'], signers: nurse, exit: 2, code: 'TOO_LONG' },
  { name: '10 kB container id', args: () => ['administer', '--container', TEN_KB, '--dose', '5mg', '--patient', 'P-1042', '--by', 'nkim'], signers: nurse, exit: 2, code: 'TOO_LONG' },
  { name: '10 kB username', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', TEN_KB], signers: nurse, exit: 77, code: 'UNKNOWN_USER' },
  { name: '10 kB dose', args: dose(`${TEN_KB}mg`), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },

  // Bytes that are not UTF-8 (0xff 0xfe reach the process as raw argv bytes)
  { name: 'non-UTF-8 bytes in a patient reference', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', NOT_UTF8('P-'), '--by', 'nkim'], signers: nurse, exit: 2, code: 'INVALID_TEXT' },
  { name: 'non-UTF-8 bytes in a reason', args: waste(['--reason', NOT_UTF8('spilled ', ' on the floor'), '--by', 'nkim', '--witness', 'rjones']), signers: nurseAndWitness, exit: 2, code: 'INVALID_TEXT' },
  { name: 'non-UTF-8 bytes in a dose', args: dose(NOT_UTF8('5', 'mg')), signers: nurse, exit: 2, code: 'INVALID_QUANTITY' },
  { name: 'non-UTF-8 bytes in a username', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--patient', 'P-1042', '--by', NOT_UTF8('nk', 'im')], signers: nurse, exit: 77, code: 'UNKNOWN_USER' },

  // Usage
  { name: 'unknown option', args: () => ['administer', '--container', 'C-0001', '--dose-mg', '5'], exit: 2, code: 'USAGE' },
  { name: 'missing required option at a non-terminal', args: () => ['administer', '--container', 'C-0001', '--dose', '5mg', '--by', 'nkim'], signers: nurse, exit: 2, code: 'MISSING_OPTION' },
  { name: 'a co-sign target that is not a number', args: () => ['cosign', '12abc', '--by', 'drlee'], signers: { as: 'drlee' }, exit: 2, code: 'USAGE' },
  { name: 'waste naming both a container and a dose', args: (f) => ['waste', '--container', f.container, '--administration', String(f.dose), '--amount', '1mg', '--reason', 'x', '--by', 'nkim', '--witness', 'rjones'], signers: nurseAndWitness, exit: 2, code: 'WASTE_TARGET' },
  { name: 'init over an existing ledger', args: () => ['init', '--registrant', 'Other Clinic', '--address', '1 Main St', '--dea', CLINIC.dea, '--admin', 'eve', '--admin-name', 'Eve'], signers: { newPassphrase: 'eve: a long passphrase' }, exit: 3, code: 'ALREADY_INITIALISED' },
]

describe('hostile input leaves the ledger untouched', () => {
  let template: LedgerDir
  let facts: ClinicFacts
  let before: Buffer
  const copies: LedgerDir[] = []
  beforeAll(async () => {
    ;({ template, facts } = await sharedClinic())
    const probe = await template.copy()
    copies.push(probe)
    before = await probe.exportChain()
  })
  afterAll(async () => { await Promise.all(copies.map((c) => c.remove())) })

  test('the battery has at least 40 cases, each with a distinct name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40)
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length)
  })

  test.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const l = await template.copy()
    copies.push(l)
    const run = await l.run([...c.args(facts), '--json'], c.signers)
    const doc = envelope(run)
    const summary = `csledger ${describeArgs(run.args)}\nexit ${run.code}\n${run.stdout}${run.stderr}`
    expect(doc.ok, summary).toBe(false)
    expect(doc.ok ? undefined : doc.error.code, summary).toBe(c.code)
    expect(run.code, summary).toBe(c.exit)
    expect(run.stderr, summary).toBe('')
    expect((await l.exportChain()).equals(before), 'the exported chain changed').toBe(true)
  })
})
