import { CommanderError } from 'commander'
import { exitCodeFor, LedgerError } from '@csledger/ledger-core'
import type { RunState } from './command-kit.ts'
import { type CliContext, type CommandResult, defaultContext } from './context.ts'
import { errorPayload, renderError } from './output/render-error.ts'
import { buildProgram } from './program.ts'
import { VERSION } from './version.ts'

/**
 * Runs one csledger command and returns its exit code (docs/exit-codes.md). Never exits the
 * process: bin/csledger does that. Results go to stdout (text, or one JSON document with
 * --json); diagnostics and errors to stderr.
 *
 * @example
 * const code = await run(['balance', '--json'], ctx)
 */
export async function run(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  const json = argv.includes('--json')
  const state: RunState = {}
  const program = buildProgram(ctx, state, argv)
  const helpOut: string[] = []
  program.exitOverride()
  program.configureOutput({
    writeOut: (s) => { helpOut.push(s) },
    writeErr: (s) => { if (!json) ctx.stderr(s) },
    outputError: () => { /* rendered below in the house format */ },
  })
  for (const sub of allCommands(program)) {
    sub.exitOverride()
    sub.configureOutput({ writeOut: (s) => { helpOut.push(s) }, writeErr: (s) => { if (!json) ctx.stderr(s) }, outputError: () => {} })
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) {
      const text = helpOut.join('')
      ctx.stdout(json ? JSON.stringify({ ok: true, data: { text } }) + '\n' : text)
      return 0
    }
    if (err instanceof CommanderError && (err.code === 'commander.help' || err.message === '(outputHelp)')) {
      // A command group without its subcommand (`csledger user`), or nothing at all: show its help.
      const text = helpOut.join('')
      if (json) ctx.stdout(JSON.stringify({ ok: false, error: { code: 'USAGE', message: 'a command is required', hint: 'see `csledger --help`' } }) + '\n')
      else ctx.stderr(`${text}csledger: error[USAGE]: a command is required\nhint: see \`csledger --help\`\n`)
      return 2
    }
    return fail(ctx, json, err)
  }
  if (!state.result) {
    // The whole tree's help (this run may have built only the command it names).
    const text = helpOut.join('') || buildProgram(ctx, {}).helpInformation()
    if (json) ctx.stdout(JSON.stringify({ ok: false, error: { code: 'USAGE', message: 'a command is required', hint: 'see `csledger --help`' } }) + '\n')
    else ctx.stderr(`${text}csledger: error[USAGE]: a command is required\nhint: see \`csledger --help\`\n`)
    return 2
  }
  return emit(ctx, json, state.result)
}

function emit(ctx: CliContext, json: boolean, r: CommandResult): number {
  if (!json) ctx.stdout(r.text)
  else if (r.exitCode === 0) ctx.stdout(JSON.stringify({ ok: true, data: r.data }) + '\n')
  else {
    const error = r.error ?? { code: 'PROBLEMS_FOUND', message: 'the command ran and found problems', hint: 'see data for what was found' }
    ctx.stdout(JSON.stringify({ ok: false, error, data: r.data }) + '\n')
  }
  return r.exitCode
}

function fail(ctx: CliContext, json: boolean, err: unknown): number {
  let code: number
  let payload
  if (err instanceof CommanderError) {
    code = 2
    payload = { code: 'USAGE', message: err.message.replace(/^error: /, ''), hint: 'see `csledger --help` or `csledger <command> --help`' }
  } else {
    code = exitCodeFor(err)
    payload = errorPayload(err)
    if (!(err instanceof LedgerError) && ctx.env.CSLEDGER_DEBUG) ctx.stderr(`${(err as Error)?.stack ?? String(err)}\n`)
    if (!(err instanceof LedgerError)) payload = { ...payload, details: { version: VERSION, node: process.versions.node } }
  }
  if (json) ctx.stdout(JSON.stringify({ ok: false, error: payload }) + '\n')
  else ctx.stderr(renderError(payload))
  return code
}

function allCommands(cmd: import('commander').Command): import('commander').Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)])
}
