// Support for the attack tests: a real clinic ledger written through the csledger CLI (in-process,
// real SQLite file, the default scrypt cost), checkpoints given out along the way, a clean export
// bundle whose keys.txt stands for the keys registered with the inspector, and the tools an operator
// with the database file could use against it.
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { SYSTEM_CLOCK, canonicalJson, hashCanonical } from '@csledger/ledger-core'
import { run } from '@csledger/cli'

export const PASS = 'correct horse battery'
const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '../../..')

type CliContext = NonNullable<Parameters<typeof run>[1]>

/** What one CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** The JSON document, when run with --json. */
  readonly json: { ok: boolean; data?: any; error?: { code: string; message: string } } | undefined
}

/**
 * Runs one csledger command in-process against `db`, as a person at no terminal would: passphrases
 * from the environment (every user's is PASS unless `env` says otherwise).
 */
export async function cli(db: string, argv: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const ctx: CliContext = {
    env: { CSLEDGER_DB: db, CSLEDGER_PASSPHRASE: PASS, CSLEDGER_WITNESS_PASSPHRASE: PASS, CSLEDGER_NEW_PASSPHRASE: PASS, ...env },
    stdout: (t) => { stdout += t },
    stderr: (t) => { stderr += t },
    interactive: false,
    clock: SYSTEM_CLOCK,
    prompter: { input: refuse, password: refuse, select: refuse, confirm: refuse } as CliContext['prompter'],
    cwd: dirname(db),
  }
  const code = await run(argv, ctx)
  let json: CliResult['json']
  if (argv.includes('--json')) json = JSON.parse(stdout)
  return { code, stdout, stderr, json }
}
async function refuse(): Promise<never> { throw new Error('the attack tests never prompt') }

/** Runs a command that must succeed. */
export async function ok(db: string, ...argv: string[]): Promise<CliResult> {
  const r = await cli(db, argv)
  if (r.code !== 0 && !(argv[0] === 'count' && r.code === 1)) throw new Error(`csledger ${argv.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`)
  return r
}

/** The clinic ledger the attacks start from, and what was given out while it was written. */
export interface AttackBase {
  readonly dir: string
  readonly db: string
  readonly ledgerId: string
  /** Seq of notable entries. */
  readonly seqs: { readonly userNkim: number; readonly dose: number; readonly waste: number; readonly cosign: number; readonly count: number; readonly lastDose: number; readonly head: number }
  /** A checkpoint given out midway (file path), signed by the PIC and the physician. */
  readonly givenMid: string
  readonly midSize: number
  /** The checkpoint given out at the end (file path). */
  readonly givenFinal: string
  /** A clean export bundle of the finished ledger. */
  readonly cleanBundle: string
  /** keys.txt as registered with the inspector at enrolment (here: from the clean bundle). */
  readonly registeredKeys: string
}

/**
 * Writes the clinic's ledger through the CLI: a PIC, two nurses and a physician (each with a
 * signing key), a safe, ketamine, the zero initial inventory, a receipt, doses, a witnessed waste
 * co-signed by the physician, a blind count, a correction; a checkpoint given out after the count
 * and another at the end; then a clean export bundle.
 */
export async function buildAttackBase(dir: string): Promise<AttackBase> {
  const db = join(dir, 'clinic.db')
  const seqOf = (r: CliResult) => Number(/#(\d+)/.exec(r.stdout)?.[1])
  const init = await ok(db, 'init', '--registrant', 'Calm Waters Ketamine Clinic', '--address', '12 Elm St, Springfield', '--dea', 'BJ6125341', '--admin', 'pkim', '--admin-name', 'Pat Kim', '--timezone', 'UTC')
  const ledgerId = /ledger ([0-9a-f-]{36})/.exec(init.stdout)![1]!
  const userNkim = seqOf(await ok(db, 'user', 'add', 'nkim', '--name', 'Nora Kim', '--role', 'nurse', '--by', 'pkim'))
  await ok(db, 'user', 'add', 'rdiaz', '--name', 'Rosa Diaz', '--role', 'nurse', '--by', 'pkim')
  await ok(db, 'user', 'add', 'drlee', '--name', 'Dana Lee', '--role', 'physician', '--by', 'pkim')
  await ok(db, 'location', 'add', 'SAFE-1', '--name', 'Main safe', '--by', 'pkim')
  await ok(db, 'product', 'add', 'KET-50', '--drug', 'ketamine', '--ndc', '67457-108-10', '--concentration', '50mg/mL', '--volume', '10mL', '--dose-form', 'multi-dose', '--by', 'pkim')
  await ok(db, 'inventory', '--kind', 'initial', '--at', 'opening', '--zero', '--by', 'pkim', '--witness', 'nkim')
  await ok(db, 'receive', '--product', 'KET-50', '--lot', 'K2417A', '--expires', '2030-03-31', '--containers', '3', '--location', 'SAFE-1', '--supplier', 'Acme Wholesale', '--supplier-address', '9 Depot Rd', '--supplier-dea', 'AB1234563', '--invoice', 'INV-1', '--by', 'nkim')
  await ok(db, 'open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim')
  const dose = seqOf(await ok(db, 'administer', '--container', 'C-0001', '--dose', '35mg', '--drawn', '0.8mL', '--patient', 'P-1042', '--by', 'nkim'))
  const waste = seqOf(await ok(db, 'waste', '--administration', String(dose), '--amount', '5mg', '--reason', 'partial dose', '--by', 'nkim', '--witness', 'rdiaz'))
  const cosign = seqOf(await ok(db, 'cosign', String(waste), '--by', 'drlee'))
  const count = seqOf(await ok(db, 'count', '--location', 'SAFE-1', '--by', 'rdiaz', '--witness', 'nkim', '--item', 'K2417A=2', '--item', 'C-0001=9.2mL'))
  const givenMid = join(dir, 'given-mid.txt')
  const mid = await ok(db, 'checkpoint', '--out', givenMid, '--by', 'pkim', '--cosigner', 'drlee', '--json')
  await ok(db, 'administer', '--container', 'C-0001', '--dose', '50mg', '--patient', 'P-2001', '--by', 'rdiaz')
  const wrong = seqOf(await ok(db, 'administer', '--container', 'C-0001', '--dose', '25mg', '--patient', 'P-2002', '--by', 'nkim'))
  await ok(db, 'correct', String(wrong), '--reason', 'dose misread', '--dose', '20mg', '--by', 'nkim', '--witness', 'rdiaz')
  const lastDose = seqOf(await ok(db, 'administer', '--container', 'C-0001', '--dose', '30mg', '--patient', 'P-3003', '--by', 'nkim'))
  const givenFinal = join(dir, 'given-final.txt')
  const fin = await ok(db, 'checkpoint', '--out', givenFinal, '--by', 'pkim', '--json')
  const cleanBundle = join(dir, 'clean-bundle')
  await ok(db, 'export', '--bundle', cleanBundle)
  return {
    dir, db, ledgerId, givenMid, givenFinal, cleanBundle,
    midSize: mid.json!.data.size as number,
    seqs: { userNkim, dose, waste, cosign, count, lastDose, head: fin.json!.data.size as number },
    registeredKeys: readFileSync(join(cleanBundle, 'keys.txt'), 'utf8'),
  }
}

/** A fresh copy of a ledger file (its WAL is merged: every CLI run closes the file). */
export function copyLedger(from: string, to: string): string {
  copyFileSync(from, to)
  return to
}

/** Every guard trigger, as an operator with the file would drop them before editing. */
const GUARDS = ['ledger_entry_no_update', 'ledger_entry_no_delete', 'ledger_entry_continuity', 'entry_signature_no_update', 'entry_signature_no_delete', 'entry_signature_with_entry', 'checkpoint_no_update', 'checkpoint_no_delete']

/** Edits a ledger file behind csledger's back: triggers dropped, one transaction. */
export function tamper(file: string, edit: (db: Database.Database) => void): void {
  const db = new Database(file)
  try {
    db.pragma('foreign_keys = OFF')
    for (const t of GUARDS) db.exec(`DROP TRIGGER IF EXISTS ${t}`)
    db.transaction(() => edit(db))()
  } finally {
    db.close()
  }
}

export type Row = { seq: number; ledger_id: string; prev_hash: string; hash: string; kind: string; recorded_at: string; occurred_at: string; actor: string; request_id: string | null; canonical: string }

export function rows(db: Database.Database, fromSeq = 1): Row[] {
  return db.prepare('SELECT * FROM ledger_entry WHERE seq >= ? ORDER BY seq').all(fromSeq) as Row[]
}

/** Writes an entry object into row `seq` with its canonical bytes and recomputed hash (columns kept in step). */
export function putEntry(db: Database.Database, seq: number, entry: Record<string, unknown>): string {
  const canonical = canonicalJson(entry)
  const hash = hashCanonical(canonical)
  db.prepare('DELETE FROM ledger_entry WHERE seq = ?').run(seq)
  db.prepare('INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(seq, entry.ledger_id, entry.prev_hash, hash, entry.kind, entry.recorded_at, entry.occurred_at, entry.actor, (entry.request_id as string | undefined) ?? null, canonical)
  return hash
}

/**
 * What a forger does after changing history: from `fromSeq` on, re-links every entry to the one
 * before and recomputes its hash, so the chain is whole again. `change` edits each entry first.
 */
export function rechain(db: Database.Database, fromSeq: number, change: (entry: Record<string, any>) => void = () => {}): void {
  const before = fromSeq > 1 ? (db.prepare('SELECT hash FROM ledger_entry WHERE seq = ?').get(fromSeq - 1) as { hash: string }).hash : '0'.repeat(64)
  let prev = before
  const all = rows(db, fromSeq)
  db.prepare('DELETE FROM ledger_entry WHERE seq >= ?').run(fromSeq)
  for (const r of all) {
    const entry = JSON.parse(r.canonical) as Record<string, any>
    change(entry)
    entry.prev_hash = prev
    prev = putEntry(db, r.seq, entry)
  }
}

/** A bundle for the inspector: exported from `db` by csledger, keys.txt replaced by the keys registered with them, the checkpoints they hold added. */
export async function inspectorBundle(base: AttackBase, db: string, name: string, held: readonly string[]): Promise<string> {
  const dir = join(base.dir, name)
  await ok(db, 'export', '--bundle', dir)
  writeFileSync(join(dir, 'keys.txt'), base.registeredKeys)
  for (const file of held) copyFileSync(file, join(dir, 'checkpoints', `held-${file.split('/').at(-1)}`))
  return dir
}

/** The verifier package alone (its sources, bin and its one dependency) copied to `dir`: no SQLite, no csledger, no network. */
export function standaloneVerifier(dir: string): string {
  const pkg = join(ROOT, 'packages/verifier')
  const out = join(dir, 'csledger-verifier')
  if (existsSync(out)) return out
  mkdirSync(join(out, 'src'), { recursive: true })
  for (const f of readdirSync(join(pkg, 'src'))) if (f.endsWith('.ts') && !f.endsWith('.test.ts')) copyFileSync(join(pkg, 'src', f), join(out, 'src', f))
  cpSync(join(pkg, 'bin'), join(out, 'bin'), { recursive: true })
  copyFileSync(join(pkg, 'package.json'), join(out, 'package.json'))
  cpSync(realpathSync(join(pkg, 'node_modules/canonicalize')), join(out, 'node_modules/canonicalize'), { recursive: true })
  return out
}

/** Runs the standalone verifier in its own Node process, with an environment that holds nothing else. */
export function runVerifier(verifierDir: string, bundle: string, ...args: string[]): { status: number | null; report: any; text: string } {
  const bin = join(verifierDir, 'bin/csledger-verify.mjs')
  const env = { PATH: '/nonexistent' }
  const json = spawnSync(process.execPath, [bin, bundle, '--json', ...args], { encoding: 'utf8', env, cwd: verifierDir })
  if (json.error) throw json.error
  if (json.stderr) throw new Error(`csledger-verify wrote to stderr: ${json.stderr}`)
  const text = spawnSync(process.execPath, [bin, bundle, ...args], { encoding: 'utf8', env, cwd: verifierDir })
  return { status: json.status, report: JSON.parse(json.stdout), text: text.stdout }
}

export function remove(path: string): void { rmSync(path, { recursive: true, force: true }) }
