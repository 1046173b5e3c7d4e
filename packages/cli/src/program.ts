import type { Command } from 'commander'
import type { RunState } from './command-kit.ts'
import type { CliContext } from './context.ts'
import { registerBalance } from './commands/balance.ts'
import { registerCorrect } from './commands/correct.ts'
import { registerAdminister, registerCosign, registerWaste } from './commands/dose.ts'
import { registerExport, registerVerify } from './commands/chain.ts'
import { registerInit } from './commands/init.ts'
import { registerLog } from './commands/log.ts'
import { registerLocation, registerProduct } from './commands/catalog.ts'
import { registerOpen, registerReceive, registerTransfer } from './commands/stock.ts'
import { registerUser } from './commands/user.ts'
import { registerCount, registerDiscrepancies, registerInventory } from './commands/count.ts'
import { registerReconcile } from './commands/reconcile.ts'
import { registerLoss } from './commands/loss.ts'
import { registerDispose } from './commands/dispose.ts'
import { registerSettings, registerStatus } from './commands/status.ts'
import { registerBackup } from './commands/backup.ts'
import { registerCheckpoint, registerProve } from './commands/checkpoint.ts'
import { registerCopy, registerMigrate } from './commands/server.ts'
import { registerReport } from './commands/report.ts'
import { registerDemo } from './commands/demo.ts'
import { rootCommand } from './root-command.ts'

/** Adds one top-level command to the program (registerBackup adds two: backup and restore). */
type Register = (program: Command, ctx: CliContext, state: RunState) => void

/** Every top-level command in help order, with the names it adds. program.test.ts checks the names. */
export const COMMANDS: ReadonlyArray<{ readonly names: readonly string[]; readonly register: Register }> = [
  { names: ['init'], register: registerInit },
  { names: ['user'], register: registerUser },
  { names: ['location'], register: registerLocation },
  { names: ['product'], register: registerProduct },
  { names: ['receive'], register: registerReceive },
  { names: ['open'], register: registerOpen },
  { names: ['administer'], register: registerAdminister },
  { names: ['waste'], register: registerWaste },
  { names: ['cosign'], register: registerCosign },
  { names: ['transfer'], register: registerTransfer },
  { names: ['correct'], register: registerCorrect },
  { names: ['inventory'], register: registerInventory },
  { names: ['count'], register: registerCount },
  { names: ['discrepancies'], register: registerDiscrepancies },
  { names: ['reconcile'], register: registerReconcile },
  { names: ['loss'], register: registerLoss },
  { names: ['dispose'], register: registerDispose },
  { names: ['status'], register: registerStatus },
  { names: ['settings'], register: registerSettings },
  { names: ['balance'], register: registerBalance },
  { names: ['log'], register: registerLog },
  { names: ['checkpoint'], register: registerCheckpoint },
  { names: ['prove'], register: registerProve },
  { names: ['export'], register: registerExport },
  { names: ['verify'], register: registerVerify },
  { names: ['backup', 'restore'], register: registerBackup },
  { names: ['migrate'], register: registerMigrate },
  { names: ['copy'], register: registerCopy },
  { names: ['report'], register: registerReport },
  { names: ['demo'], register: registerDemo },
]

/**
 * Builds the commander tree. Actions store their result in `state`; nothing here exits.
 *
 * Given the run's `argv`, a run that names a top-level command (see selectedCommand) gets only
 * that command: building all thirty, with their options and help texts, was the largest part of
 * a short command's start-up after loading the code (docs/performance.md). Without `argv`, or
 * for `--help`, `--version`, no command, an unknown word or anything unusual, it builds the
 * whole tree, so commander answers those exactly as it always has.
 *
 * @example
 * const program = buildProgram(ctx, state, ['balance', '--json'])
 */
export function buildProgram(ctx: CliContext, state: RunState, argv?: readonly string[]): Command {
  const program = rootCommand()
  const name = argv && selectedCommand(argv)
  for (const c of COMMANDS) if (name === undefined || c.names.includes(name)) c.register(program, ctx, state)
  return program
}

/**
 * The top-level command `argv` names, when nothing but global options (`--db <path>`,
 * `--db=<path>`, `--json`, `-y`, `--yes`) comes before it; otherwise undefined.
 */
export function selectedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--db') { i++; continue }
    if (a.startsWith('--db=') || a === '--json' || a === '-y' || a === '--yes') continue
    return !a.startsWith('-') && COMMANDS.some((c) => c.names.includes(a)) ? a : undefined
  }
  return undefined
}
