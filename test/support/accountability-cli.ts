/**
 * Runs the real `bin/csledger` against a copy of the accountability fixture, under a faked
 * wall clock (libfaketime, Debian package `faketime`).
 *
 * Clock: every run goes through `faketime -f '@YYYY-MM-DD HH:MM:SS'` with TZ=UTC and
 * FAKETIME_DONT_FAKE_MONOTONIC=1. The '@' form starts the fake clock at that instant and lets it
 * run, so `new Date()` in Node reads the faked time plus the few milliseconds the process has
 * lived; monotonic time is left real so Node's timers and libuv are unaffected. Assertions on
 * times written by the CLI therefore compare to the minute.
 *
 * The fixture (test/support/accountability-world.ts) is written once per test file with cheap
 * scrypt parameters and copied per test, so a passphrase check costs ~1 ms instead of ~160 ms.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { PASSPHRASE, type World, type WorldOptions, buildWorld } from './accountability-world.ts'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const CSLEDGER = join(REPO, 'bin/csledger')
export const FAKETIME = '/usr/bin/faketime'

const tempDirs: string[] = []
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** Removes every directory this module created (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** The default instant the CLI runs at: Friday 2026-11-27 16:00 in New York. */
export const FRIDAY_4PM = '2026-11-27T21:00:00Z'

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** stdout parsed, when the command was given --json. */
  readonly json: { ok: boolean; data?: any; error?: { code: string; message: string; hint?: string; details?: Record<string, unknown> } } | undefined
}

export interface RunOptions {
  /** UTC instant the process's wall clock starts at (default FRIDAY_4PM). */
  readonly at?: string
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}

/** `2026-11-27T21:00:00Z` → `@2026-11-27 21:00:00` (read in TZ=UTC). */
export function faketimeSpec(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) throw new Error(`not an instant: ${iso}`)
  return `@${d.toISOString().slice(0, 19).replace('T', ' ')}`
}

/** The environment every run gets: passphrases for every fixture user, no colour, UTC. */
export function baseEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    TZ: 'UTC',
    NO_COLOR: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    CSLEDGER_PASSPHRASE: PASSPHRASE,
    CSLEDGER_WITNESS_PASSPHRASE: PASSPHRASE,
    CSLEDGER_NEW_PASSPHRASE: PASSPHRASE,
    ...extra,
  }
}

/** Runs `csledger <args>` under faketime; never rejects on a non-zero exit. */
export function runCsledger(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (!existsSync(FAKETIME)) throw new Error(`${FAKETIME} is missing: install the Debian package faketime (apt-get install -y faketime)`)
  return new Promise((resolvePromise, reject) => {
    const child = spawn(FAKETIME, ['-f', faketimeSpec(options.at ?? FRIDAY_4PM), CSLEDGER, ...args], {
      cwd: options.cwd ?? REPO, env: baseEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    child.on('error', reject)
    child.on('close', (code) => {
      let json: RunResult['json']
      if (args.includes('--json')) {
        try { json = JSON.parse(stdout) } catch { json = undefined }
      }
      resolvePromise({ code, stdout, stderr, json })
    })
  })
}

/** A ledger file of its own for one test, and `run` bound to it. */
export interface TestLedger {
  readonly dir: string
  readonly db: string
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>
  /** Writes a file in the test's directory and returns its path. */
  write(name: string, text: string): string
}

/** Writes the fixture ledger once (per test file) to a temp dir; returns its path. */
export async function buildFixture(options: { world?: Omit<WorldOptions, 'store'>; customise?: (w: World) => Promise<void> } = {}): Promise<string> {
  const dir = tempDir('csledger-acc-fixture-')
  const file = join(dir, 'fixture.db')
  const store = await openSqliteStore(file, { create: true })
  const world = await buildWorld({ ...options.world, store })
  if (options.customise) await options.customise(world)
  await store.close()
  return file
}

/** Copies the fixture (and any WAL left beside it) into a fresh directory. */
export function copyLedger(fixture: string): TestLedger {
  const dir = tempDir('csledger-acc-')
  const db = join(dir, 'clinic.db')
  copyFileSync(fixture, db)
  for (const ext of ['-wal', '-shm']) if (existsSync(fixture + ext)) copyFileSync(fixture + ext, db + ext)
  return {
    dir, db,
    run: (args, options = {}) => runCsledger(['--db', db, ...args], { cwd: dir, ...options }),
    write: (name, text) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
  }
}

/** The first line of a result's stderr, for assertion messages. */
export function explain(r: RunResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`
}
