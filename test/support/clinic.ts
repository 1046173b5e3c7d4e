import { copyFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type CliArg, type CliRun, bytes, csledger, dataOf, tempDir } from './cli.ts'

/** The people of the test clinic. Each has their own passphrase: a witness's is never the actor's. */
export const PEOPLE = {
  pkim: { name: 'Pat Kim', role: 'pic', passphrase: 'pkim: amber river 41' },
  nkim: { name: 'Nora Kim', role: 'nurse', passphrase: 'nkim: copper lantern 7' },
  rjones: { name: 'Rae Jones', role: 'nurse', passphrase: 'rjones: velvet harbor 3' },
  drlee: { name: 'Dr. Sam Lee', role: 'physician', passphrase: 'drlee: quiet meadow 58' },
  drpark: { name: 'Dr. Jin Park', role: 'physician', passphrase: 'drpark: silver orchard 12' },
  audra: { name: 'Audra Voss', role: 'auditor', passphrase: 'audra: marble compass 90' },
  tgone: { name: 'Tom Gone', role: 'nurse', passphrase: 'tgone: faded signal 66' },
} as const

export type Person = keyof typeof PEOPLE

/** Who signs a run: the actor (`--by`), a witness, and the passphrase of a user being created. */
export interface Signers {
  readonly as?: Person
  readonly witness?: Person
  /** CSLEDGER_NEW_PASSPHRASE for `init` / `user add`. */
  readonly newPassphrase?: string
  /** Anything else to put in the environment (overrides the above). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** The passphrase environment for a run (what a script at a non-terminal would set). */
export function signerEnv(s: Signers): Record<string, string | undefined> {
  return {
    ...(s.as ? { CSLEDGER_PASSPHRASE: PEOPLE[s.as].passphrase } : {}),
    ...(s.witness ? { CSLEDGER_WITNESS_PASSPHRASE: PEOPLE[s.witness].passphrase } : {}),
    ...(s.newPassphrase !== undefined ? { CSLEDGER_NEW_PASSPHRASE: s.newPassphrase } : {}),
    ...s.env,
  }
}

/** A calendar day relative to today (UTC), as YYYY-MM-DD. */
export function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)
}

/** A ledger in its own temporary directory, driven through the real bin/csledger. */
export class LedgerDir {
  readonly dir: string
  readonly db: string
  readonly remove: () => Promise<void>
  #exports = 0
  constructor(dir: string, db: string, remove: () => Promise<void>) {
    this.dir = dir
    this.db = db
    this.remove = remove
  }

  /** A new empty directory with no ledger in it yet (CSLEDGER_DB points at `ledger.db` there). */
  static async empty(): Promise<LedgerDir> {
    const { dir, remove } = await tempDir()
    return new LedgerDir(dir, join(dir, 'ledger.db'), remove)
  }

  /** Runs csledger on this ledger (CSLEDGER_DB set) with the signers' passphrases in the environment. */
  run(args: readonly CliArg[], signers: Signers = {}): Promise<CliRun> {
    return csledger(args, { cwd: this.dir, env: { CSLEDGER_DB: this.db, ...signerEnv(signers) } })
  }

  /** Runs with --json and returns `data` (the test fails with the whole output if the run failed). */
  async json<T = Record<string, unknown>>(args: readonly CliArg[], signers: Signers = {}): Promise<T> {
    return dataOf<T>(await this.run([...args, '--json'], signers))
  }

  /** The raw chain as `csledger export` writes it, byte for byte. */
  async exportChain(): Promise<Buffer> {
    const out = join(this.dir, `export-${++this.#exports}.jsonl`)
    const run = await this.run(['export', '--out', out])
    if (run.code !== 0) throw new Error(`export failed (exit ${run.code}): ${run.stderr}`)
    return bytes(out)
  }

  /** A byte copy of this ledger in a new directory (SQLite file plus any WAL beside it). */
  async copy(): Promise<LedgerDir> {
    const { dir, remove } = await tempDir()
    const db = join(dir, 'ledger.db')
    const names = await readdir(this.dir)
    for (const suffix of ['', '-wal', '-shm']) {
      const name = `ledger.db${suffix}`
      if (names.includes(name)) await copyFile(join(this.dir, name), db + suffix)
    }
    return new LedgerDir(dir, db, remove)
  }
}

/** Entry numbers and ids in the clinic fixture that tests refer to. */
export interface ClinicFacts {
  /** The open KET-50 container (9.2 mL left after the dose below). */
  readonly container: string
  /** Seq of nkim's 35 mg dose drawn as 40 mg (5 mg drawn and not given, wasted by `pendingWaste`). */
  readonly dose: number
  /** Seq of the dose-remainder waste (nkim, witness rjones) awaiting a physician co-sign. */
  readonly pendingWaste: number
  /** Seq of the KET-50 K2417A receipt. */
  readonly receipt: number
  /** Seq of the registrant entry (not correctable). */
  readonly registrant: number
  /** Expiry of the good lots. */
  readonly expires: string
  /** The last seq of the fixture. */
  readonly head: number
}

export const CLINIC = {
  registrant: 'Calm Waters Ketamine Clinic',
  address: '12 Elm St, Springfield IL 62701',
  dea: 'BJ6125341',
  supplier: ['--supplier', 'Acme Wholesale', '--supplier-address', '9 Depot Rd, Columbus OH 43215', '--supplier-dea', 'AB1234563'],
} as const

/**
 * The test clinic, set up through the CLI exactly as a PIC would: a registrant; a PIC, two
 * nurses, two physicians, an auditor and a deactivated nurse (tgone); two locations; ketamine
 * 50 mg/mL × 10 mL and midazolam 5 mg/mL × 2 mL; 10 sealed KET-50 K2417A, 5 MDZ-5 M7731 and 2
 * of an expired lot OLD1 in SAFE-1; container C-0001 opened; a 35 mg dose drawn as 40 mg and its
 * 5 mg remainder wasted (witnessed) and awaiting co-sign.
 */
export async function buildClinic(): Promise<{ ledger: LedgerDir; facts: ClinicFacts }> {
  const l = await LedgerDir.empty()
  const expires = day(400)
  const init = await l.json<{ seq: number }>(['init', '--registrant', CLINIC.registrant, '--address', CLINIC.address, '--dea', CLINIC.dea, '--admin', 'pkim', '--admin-name', PEOPLE.pkim.name], { newPassphrase: PEOPLE.pkim.passphrase })
  for (const u of ['nkim', 'rjones', 'drlee', 'drpark', 'audra', 'tgone'] as const) {
    await l.json(['user', 'add', u, '--name', PEOPLE[u].name, '--role', PEOPLE[u].role, '--by', 'pkim'], { as: 'pkim', newPassphrase: PEOPLE[u].passphrase })
  }
  await l.json(['user', 'deactivate', 'tgone', '--reason', 'left the clinic', '--by', 'pkim'], { as: 'pkim' })
  await l.json(['location', 'add', 'SAFE-1', '--name', 'Main safe, medication room', '--by', 'pkim'], { as: 'pkim' })
  await l.json(['location', 'add', 'LOCKBOX-2', '--name', 'Procedure room lockbox', '--by', 'pkim'], { as: 'pkim' })
  await l.json(['product', 'add', 'KET-50', '--drug', 'ketamine', '--ndc', '67457-108-10', '--concentration', '50mg/mL', '--volume', '10mL', '--dose-form', 'multi-dose', '--by', 'pkim'], { as: 'pkim' })
  await l.json(['product', 'add', 'MDZ-5', '--drug', 'midazolam', '--ndc', '0641-6057-10', '--concentration', '5mg/mL', '--volume', '2mL', '--dose-form', 'single-dose', '--by', 'pkim'], { as: 'pkim' })
  // 21 CFR 1304.11(b): the initial inventory (zero here) comes before the first receipt.
  await l.json(['inventory', '--kind', 'initial', '--at', 'opening', '--zero', '--by', 'pkim', '--witness', 'nkim'], { as: 'pkim', witness: 'nkim' })
  const receipt = await l.json<{ seq: number }>(['receive', '--product', 'KET-50', '--lot', 'K2417A', '--expires', expires, '--containers', '10', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-88121', '--by', 'nkim'], { as: 'nkim' })
  await l.json(['receive', '--product', 'MDZ-5', '--lot', 'M7731', '--expires', expires, '--containers', '5', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-88122', '--by', 'nkim'], { as: 'nkim' })
  await l.json(['receive', '--product', 'KET-50', '--lot', 'OLD1', '--expires', day(-1), '--containers', '2', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-87000', '--at', `${day(-3)}T15:00:00Z`, '--by', 'nkim'], { as: 'nkim' })
  const opened = await l.json<{ container: string }>(['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim'], { as: 'nkim' })
  const dose = await l.json<{ seq: number }>(['administer', '--container', opened.container, '--dose', '35mg', '--drawn', '40mg', '--patient', 'P-1042', '--prescriber', 'drlee', '--by', 'nkim'], { as: 'nkim' })
  const waste = await l.json<{ seq: number }>(['waste', '--administration', String(dose.seq), '--amount', '5mg', '--reason', 'partial dose', '--by', 'nkim', '--witness', 'rjones'], { as: 'nkim', witness: 'rjones' })
  return { ledger: l, facts: { container: opened.container, dose: dose.seq, pendingWaste: waste.seq, receipt: receipt.seq, registrant: init.seq, expires, head: waste.seq } }
}
