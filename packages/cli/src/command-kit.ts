import { type Command, InvalidArgumentError } from 'commander'
import type { Ledger } from '@csledger/ledger-core'
import type { CliContext, CommandResult, GlobalOptions } from './context.ts'
import { openLedger } from './open-ledger.ts'

/** The state one run shares between the program and its actions. */
export interface RunState {
  result?: CommandResult
}

/**
 * Wires a commander action: collects the global options, opens the ledger if asked, runs the
 * handler and keeps its result for `run()` to render. The ledger is closed whatever happens.
 */
export function action<O extends object>(
  ctx: CliContext,
  state: RunState,
  handler: (args: { opts: O; g: GlobalOptions; cmd: Command; ledger: () => Promise<Ledger>; positional: Array<string | undefined> }) => Promise<CommandResult>,
  ledgerOptions: { create?: boolean; readonly?: boolean | ((opts: O) => boolean) } = {},
) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw.at(-1) as Command
    const g = cmd.optsWithGlobals() as GlobalOptions
    // An optional argument the user left out stays undefined (not the string "undefined").
    const positional = raw.slice(0, -2).map((a) => (a === undefined ? undefined : String(a)))
    // Read-only may depend on the options: a report opens the ledger for writing only to store the checkpoint it signs.
    const readonly = typeof ledgerOptions.readonly === 'function' ? ledgerOptions.readonly(cmd.opts() as O) : ledgerOptions.readonly
    const open = { ...(ledgerOptions.create ? { create: true } : {}), ...(readonly ? { readonly: true } : {}) }
    let opened: Ledger | undefined
    const ledger = async () => (opened ??= await openLedger(ctx, g, open))
    try {
      state.result = await handler({ opts: cmd.opts() as O, g, cmd, ledger, positional })
    } finally {
      await opened?.store.close()
    }
  }
}

/** commander argParser for a positive entry sequence number. */
export function parseSeq(value: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) throw new InvalidArgumentError('expected an entry number (seq), e.g. 42')
  return Number(value)
}

/** Adds the options every write command shares. */
export function writeOptions(cmd: Command): Command {
  return cmd
    .option('--at <time>', 'when it physically happened (ISO-8601, e.g. 2026-11-26T09:30:00-05:00); default now')
    .option('--request-id <id>', 'idempotency key: a retry with the same id returns the first entry instead of recording twice')
}

export function writeOpts(o: { requestId?: string }): { requestId?: string } {
  return o.requestId !== undefined ? { requestId: o.requestId } : {}
}

/** Appends "Example:" lines to a command's help. */
export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`)
}
