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

/**
 * Builds the whole commander tree, every command in help order. Actions store their result in
 * `state`; nothing here exits. A run that names one command builds only that one (programFor);
 * this full tree serves `--help`, `--version` and anything programFor does not recognise.
 */
export function buildProgram(ctx: CliContext, state: RunState): Command {
  const program = rootCommand()
  for (const register of [
    registerInit, registerUser, registerLocation, registerProduct, registerReceive, registerOpen, registerAdminister, registerWaste,
    registerCosign, registerTransfer, registerCorrect, registerInventory, registerCount, registerDiscrepancies, registerReconcile, registerLoss,
    registerDispose, registerStatus, registerSettings, registerBalance, registerLog, registerCheckpoint, registerProve, registerExport, registerVerify, registerBackup, registerMigrate, registerCopy, registerReport, registerDemo,
  ]) register(program, ctx, state)
  return program
}
