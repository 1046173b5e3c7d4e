import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { type SideLog, checkAfterCrash, emptySideLog, readSideFile } from '../support/reliability-checks.ts'
import { CLINIC, prepareClinic } from '../support/reliability-clinic.ts'
import { runCli, stackTraceIn, workerEnv } from '../support/reliability-cli.ts'
import { FULL, RUN_SEED, seededRandom } from '../support/reliability-random.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'

// The crash suite: a writer appending to a real ledger file is killed with SIGKILL at a random
// moment, again and again. After every kill the file is opened as the next process would open it
// and must pass PRAGMA integrity_check, verify (chain, projections, projection history,
// quick_check), hold every entry whose append returned success — with the seq and hash that was
// returned — and hold nothing else but the one append (or batch) the writer was in the middle of.
//
// Library trials: test/crash/crash-writer.ts (single appends, batches, voids). CLI trials: the
// real bin/csledger with --request-id, killed while it runs, then retried with the same id as a
// client would: the retry must return the entry the killed run committed, or append it once.
//
// Default: 10 library kills + 5 CLI kills. CSLEDGER_FULL=1: 200 + 60. CSLEDGER_SEED replays a run.

const LIBRARY_TRIALS = Number(process.env.CSLEDGER_CRASH_TRIALS ?? (FULL ? 200 : 10))
const CLI_TRIALS = Number(process.env.CSLEDGER_CRASH_CLI_TRIALS ?? (FULL ? 60 : 5))
const TRIALS_PER_FILE = 50
const WRITER = join(import.meta.dirname, 'crash-writer.ts')

const tmp = makeTempDir('crash')
afterAll(() => tmp.remove())

/** Figures of one suite, printed at the end (docs/testing.md quotes the full run). */
interface Figures { trials: number; kills: number; killsMidAppend: number; acknowledged: number; found: number; committedUnacknowledged: number; violations: string[] }
const newFigures = (): Figures => ({ trials: 0, kills: 0, killsMidAppend: 0, acknowledged: 0, found: 0, committedUnacknowledged: 0, violations: [] })
const say = (label: string, f: Figures) => console.log(
  `crash ${label}: seed ${RUN_SEED}, ${f.trials} trials, ${f.kills} kills (${f.killsMidAppend} with an append in flight), ${f.acknowledged} entries acknowledged, ${f.found} found, ` +
  `${f.committedUnacknowledged} committed but unacknowledged (killed between commit and ack), ${f.violations.length} violations`,
)

/** Starts the writer; resolves with the child once it says "ready" (or null if it exited first). */
function startWriter(file: string, tag: string, side: string) {
  const child = spawn(process.execPath, ['--conditions=@csledger/source', WRITER, file, tag, side], { stdio: ['ignore', 'pipe', 'pipe'], env: workerEnv() })
  const stderr: string[] = []
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const ready = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (l) => { if (l === 'ready') resolve(true) })
    void exited.then(() => resolve(false))
  })
  return { child, ready, exited, stderr }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('SIGKILL at random moments', () => {
  it(`given a library writer killed ${LIBRARY_TRIALS} times, then after every kill the file is sound and holds exactly the acknowledged entries (plus at most the one in flight)`, async () => {
    const rnd = seededRandom(RUN_SEED)
    const f = newFigures()
    let file = ''
    let setupHead = 0
    let log: SideLog = emptySideLog()
    const closeFile = () => { f.acknowledged += log.acked.size }
    for (let t = 0; t < LIBRARY_TRIALS; t++) {
      if (t % TRIALS_PER_FILE === 0) {
        if (file) closeFile()
        file = tmp.file(`library-${t / TRIALS_PER_FILE}.db`)
        setupHead = (await prepareClinic(file, { nurses: 2, sealed: 2 })).setupHead
        log = emptySideLog()
      }
      const side = tmp.file(`library-side-${t}.jsonl`)
      const w = startWriter(file, `L${t}`, side)
      // Most kills land while appends run; some land during start-up (open, WAL recovery, auth).
      const early = rnd.next() < 0.15
      if (early) await sleep(rnd.int(0, 400))
      else if (await w.ready) await sleep(rnd.int(0, 250))
      w.child.kill('SIGKILL')
      const exit = await w.exited
      f.trials++
      if (exit.signal === 'SIGKILL') f.kills++
      else f.violations.push(`trial ${t}: the writer exited by itself (${String(exit.code)}) before it was killed: ${w.stderr.join('').slice(0, 400)}`)
      const inFlightBefore = log.inFlight.size
      readSideFile(side, log)
      if (log.inFlight.size > inFlightBefore) f.killsMidAppend++
      const check = await checkAfterCrash(file, setupHead, log)
      f.violations.push(...check.violations.map((v) => `trial ${t}: ${v}`))
      if (t % TRIALS_PER_FILE === TRIALS_PER_FILE - 1 || t === LIBRARY_TRIALS - 1) {
        f.found += check.ackedFound
        f.committedUnacknowledged += check.unackedPresent
      }
      if (f.violations.length > 20) break
    }
    closeFile()
    say('library', f)
    expect(f.violations).toEqual([])
    expect(f.kills).toBe(LIBRARY_TRIALS)
    expect(f.acknowledged).toBeGreaterThan(0)
    expect(f.found).toBe(f.acknowledged)
  }, FULL ? 1_800_000 : 120_000)

  it(`given bin/csledger killed during ${CLI_TRIALS} writes with --request-id and each retried with the same id, then every kill leaves a sound file and every request id is recorded exactly once`, async () => {
    const rnd = seededRandom(RUN_SEED + 1)
    const f = newFigures()
    const file = tmp.file('cli.db')
    const clinic = await prepareClinic(file, { nurses: 2, sealed: 5, openContainers: 1 })
    const env = { CSLEDGER_DB: file, CSLEDGER_PASSPHRASE: CLINIC.passphrase }
    const log = emptySideLog()
    const argsFor = (t: number, rid: string) => t % 2 === 0
      ? ['administer', '--container', clinic.containers[0]!, '--dose', '0.05mL', '--patient', `P-${rid}`, '--by', 'nurse1', '--request-id', rid, '--json']
      : ['receive', '--product', CLINIC.product, '--lot', CLINIC.lot, '--expires', CLINIC.expires, '--containers', '1', '--location', CLINIC.location,
          '--supplier', CLINIC.supplier.supplier, '--supplier-address', CLINIC.supplier.supplierAddress, '--supplier-dea', CLINIC.supplier.supplierDea, '--invoice', `INV-${rid}`, '--by', 'nurse2', '--request-id', rid, '--json']
    const presentSeq = async (rid: string): Promise<number | null> => {
      const store = await openSqliteStore(file, { readonly: true })
      try { return (store.database.prepare('SELECT seq FROM ledger_entry WHERE request_id = ?').get(rid) as { seq: number } | undefined)?.seq ?? null } finally { await store.close() }
    }
    /** Runs until the command succeeds (a BUSY, exit 4, is retried too); returns the JSON data. */
    const untilDone = async (args: string[], t: number): Promise<Record<string, unknown> | null> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await runCli(args, { env })
        if (r.code === 0 && r.json?.ok) return r.json.data!
        const trace = stackTraceIn(r.stderr + r.stdout)
        if (r.code !== 4 || trace) { f.violations.push(`trial ${t}: retry exited ${String(r.code)}: ${(r.stderr || r.stdout).slice(0, 300)}`); return null }
      }
      f.violations.push(`trial ${t}: still busy after 5 retries`)
      return null
    }

    // How long one write takes here: kills are spread over that span (start-up, auth, append, exit).
    const started = Date.now()
    const calibration = await untilDone(argsFor(0, 'cli-calibration'), -1)
    const span = Date.now() - started
    if (calibration) log.acked.set('cli-calibration', { seq: calibration.seq as number, hash: calibration.hash as string })
    log.tried.add('cli-calibration')

    for (let t = 0; t < CLI_TRIALS; t++) {
      const rid = `cli-${t}`
      const args = argsFor(t, rid)
      log.tried.add(rid)
      const r = await runCli(args, { env, killAfterMs: rnd.int(Math.floor(span * 0.2), Math.floor(span * 1.1)) })
      f.trials++
      if (r.signal === 'SIGKILL') {
        f.kills++
        log.inFlight.add(rid)
        const check = await checkAfterCrash(file, clinic.setupHead, log)
        f.violations.push(...check.violations.map((v) => `trial ${t} (killed): ${v}`))
        const before = await presentSeq(rid)
        if (before !== null) { f.killsMidAppend++; f.committedUnacknowledged++ }
        const retried = await untilDone(args, t)
        if (!retried) continue
        // The retry returns the entry the killed run committed, or appends it now: never both.
        if (before !== null && (retried.replayed !== true || retried.seq !== before)) f.violations.push(`trial ${t}: the killed run committed seq ${before}, the retry returned seq ${String(retried.seq)} replayed=${String(retried.replayed)}`)
        if (before === null && retried.replayed === true) f.violations.push(`trial ${t}: the retry says replayed, but nothing was committed before it`)
        log.acked.set(rid, { seq: retried.seq as number, hash: retried.hash as string })
        log.inFlight.delete(rid)
      } else if (r.code === 0 && r.json?.ok) {
        if (r.stderr) f.violations.push(`trial ${t}: success with stderr output: ${r.stderr.slice(0, 200)}`)
        log.acked.set(rid, { seq: r.json.data!.seq as number, hash: r.json.data!.hash as string })
      } else if (r.code === 4 && !stackTraceIn(r.stderr)) {
        const retried = await untilDone(args, t)
        if (retried) log.acked.set(rid, { seq: retried.seq as number, hash: retried.hash as string })
      } else {
        f.violations.push(`trial ${t}: exited ${String(r.code)} ${String(r.signal)}: ${(r.stderr || r.stdout).slice(0, 300)}`)
      }
    }
    const final = await checkAfterCrash(file, clinic.setupHead, log)
    f.violations.push(...final.violations.map((v) => `final: ${v}`))
    f.acknowledged = log.acked.size
    f.found = final.ackedFound
    say('cli', f)
    expect(f.violations).toEqual([])
    expect(f.found).toBe(f.acknowledged)
    expect(final.entries).toBe(f.acknowledged) // each request id once, none lost, none extra
    expect(f.kills).toBeGreaterThan(0)
  }, FULL ? 1_800_000 : 120_000)
})
