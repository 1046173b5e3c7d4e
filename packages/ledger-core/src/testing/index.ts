/**
 * Test helpers for ledger rules: a given/when/then builder over an in-memory ledger and a line
 * language for fixtures that read like the clinic's book. For tests only: the package index does not
 * export it, so tests inside ledger-core import it by relative path.
 */
export { FIXTURE_KDF, FIXTURE_NOW, LedgerCase, LedgerSpec, SPRINGFIELD_CLINIC, givenClinic, givenLedger } from './ledger-spec.ts'
export type { Action, Clinic, DeepPartial, ErrorClass } from './ledger-spec.ts'
export { FIXTURE_LEDGER_ID, FIXTURE_PASSPHRASE, ledger, parseLine } from './clinic-script.ts'
export type { ScriptEnv, ScriptStep } from './clinic-script.ts'
