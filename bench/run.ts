// pnpm bench [--quick | --full | --cli-only [--size N]] [--out results.json]
// Every figure is measured side by side with a baseline in the same run; see docs/performance.md.
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { ChainLinkVerifier, ChainVerifier, Ledger, verifyLedger, verifyPassphrase } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { BENCH_PASSPHRASE, generateLedger } from './generate.ts'
import { signingSection } from './signing.ts'
import { type Row, median, medianMs, printTable } from './stats.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const mode = process.argv.includes('--full') ? 'full' : process.argv.includes('--cli-only') ? 'cli-only' : 'quick'
const outIdx = process.argv.indexOf('--out')
const sizeIdx = process.argv.indexOf('--size')
const sizes = mode === 'full' ? [10_000, 100_000, 1_000_000] : mode === 'quick' ? [2_000, 10_000] : []
// --cli-only: only the CLI rows, on a ledger of --size entries (default 100k, as --full).
const cliSize = mode === 'full' ? 100_000 : mode === 'quick' ? 10_000 : sizeIdx > 0 ? Number(process.argv[sizeIdx + 1]) : 100_000
const runs = mode === 'quick' ? 10 : 15
const dir = join(root, 'out', 'bench')
mkdirSync(dir, { recursive: true })
const node = process.execPath
const rows: Row[] = []
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const log = (s: string) => process.stderr.write(`bench: ${s}\n`)

function spawnMs(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const t = performance.now()
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}
/**
 * Median wall time of each command over `n` rounds (after one warm-up round). Each round runs
 * every command once, in turn, so a neighbour's load or a CPU-frequency change during the
 * measurement falls on the baseline and the commands alike: on a shared machine, timing each
 * command's runs back to back let the ratios drift by a third between runs.
 */
function spawnMedians<K extends string>(n: number, commands: Record<K, { cmd: string; args: string[]; env?: Record<string, string> }>): Record<K, number> {
  const keys = Object.keys(commands) as K[]
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>
  for (let round = -1; round < n; round++) {
    for (const k of keys) {
      const ms = spawnMs(commands[k].cmd, commands[k].args, commands[k].env)
      if (round >= 0) times[k].push(ms)
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(times[k])])) as Record<K, number>
}

async function cliSection(file: string): Promise<void> {
  log(`CLI response on ${fmt(cliSize)} entries`)
  const bin = join(root, 'bin', 'csledger')
  // A fresh vial to draw from, so every administer run is a real append.
  const store = await openSqliteStore(file)
  const L = new Ledger({ store })
  await L.receive({ product: 'KET-50', lot: 'KBENCH', expires: '2099-12-31', containers: 1, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-BENCH', by: { username: 'nurse' } })
  const opened = await L.open({ product: 'KET-50', lot: 'KBENCH', location: 'SAFE-1', by: { username: 'nurse' } })
  const container = (opened.stored.entry.data as { container: string }).container
  const cred = (await store.credential('nurse'))!
  const kdfMs = await medianMs(runs, () => verifyPassphrase(BENCH_PASSPHRASE, cred.passphrase_hash))
  await store.close()
  const { bare, help, balance, administer } = spawnMedians(runs, {
    bare: { cmd: node, args: ['-e', '0'] },
    help: { cmd: bin, args: ['--help'] },
    balance: { cmd: bin, args: ['balance', '--json', '--db', file] },
    administer: { cmd: bin, args: ['administer', '--db', file, '--container', container, '--dose', '0.1mL', '--patient', 'P-BENCH', '--by', 'nurse', '--json'], env: { CSLEDGER_PASSPHRASE: BENCH_PASSPHRASE } },
  })
  rows.push({ measure: `csledger --help (${fmt(cliSize)} entries)`, figure: `${fmt(help)} ms`, baseline: `node -e 0: ${fmt(bare)} ms`, ratio: `${(help / bare).toFixed(2)}x`, budget: '-', ok: null })
  rows.push({ measure: 'csledger balance --json', figure: `${fmt(balance)} ms`, baseline: `node -e 0: ${fmt(bare)} ms`, ratio: `${(balance / bare).toFixed(2)}x`, budget: '<= 2.5x', ok: balance / bare <= 2.5 })
  rows.push({ measure: 'csledger administer (incl. passphrase check)', figure: `${fmt(administer)} ms`, baseline: `node -e 0: ${fmt(bare)} ms`, ratio: `${(administer / bare).toFixed(2)}x`, budget: '<= 4x', ok: administer / bare <= 4 })
  rows.push({ measure: '  of which scrypt passphrase check', figure: `${fmt(kdfMs)} ms`, baseline: `node -e 0: ${fmt(bare)} ms`, ratio: `${(kdfMs / bare).toFixed(2)}x`, budget: '-', ok: null })
  rows.push({ measure: '  administer without the passphrase check', figure: `${fmt(administer - kdfMs)} ms`, baseline: `node -e 0: ${fmt(bare)} ms`, ratio: `${((administer - kdfMs) / bare).toFixed(2)}x`, budget: '<= 4x', ok: (administer - kdfMs) / bare <= 4 })
}

async function appendSection(n: number): Promise<string> {
  const file = join(dir, `ledger-${n}.db`)
  log(`generating ${fmt(n)} entries through the rules (batched)`)
  const g = await generateLedger(file, n)
  const rate = g.entries / g.seconds
  // Baseline: the same rows (entries, projection history, final projections) inserted raw with
  // prepared statements in one transaction into the same schema.
  const src = new Database(file, { readonly: true })
  const entries = src.prepare('SELECT * FROM ledger_entry ORDER BY seq').all() as Array<Record<string, unknown>>
  const history = src.prepare('SELECT * FROM projection_history').all() as Array<Record<string, unknown>>
  const current = src.prepare('SELECT * FROM projection').all() as Array<Record<string, unknown>>
  src.close()
  const rawFile = join(dir, `raw-${n}.db`)
  for (const f of [rawFile, `${rawFile}-wal`, `${rawFile}-shm`]) rmSync(f, { force: true })
  const fresh = await openSqliteStore(rawFile, { create: true })
  const db = fresh.database
  const insE = db.prepare('INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (@seq, @ledger_id, @prev_hash, @hash, @kind, @recorded_at, @occurred_at, @actor, @request_id, @canonical)')
  const insH = db.prepare('INSERT INTO projection_history (kind, key, seq, value) VALUES (@kind, @key, @seq, @value)')
  const insP = db.prepare('INSERT INTO projection (kind, key, seq, value) VALUES (@kind, @key, @seq, @value)')
  const t = performance.now()
  db.transaction(() => { for (const e of entries) insE.run(e); for (const h of history) insH.run(h); for (const p of current) insP.run(p) })()
  const rawSeconds = (performance.now() - t) / 1000
  await fresh.close()
  const rawRate = entries.length / rawSeconds
  rows.push({ measure: `append through the library, ${fmt(g.entries)} entries (batches of 1000)`, figure: `${fmt(rate)} entries/s`, baseline: `raw prepared inserts: ${fmt(rawRate)}/s`, ratio: `${(100 * rate / rawRate).toFixed(1)}%`, budget: '>= 50%', ok: rate / rawRate >= 0.5 })
  return file
}

async function verifySection(file: string, n: number): Promise<void> {
  log(`verifying ${fmt(n)} entries`)
  const store = await openSqliteStore(file)
  const canon: string[] = []
  for await (const r of store.entryRows()) canon.push(r.canonical)
  const th = performance.now()
  for (const c of canon) createHash('sha256').update('csledger:entry:v1\u0000').update(c).digest('hex')
  const shaRate = canon.length / ((performance.now() - th) / 1000)
  const tc = performance.now()
  const v = new ChainLinkVerifier()
  for await (const r of store.entryRows()) v.push(r)
  const chainRate = canon.length / ((performance.now() - tc) / 1000)
  if (v.finish().length > 0) throw new Error('benchmark ledger fails the chain check')
  const tp = performance.now()
  const pv = new ChainVerifier()
  for await (const r of store.entryRows()) pv.push(r)
  const parsedRate = canon.length / ((performance.now() - tp) / 1000)
  const tf = performance.now()
  const report = await verifyLedger(store)
  const fullRate = canon.length / ((performance.now() - tf) / 1000)
  await store.close()
  if (!report.ok) throw new Error(`benchmark ledger does not verify: ${report.findings[0]?.message}`)
  rows.push({ measure: `verify chain only, ${fmt(n)} entries`, figure: `${fmt(chainRate)} entries/s`, baseline: `sha256 of the same bytes: ${fmt(shaRate)}/s`, ratio: `${(100 * chainRate / shaRate).toFixed(1)}%`, budget: '>= 300k/s', ok: chainRate >= 300_000 })
  rows.push({ measure: `verify chain + canonical form + columns, ${fmt(n)}`, figure: `${fmt(parsedRate)} entries/s`, baseline: `sha256: ${fmt(shaRate)}/s`, ratio: `${(100 * parsedRate / shaRate).toFixed(1)}%`, budget: '-', ok: null })
  rows.push({ measure: `verify full (chain + replay + history), ${fmt(n)}`, figure: `${fmt(fullRate)} entries/s (1 core)`, baseline: `sha256: ${fmt(shaRate)}/s`, ratio: `${(100 * fullRate / shaRate).toFixed(1)}%`, budget: 'stated', ok: null })
}

async function balanceAsOfSection(file: string, n: number): Promise<void> {
  const store = await openSqliteStore(file)
  const L = new Ledger({ store })
  const head = (await store.read().head())!.seq
  const current = await medianMs(runs, () => L.balance())
  const positions = Array.from({ length: runs }, (_, i) => Math.max(1, Math.floor(((i + 1) * head) / (runs + 1))))
  const xs: number[] = []
  for (const p of positions) { const t = performance.now(); await L.balance({ asOf: p }); xs.push(performance.now() - t) }
  await store.close()
  const asOf = median(xs)
  rows.push({ measure: `balance as of a position, ${fmt(n)} entries`, figure: `${fmt(asOf, 1)} ms`, baseline: `current balance: ${fmt(current, 1)} ms`, ratio: `${(asOf / current).toFixed(1)}x`, budget: '< 200 ms', ok: asOf < 200 })
}

/**
 * --cli-only: a copy of out/bench/ledger-N.db (generated through the rules the first time, as the
 * other modes do, and kept), so the CLI rows can be re-measured in seconds without the rest.
 */
async function cliLedger(n: number): Promise<string> {
  if (!Number.isSafeInteger(n) || n < 10) throw new Error('--size needs a whole number of entries (at least 10)')
  const file = join(dir, `ledger-${n}.db`)
  if (!existsSync(file)) {
    log(`generating ${fmt(n)} entries through the rules (batched), kept for later runs`)
    await generateLedger(file, n)
  }
  const copy = join(dir, `cli-${n}.db`)
  for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
  copyFileSync(file, copy)
  return copy
}

// The CLI figures must measure the bundle users run: build it first (bin/csledger runs the
// sources instead whenever one is newer than the bundle).
spawnSync(node, [join(root, 'packages', 'cli', 'build.mjs')], { stdio: 'inherit' })
const started = performance.now()
log(`mode ${mode}: sizes ${(mode === 'cli-only' ? [cliSize] : sizes).map((s) => fmt(s)).join(', ')}; ${cpus().length} cores (${cpus()[0]?.model}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.versions.node}`)
let cliFile = mode === 'cli-only' ? await cliLedger(cliSize) : ''
for (const n of sizes) {
  const file = await appendSection(n)
  await verifySection(file, n)
  await balanceAsOfSection(file, n)
  if (n === cliSize) cliFile = file
}
await cliSection(cliFile)
if (mode !== 'cli-only') {
  log('signing: appends and verify, signed beside unsigned')
  rows.push(...(await signingSection(dir, mode === 'full' ? 10_000 : 3_000, mode === 'full' ? 200 : 60)))
}
const table = printTable(rows)
process.stdout.write(`${table}\n\nmode ${mode}, ${((performance.now() - started) / 1000).toFixed(0)} s, ${new Date().toISOString()}\n`)
if (outIdx > 0) writeFileSync(process.argv[outIdx + 1]!, JSON.stringify({ mode, rows, date: new Date().toISOString() }, null, 2))
