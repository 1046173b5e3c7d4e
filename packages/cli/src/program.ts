import { Command, Option } from 'commander'
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
import { VERSION } from './version.ts'
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

/** Builds the commander tree. Actions store their result in `state`; nothing here exits. */
export function buildProgram(ctx: CliContext, state: RunState): Command {
  const program = new Command('csledger')
    .description('Controlled-substance ledger for ketamine clinics: append-only, hash-chained, exact to the milligram.')
    .version(VERSION, '-V, --version')
    .option('--db <path>', `ledger database: a SQLite file or a postgres:// URL (env CSLEDGER_DB; default ./csledger.db)`)
    .option('--json', 'print exactly one JSON document: {"ok":true,"data":…} or {"ok":false,"error":{code,message,hint}}')
    .addOption(new Option('-y, --yes', 'never prompt, even at a terminal: every value must come from flags or the environment'))
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .addHelpText('after', `
Passphrases: asked with a hidden prompt at a terminal; otherwise read from CSLEDGER_PASSPHRASE
(--by), CSLEDGER_WITNESS_PASSPHRASE (--witness) and CSLEDGER_NEW_PASSPHRASE (a user being created).

Exit codes: 0 ok, 1 problems found, 2 usage or invalid input, 3 refused by a ledger rule,
4 conflict (safe to retry), 5 integrity failure, 77 authentication or permission, 70 internal.

Example (a nurse records a dose):
  $ csledger administer --container C-0042 --dose 35mg --patient P-1042 --by nkim
`)
  for (const register of [
    registerInit, registerUser, registerLocation, registerProduct, registerReceive, registerOpen, registerAdminister, registerWaste,
    registerCosign, registerTransfer, registerCorrect, registerInventory, registerCount, registerDiscrepancies, registerReconcile, registerLoss,
    registerDispose, registerStatus, registerSettings, registerBalance, registerLog, registerCheckpoint, registerProve, registerExport, registerVerify, registerBackup, registerMigrate, registerCopy, registerReport, registerDemo,
  ]) register(program, ctx, state)
  return program
}
