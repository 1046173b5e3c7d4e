import type { Command } from 'commander'
import type { RunState } from './command-kit.ts'
import type { CliContext } from './context.ts'
import { rootCommand } from './root-command.ts'

/** Adds one top-level command (backup adds restore beside it) to the program. */
export type Register = (program: Command, ctx: CliContext, state: RunState) => void

/**
 * Each top-level command and the module that registers it, loaded only when a run names it: a
 * nurse's `administer` loads its own module and what that imports, not the other commands (and
 * not pdfkit, the report builder or the prompts). The names and the help of every command must
 * be what buildProgram builds; program-for.test.ts checks that they are.
 */
export const COMMAND_MODULES: Readonly<Record<string, () => Promise<Register>>> = {
  init: async () => (await import('./commands/init.ts')).registerInit,
  user: async () => (await import('./commands/user.ts')).registerUser,
  location: async () => (await import('./commands/catalog.ts')).registerLocation,
  product: async () => (await import('./commands/catalog.ts')).registerProduct,
  receive: async () => (await import('./commands/stock.ts')).registerReceive,
  open: async () => (await import('./commands/stock.ts')).registerOpen,
  administer: async () => (await import('./commands/dose.ts')).registerAdminister,
  waste: async () => (await import('./commands/dose.ts')).registerWaste,
  cosign: async () => (await import('./commands/dose.ts')).registerCosign,
  transfer: async () => (await import('./commands/stock.ts')).registerTransfer,
  correct: async () => (await import('./commands/correct.ts')).registerCorrect,
  inventory: async () => (await import('./commands/count.ts')).registerInventory,
  count: async () => (await import('./commands/count.ts')).registerCount,
  discrepancies: async () => (await import('./commands/count.ts')).registerDiscrepancies,
  reconcile: async () => (await import('./commands/reconcile.ts')).registerReconcile,
  loss: async () => (await import('./commands/loss.ts')).registerLoss,
  dispose: async () => (await import('./commands/dispose.ts')).registerDispose,
  status: async () => (await import('./commands/status.ts')).registerStatus,
  settings: async () => (await import('./commands/status.ts')).registerSettings,
  balance: async () => (await import('./commands/balance.ts')).registerBalance,
  log: async () => (await import('./commands/log.ts')).registerLog,
  checkpoint: async () => (await import('./commands/checkpoint.ts')).registerCheckpoint,
  prove: async () => (await import('./commands/checkpoint.ts')).registerProve,
  export: async () => (await import('./commands/chain.ts')).registerExport,
  verify: async () => (await import('./commands/chain.ts')).registerVerify,
  backup: async () => (await import('./commands/backup.ts')).registerBackup,
  restore: async () => (await import('./commands/backup.ts')).registerBackup,
  migrate: async () => (await import('./commands/server.ts')).registerMigrate,
  copy: async () => (await import('./commands/server.ts')).registerCopy,
  report: async () => (await import('./commands/report.ts')).registerReport,
  demo: async () => (await import('./commands/demo.ts')).registerDemo,
}

/**
 * The top-level command `argv` names, when nothing but global options (`--db <path>`,
 * `--db=<path>`, `--json`, `-y`, `--yes`) comes before it; otherwise undefined (`--help`,
 * `--version`, no command, an unknown one, anything unusual), and the caller builds the whole
 * tree, so commander answers exactly as it always has.
 */
export function selectedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--db') { i++; continue }
    if (a.startsWith('--db=') || a === '--json' || a === '-y' || a === '--yes') continue
    return !a.startsWith('-') && Object.hasOwn(COMMAND_MODULES, a) ? a : undefined
  }
  return undefined
}

/**
 * The commander tree for one run: the root and the one command `argv` names, or the whole tree
 * (buildProgram) when it names none. Loading one command's module instead of all thirty is
 * most of what a short command's start-up used to spend (docs/performance.md).
 */
export async function programFor(argv: readonly string[], ctx: CliContext, state: RunState): Promise<Command> {
  const name = selectedCommand(argv)
  if (name === undefined) return (await import('./program.ts')).buildProgram(ctx, state)
  const register = await COMMAND_MODULES[name]!()
  const program = rootCommand()
  register(program, ctx, state)
  return program
}
