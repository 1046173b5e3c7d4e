import { confirm, input, password, select } from '@inquirer/prompts'
import { InputError } from '@csledger/ledger-core'
import type { Prompter } from './prompter.ts'

/** Prompts through @inquirer/prompts (loaded only when a prompt is actually shown). */
export function inquirerPrompter(): Prompter {
  return {
    input: (o) => guard(input({ message: o.message, ...(o.default !== undefined ? { default: o.default } : {}), ...(o.validate ? { validate: o.validate } : {}) })),
    // No mask: not even the passphrase's length appears on screen.
    password: (o) => guard(password({ message: o.message })),
    select: (o) => guard(select({ message: o.message, choices: o.choices.map((c) => ({ ...c })) })),
    confirm: (o) => guard(confirm({ message: o.message, default: o.default ?? false })),
  }
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (err) {
    if (err instanceof Error && err.name === 'ExitPromptError') {
      throw new InputError('CANCELLED', 'cancelled at the prompt; nothing was recorded', { hint: 'run the command again when ready' })
    }
    throw err
  }
}
