import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is test/support/cli.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The real launcher people run: bash script -> project Node -> packages/cli/bin/csledger.mjs. */
export const CSLEDGER_BIN = join(REPO_ROOT, 'bin', 'csledger')

/**
 * A command-line argument. A Buffer is passed as its exact bytes, so an argument can hold bytes
 * that are not UTF-8 (0xff): Node's spawn would re-encode a Buffer as text (0xff becomes U+FFFD,
 * which is valid UTF-8), so such runs go through `sh`, which builds the argument with printf.
 */
export type CliArg = string | Buffer

/** What one run of bin/csledger produced. */
export interface CliRun {
  readonly args: readonly CliArg[]
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  /** Working directory of the process (the default ./csledger.db is resolved against it). */
  readonly cwd: string
  /** The whole environment besides PATH/HOME/LANG: nothing leaks in from the test runner. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Killed (and the test fails) after this long. */
  readonly timeoutMs?: number
}

/** PATH with the project's Node first, as bin/test sets it. */
export function toolchainPath(): string {
  return [join(REPO_ROOT, '.toolchain', 'bin'), dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter)
}

/**
 * Runs the real `bin/csledger` as a child process with stdin, stdout and stderr as pipes (not a
 * terminal, so it never prompts), a given cwd and an environment built from scratch.
 *
 * @example
 * const r = await csledger(['balance', '--json'], { cwd, env: { CSLEDGER_DB: db } })
 */
export function csledger(args: readonly CliArg[], options: CliOptions): Promise<CliRun> {
  const env: Record<string, string> = { PATH: toolchainPath(), HOME: options.cwd, LANG: 'C.UTF-8', NO_COLOR: '1', TZ: 'UTC' }
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v
  const raw = args.some((a) => Buffer.isBuffer(a))
  const [file, argv] = raw ? ['/bin/sh', ['-c', shellCommand(args)]] : [CSLEDGER_BIN, args as string[]]
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.stdin.end()
    const timeoutMs = options.timeoutMs ?? 90_000
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`csledger ${describeArgs(args)} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === null) return reject(new Error(`csledger ${describeArgs(args)} was killed by ${signal}`))
      resolve({ args, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}

/** `exec bin/csledger 'a' "$(printf '\377')" …`: every argument single-quoted, raw bytes as octal escapes. */
function shellCommand(args: readonly CliArg[]): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const parts = args.map((a) => {
    if (!Buffer.isBuffer(a)) return quote(a)
    const octal = [...a].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')
    return `"$(printf '${octal}')"`
  })
  return `exec ${quote(CSLEDGER_BIN)} ${parts.join(' ')}`
}

export function describeArgs(args: readonly CliArg[]): string {
  return args.map((a) => (Buffer.isBuffer(a) ? `<bytes ${a.toString('hex')}>` : a.length > 60 ? `${a.slice(0, 40)}…(${a.length} chars)` : a)).join(' ')
}

/** The one JSON document `--json` prints. */
export type Envelope<T = unknown> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly hint: string; readonly details?: Record<string, unknown> } }

/**
 * Parses stdout of a `--json` run, insisting on exactly one JSON document followed by one
 * newline (no banner, no second document, nothing after it).
 */
export function envelope<T = unknown>(run: CliRun): Envelope<T> {
  const text = run.stdout
  if (!text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) {
    throw new Error(`expected exactly one JSON line on stdout of \`csledger ${describeArgs(run.args)}\`, got:\n${text}\nstderr:\n${run.stderr}`)
  }
  return JSON.parse(text) as Envelope<T>
}

/** The data of a successful `--json` run (throws with the whole run when it failed). */
export function dataOf<T = unknown>(run: CliRun): T {
  const doc = envelope<T>(run)
  if (run.code !== 0 || !doc.ok) throw new Error(`csledger ${describeArgs(run.args)} failed (exit ${run.code}):\n${run.stdout}${run.stderr}`)
  return doc.data
}

/** A fresh temporary directory, removed by the returned function. */
export async function tempDir(prefix = 'csledger-e2e-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Reads a file as bytes (exports are compared byte for byte). */
export function bytes(file: string): Promise<Buffer> {
  return readFile(file)
}
