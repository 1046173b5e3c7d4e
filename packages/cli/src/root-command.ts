import { Command, Option } from 'commander'
import { VERSION } from './version.ts'

/**
 * The `csledger` command itself: its global options and help text, without any subcommand.
 * buildProgram adds every command to it; programFor adds only the one a run names.
 */
export function rootCommand(): Command {
  return new Command('csledger')
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
}
