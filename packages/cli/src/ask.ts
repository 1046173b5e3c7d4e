import { InputError } from '@csledger/ledger-core'
import type { CliContext, GlobalOptions } from './context.ts'

/**
 * A required value: the flag if given; else, with a person at a terminal, a prompt; else a usage
 * error naming the flag (no prompt ever waits on a non-terminal stdin).
 */
export async function need(ctx: CliContext, g: GlobalOptions, value: string | undefined, flag: string, question: string, validate?: (v: string) => true | string): Promise<string> {
  if (value !== undefined && value !== '') return value
  if (!canPrompt(ctx, g)) throw missing(flag)
  return ctx.prompter.input({ message: question, ...(validate ? { validate } : {}) })
}

/** Asks a choice when missing (terminal only). */
export async function needChoice<T extends string>(ctx: CliContext, g: GlobalOptions, value: string | undefined, flag: string, question: string, choices: ReadonlyArray<{ name: string; value: T }>): Promise<string> {
  if (value !== undefined && value !== '') return value
  if (!canPrompt(ctx, g)) throw missing(flag)
  return ctx.prompter.select({ message: question, choices })
}

export function canPrompt(ctx: CliContext, g: GlobalOptions): boolean {
  return ctx.interactive && !g.yes && !g.json
}

export function missing(flag: string): InputError {
  return new InputError('MISSING_OPTION', `${flag} is required`, { hint: `give ${flag} (csledger asks for missing values only at a terminal)` })
}
