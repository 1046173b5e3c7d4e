import { copyFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { run } from '@csledger/cli'
import { buildProgram } from '../../packages/cli/src/program.ts'
import type { CliContext } from '../../packages/cli/src/context.ts'

/** A commander command, as the CLI builds it (commander itself is the CLI's dependency, not ours). */
type Command = ReturnType<typeof buildProgram>
type Option = Command['options'][number]
import { SAMPLE_PASSPHRASE, buildSampleLedger } from '../support/build-sample-ledger.ts'
import { fileDigest } from '../support/file-digest.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { runCli, stackTraceIn } from '../support/reliability-cli.ts'
import { FULL, RUN_SEED } from '../support/reliability-random.ts'

// Random, mostly hostile argument lists for every csledger command, run through the CLI's own
// entry point in-process (fast) and a sample through the real bin/csledger. Each run must end
// with a documented exit code (never 70), no stack trace, an error line with a code when it fails
// (one JSON document with --json), and — when it fails — the exported chain byte-identical. A run
// that happens to be valid may write; the chain must then still verify.

const tmp = makeTempDir('fuzz-cli')
let ledger: string
const RUNS = { inProcess: FULL ? 2000 : 80, real: FULL ? 60 : 3 }
const DOCUMENTED = [0, 1, 2, 3, 4, 5, 77]

/** Values an option may get: hostile ones, and a few that name real things (so some runs get far). */
const VALUES = [
  '', ' ', '-', '--', '--json', '--db=/etc/passwd', 'x'.repeat(3000), 'tab\u0000nul', 'esc\u001b[31mred', 'bad \uFFFD', '%s%n', "'; DROP TABLE ledger_entry;--",
  '0', '-1', '1.5', '1e309', 'NaN', '99999999999999999999', '0x10', '35mg', '-5mg', '0mL', '1kg', '2026-02-30', '2099-01-01T00:00:00Z', 'yesterday',
  'pic', 'nurse', 'nina', 'doc', 'nobody', 'KET-50', 'MID-5', 'K2417A', 'SAFE-1', 'LOCKBOX-2', 'C-0001', 'C-9999', 'P-1042', 'D-0001', 'L-0001',
  'theft', 'initial', 'opening', 'destruction', 'ketamine', 'multi-dose', 'nurse', '12', '1', '3:abc', `1:${'0'.repeat(64)}`,
]
/**
 * File names for options that name files: always inside the temp folder, never the ledger itself
 * and never a folder (both are pinned below with it.fails: export overwrites whatever --out names).
 */
const FILES = ['out.jsonl', 'backup.db', 'sub/dir/x.db', 'missing.db', 'sheet.csv', 'notes.txt', 'out.jsonl/']
/** export's --out: the same without paths through folders that do not exist (pinned with it.fails below). */
const EXPORT_FILES = ['out.jsonl', 'backup.db', 'missing.db', 'notes.txt']
const filesFor = (path: readonly string[]) => (path[0] === 'export' ? EXPORT_FILES : FILES)
/** A plausible value per option, so that most runs get past parsing and one or two fields are hostile. */
const PLAUSIBLE: Record<string, string> = {
  '--by': 'nurse', '--witness': 'pic', '--container': 'C-0001', '--dose': '1mg', '--drawn': '2mg', '--patient': 'P-7', '--product': 'KET-50', '--lot': 'K2417A',
  '--location': 'SAFE-1', '--containers': '1', '--expires': '2030-01-31', '--supplier': 'Acme Wholesale', '--supplier-address': '9 Depot Rd', '--supplier-dea': 'AB1234563',
  '--invoice': 'INV-7', '--amount': '0.1mL', '--reason': 'end of day', '--from': 'SAFE-1', '--to': 'LOCKBOX-2', '--administration': '14', '--seq': '12', '--entry': '12',
  '--name': 'Fridge', '--role': 'nurse', '--kind': 'biennial', '--type': 'loss', '--method': 'destruction', '--note': 'found short', '--item': 'K2417A=2', '--based-on': '23',
  '--as-of': '20', '--head': `23:${'0'.repeat(64)}`, '--request-id': 'fuzz-1', '--prescriber': 'doc', '--confirmation': 'DEA-1', '--place': 'back room', '--destruction-method': 'incinerated',
  '--drug': 'ketamine', '--ndc': '67457-108-11', '--dose-form': 'multi-dose', '--registrant': 'Clinic', '--address': '1 Main St', '--dea': 'BJ6125341', '--admin': 'pic', '--admin-name': 'Pat Pic',
  '--timezone': 'UTC', '--discovered-at': '2026-11-20T10:00:00Z', '--taken-at': '2026-11-20T10:00:00Z', '--at': '2026-11-20T10:00:00Z',
}
const SKIP_OPTIONS = new Set(['--db', '--help', '--version'])
const FILE_OPTIONS = new Set(['--out', '--from', '--sheet'])

interface Leaf { readonly path: readonly string[]; readonly options: ReadonlyArray<{ flag: string; takesValue: boolean }>; readonly args: number }

function leaves(cmd: Command, path: string[] = []): Leaf[] {
  const subs = cmd.commands.filter((c: Command) => c.name() !== 'help')
  if (subs.length > 0) return subs.flatMap((c: Command) => leaves(c, [...path, c.name()]))
  return [{
    path,
    options: cmd.options.filter((o: Option) => o.long && !SKIP_OPTIONS.has(o.long)).map((o: Option) => ({ flag: o.long!, takesValue: o.required || o.optional })),
    args: cmd.registeredArguments.length,
  }]
}

function context(out: string[], err: string[]): CliContext {
  return {
    env: { CSLEDGER_DB: ledger, CSLEDGER_PASSPHRASE: SAMPLE_PASSPHRASE, CSLEDGER_WITNESS_PASSPHRASE: SAMPLE_PASSPHRASE, CSLEDGER_NEW_PASSPHRASE: SAMPLE_PASSPHRASE },
    stdout: (t) => { out.push(t) },
    stderr: (t) => { err.push(t) },
    interactive: false,
    clock: fixedClock('2026-11-20T15:00:00.000Z'),
    prompter: {
      input: () => Promise.reject(new Error('prompted although not at a terminal')),
      password: () => Promise.reject(new Error('prompted although not at a terminal')),
      select: () => Promise.reject(new Error('prompted although not at a terminal')),
      confirm: () => Promise.reject(new Error('prompted although not at a terminal')),
    },
    cwd: tmp.dir,
  }
}

let LEAVES: Leaf[] = []
/** Request ids are made unique per run: a reused id is its own subject (test/reliability/request-id.test.ts). */
let runNo = 0
const argvArbitrary = fc.integer({ min: 0, max: 10_000 }).chain((i) => {
  const leaf = LEAVES[i % LEAVES.length]!
  const hostile = (flag: string) => (FILE_OPTIONS.has(flag) ? fc.constantFrom(...filesFor(leaf.path)) : fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 20 })))
  const plausible = (flag: string) => (FILE_OPTIONS.has(flag) ? fc.constantFrom(...filesFor(leaf.path)) : fc.constant(PLAUSIBLE[flag] ?? 'x'))
  const n = leaf.options.length
  return fc.tuple(
    // which options are given (usually all of them), and which one or two of those are hostile
    fc.oneof({ weight: 3, arbitrary: fc.constant(leaf.options.map(() => true)) }, { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: n, maxLength: n }) }),
    fc.array(fc.nat(Math.max(0, n - 1)), { minLength: 1, maxLength: 2 }),
    fc.tuple(...leaf.options.map((o) => fc.tuple(hostile(o.flag), plausible(o.flag)))),
    fc.array(fc.oneof(fc.constantFrom(...VALUES), fc.constant('12')), { minLength: leaf.args, maxLength: leaf.args }),
    fc.oneof({ weight: 9, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.constantFrom(['--nope'], ['-z'], ['extra', 'args']) }),
    fc.boolean(),
  ).map(([given, bad, values, positional, junk, json]) => {
    const opts = leaf.options.flatMap((o, k) => {
      if (!given[k] && !bad.includes(k)) return []
      if (!o.takesValue) return [o.flag]
      const value = bad.includes(k) ? values[k]![0] : values[k]![1]
      return [o.flag, o.flag === '--request-id' ? `${value}#${++runNo}` : value]
    })
    return [...leaf.path, ...positional, ...opts, ...junk, ...(json ? ['--json'] : [])]
  })
})

/** The chain as exported (the bytes a refusal must not change). */
async function exported(): Promise<string> {
  const store = await openSqliteStore(ledger, { readonly: true })
  try {
    let s = ''
    for await (const r of store.entryRows()) s += `${r.canonical}\n${r.hash}\n`
    return s
  } finally {
    await store.close()
  }
}

/** Checks one run's exit, output and effect; returns the chain afterwards. */
async function checkRun(argv: readonly string[], code: number | null, stdout: string, stderr: string, before: string): Promise<string> {
  const what = `csledger ${argv.map((a) => JSON.stringify(a).slice(0, 40)).join(' ')}\nexit ${String(code)}\n${stderr.slice(0, 600)}${stdout.slice(0, 600)}`
  expect(DOCUMENTED, what).toContain(code)
  expect(stackTraceIn(stdout + stderr), what).toBeNull()
  const json = argv.includes('--json')
  if (code !== 0 && code !== 1) {
    // an error: its code; or, for verify's exit 5, the report with its findings
    if (json) {
      const doc = JSON.parse(stdout) as { ok: boolean; error?: { code: string }; data?: { findings?: unknown[] } }
      expect(doc.ok, what).toBe(false)
      if (code === 5 && doc.data?.findings) expect(doc.data.findings.length, what).toBeGreaterThan(0)
      else expect(doc.error?.code, what).toMatch(/^[A-Z][A-Z0-9_]+$/)
    } else if (!(code === 5 && /^FAILED: \d+ finding/m.test(stdout))) {
      expect(stderr, what).toMatch(/^csledger: error\[[A-Z][A-Z0-9_]+\]: \S/m)
    }
  }
  const after = await exported()
  if (code !== 0 && code !== 1) expect(after === before, `${what}\nfailed, yet the chain changed`).toBe(true)
  else if (after !== before) {
    const store = await openSqliteStore(ledger, { readonly: true })
    try { expect((await verifyLedger(store)).findings, what).toEqual([]) } finally { await store.close() }
  }
  return after
}

beforeAll(async () => {
  ledger = tmp.file('fuzz.db')
  await buildSampleLedger(ledger)
  LEAVES = leaves(buildProgram(context([], []), {}))
})
afterAll(() => tmp.remove())

describe('random argument lists for every csledger command', () => {
  it(`given ${RUNS.inProcess} runs through the CLI entry point, then documented exits, no stack traces, typed errors, and failures leave the chain byte-identical`, async () => {
    expect(LEAVES.length).toBeGreaterThan(20)
    let chain = await exported()
    const codes = new Map<string, number>()
    await fc.assert(fc.asyncProperty(argvArbitrary, async (argv) => {
      const out: string[] = []
      const err: string[] = []
      const code = await run(argv, context(out, err))
      const stdout = out.join('')
      const stderr = err.join('')
      const m = /error\[([A-Z_0-9]+)\]|"code":"([A-Z_0-9]+)"/.exec(stderr + stdout)
      const key = `${code}:${m?.[1] ?? m?.[2] ?? '-'}`
      codes.set(key, (codes.get(key) ?? 0) + 1)
      chain = await checkRun(argv, code, stdout, stderr, chain)
    }), { numRuns: RUNS.inProcess, seed: RUN_SEED, endOnFailure: true })
    console.log(`cli fuzz: seed ${RUN_SEED}, ${RUNS.inProcess} runs over ${LEAVES.length} commands; exit:code ${[...codes].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k}=${v}`).join(' ')}`)
  }, FULL ? 1_800_000 : 60_000)

  it(`given ${RUNS.real} such runs through the real bin/csledger, then the same holds for the process: exit code, stderr, chain`, async () => {
    let chain = await exported()
    // (an argument with a NUL byte cannot be passed to a process at all)
    await fc.assert(fc.asyncProperty(argvArbitrary.filter((argv) => argv.every((a) => !a.includes('\u0000'))), async (argv) => {
      const r = await runCli(argv, { cwd: tmp.dir, env: context([], []).env as Record<string, string> })
      chain = await checkRun(argv, r.code, r.stdout, r.stderr, chain)
    }), { numRuns: RUNS.real, seed: RUN_SEED + 1, endOnFailure: true })
  }, FULL ? 1_800_000 : 60_000)

  // BUG (packages/cli/src/commands/chain.ts, export): the export is written beside --out and then
  // renamed over it whatever it is, so `csledger export --out clinic.db` with --db clinic.db
  // replaces the ledger itself with its JSONL export (the SQLite file, its credentials and
  // projections are gone; the next command says NOT_A_LEDGER). backup refuses an existing --out
  // (FILE_EXISTS); export should too, or at least refuse the ledger's own path. Passes while the
  // bug is there (it.fails).
  it('given export --out naming the ledger file itself, then it is refused and the ledger is untouched', async () => {
    const victim = tmp.file('victim.db')
    copyFileSync(ledger, victim)
    const before = fileDigest(victim)
    const r = await runCli(['export', '--out', victim], { env: { CSLEDGER_DB: victim } })
    expect(r.code).not.toBe(0)
    expect(fileDigest(victim)).toBe(before)
  })

  // BUG (packages/cli/src/commands/chain.ts, export): an --out that names a folder ('.', '..') makes
  // the final rename fail with EISDIR, and one inside a folder that does not exist fails with ENOENT
  // opening the partial file: both are reported as internal errors (exit 70) instead of a
  // CANNOT_WRITE naming the path. Passes while the bug is there (it.fails).
  it('given export --out naming a folder, then a typed error (exit 2), not an internal error', async () => {
    const r = await runCli(['export', '--out', '..', '--json'], { cwd: tmp.dir, env: { CSLEDGER_DB: ledger } })
    expect(r.code).toBe(2)
  })
  it('given export --out inside a folder that does not exist, then a typed error (exit 2), not an internal error', async () => {
    const r = await runCli(['export', '--out', 'no/such/folder/x.jsonl', '--json'], { cwd: tmp.dir, env: { CSLEDGER_DB: ledger } })
    expect(r.code).toBe(2)
  })
})
