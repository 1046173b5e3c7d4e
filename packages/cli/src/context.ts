import { type Clock, type Ledger, SYSTEM_CLOCK } from '@csledger/ledger-core'
import type { Prompter } from './prompter.ts'

/** Where the CLI writes, reads and gets its time: injected so commands run in-process in tests. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** True when a person is at a terminal (stdin and stdout are TTYs). */
  readonly interactive: boolean
  readonly clock: Clock
  readonly prompter: Prompter
  readonly cwd: string
}

/** What a command returns: the data (for --json), the text (for people), the exit code. */
export interface CommandResult {
  readonly exitCode: number
  readonly data: unknown
  readonly text: string
  /** For a run that found problems (exit 1 or 5): what --json reports as its error, beside the data. */
  readonly error?: { readonly code: string; readonly message: string; readonly hint: string }
}

/** The default database path when neither --db nor CSLEDGER_DB is given. */
export const DEFAULT_DB = 'csledger.db'

/** Global options every command sees. */
export interface GlobalOptions {
  readonly db?: string
  readonly json?: boolean
  readonly yes?: boolean
}

export function defaultContext(): CliContext {
  return {
    env: process.env,
    stdout: (t) => { process.stdout.write(t) },
    stderr: (t) => { process.stderr.write(t) },
    // stdout first: process.stdin builds the stdin stream on first read, which a run whose
    // output goes to a pipe or a file (scripts, --json) need not pay for.
    interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    clock: SYSTEM_CLOCK,
    prompter: lazyInquirerPrompter(),
    cwd: process.cwd(),
  }
}

function lazyInquirerPrompter(): Prompter {
  let loaded: Promise<Prompter> | undefined
  const get = () => (loaded ??= import('./inquirer-prompter.ts').then((m) => m.inquirerPrompter()))
  return {
    input: async (o) => (await get()).input(o),
    password: async (o) => (await get()).password(o),
    select: async (o) => (await get()).select(o),
    confirm: async (o) => (await get()).confirm(o),
  }
}

export type { Ledger }
