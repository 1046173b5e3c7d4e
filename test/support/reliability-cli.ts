import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The real launcher, as a clinic runs it. */
export const CSLEDGER_BIN = join(import.meta.dirname, '..', '..', 'bin', 'csledger')

/**
 * The environment for the suites' own Node worker processes: the test's environment plus a shared
 * compile cache, so each of the hundreds of short-lived workers starts in a third of the time
 * (bin/csledger enables the same cache for the CLI).
 */
export function workerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), 'csledger-test-compile-cache') }
}

/** How one run of bin/csledger ended. */
export interface CliRun {
  /** Exit code, or null when it was killed. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** The parsed stdout when it is one JSON document (`--json`), else undefined. */
  readonly json: { ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string; hint?: string } } | undefined
}

export interface CliRunOptions {
  /** Environment added to a minimal one (PATH, HOME, NO_COLOR). */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Sends SIGKILL this many ms after the start (if the process is still running). */
  readonly killAfterMs?: number
  readonly input?: string
}

/**
 * Runs bin/csledger in its own process and collects what it printed. Never throws for the exit:
 * the caller asserts on code, signal, stdout and stderr.
 *
 * @example
 * const r = await runCli(['balance', '--json'], { env: { CSLEDGER_DB: file } })
 */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CSLEDGER_BIN, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', TZ: 'UTC', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    child.stdin.end(options.input ?? '')
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      let json: CliRun['json']
      try { json = stdout.trim() ? JSON.parse(stdout) : undefined } catch { json = undefined }
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'), json })
    })
  })
}

/** Signs of an unhandled crash in what a process printed: a JS stack frame or an internal error. */
export function stackTraceIn(text: string): string | null {
  const m = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$|error\[INTERNAL\]|Error: .*\n\s+at /m.exec(text)
  return m ? m[0] : null
}
