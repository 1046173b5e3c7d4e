import { AuthError, type Ledger, type Principal } from '@csledger/ledger-core'
import { canPrompt } from './ask.ts'
import type { CliContext, GlobalOptions } from './context.ts'

export type PassphraseRole = 'actor' | 'witness'

const ENV: Record<PassphraseRole, string> = { actor: 'CSLEDGER_PASSPHRASE', witness: 'CSLEDGER_WITNESS_PASSPHRASE' }

/**
 * Proves a person's presence for this action: their passphrase, asked with a hidden prompt at a
 * terminal, else read from the environment (CSLEDGER_PASSPHRASE for the actor,
 * CSLEDGER_WITNESS_PASSPHRASE for a witness).
 */
export async function authenticate(ctx: CliContext, g: GlobalOptions, ledger: Ledger, username: string, role: PassphraseRole): Promise<Principal> {
  const passphrase = await passphraseFor(ctx, g, username, role)
  return ledger.authenticate(username, passphrase)
}

/**
 * The witness's presence, proven by their own passphrase. Someone naming themselves as witness
 * is not asked twice: they get an unproven principal, and the ledger's own rule refuses the
 * entry (WITNESS_IS_ACTOR), so that rule lives in one place.
 */
export async function authenticateWitness(ctx: CliContext, g: GlobalOptions, ledger: Ledger, witness: string, actor: string): Promise<Principal> {
  return witness === actor ? { username: witness } : authenticate(ctx, g, ledger, witness, 'witness')
}

async function passphraseFor(ctx: CliContext, g: GlobalOptions, username: string, role: PassphraseRole): Promise<string> {
  const fromEnv = ctx.env[ENV[role]]
  if (canPrompt(ctx, g)) return ctx.prompter.password({ message: `${role === 'witness' ? 'Witness ' : ''}${username}, passphrase:` })
  if (fromEnv) return fromEnv
  throw new AuthError('PASSPHRASE_REQUIRED', `a passphrase is needed for ${username} (${role})`, { hint: `set ${ENV[role]} when not at a terminal` })
}

/** A new user's passphrase: asked twice at a terminal, else CSLEDGER_NEW_PASSPHRASE. */
export async function newPassphrase(ctx: CliContext, g: GlobalOptions, username: string): Promise<string> {
  if (canPrompt(ctx, g)) {
    const first = await ctx.prompter.password({ message: `New passphrase for ${username}:` })
    const second = await ctx.prompter.password({ message: `Repeat the passphrase for ${username}:` })
    if (first !== second) throw new AuthError('PASSPHRASE_MISMATCH', 'the two passphrases differ; nothing was recorded', { hint: 'run the command again' })
    return first
  }
  const env = ctx.env.CSLEDGER_NEW_PASSPHRASE
  if (!env) throw new AuthError('PASSPHRASE_REQUIRED', `a passphrase is needed for the new user ${username}`, { hint: 'set CSLEDGER_NEW_PASSPHRASE when not at a terminal' })
  return env
}
