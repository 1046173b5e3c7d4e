import type { Command } from 'commander'
import { canPrompt, need, needChoice } from '../ask.ts'
import { authenticate, newPassphrase } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'

const ROLE_CHOICES = [
  { name: 'nurse', value: 'nurse' }, { name: 'physician', value: 'physician' }, { name: 'pic (pharmacist-in-charge)', value: 'pic' }, { name: 'auditor (read-only)', value: 'auditor' },
] as const

export function registerUser(program: Command, ctx: CliContext, state: RunState): void {
  const user = program.command('user').description('add, list and deactivate users; change your passphrase')
  example(user, 'csledger user list', `csledger user add nkim --name "Nora Kim" --role nurse --by pkim`, `csledger user deactivate nkim --reason "left the clinic" --by pkim`, `csledger user passphrase nkim`)
  const add = user.command('add <username>')
    .description('add a user with a role (PIC only); their passphrase is asked, or read from CSLEDGER_NEW_PASSPHRASE')
    .option('--name <full name>', 'full name as printed on records')
    .option('--role <role>', 'pic | physician | nurse | auditor')
    .option('--by <pic>', 'the PIC adding the user')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ name?: string; role?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const username = positional[0]!
      const name = await need(ctx, g, opts.name, '--name', `Full name of ${username}:`)
      const role = await needChoice(ctx, g, opts.role, '--role', `Role of ${username}:`, ROLE_CHOICES)
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const pic = await authenticate(ctx, g, L, by, 'actor')
      const passphrase = await newPassphrase(ctx, g, username)
      const r = await L.addUser({ username, name, role, passphrase, by: pic }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(add, `CSLEDGER_PASSPHRASE='…' CSLEDGER_NEW_PASSPHRASE='…' csledger user add nkim --name "Nora Kim" --role nurse --by pkim`)

  const list = user.command('list')
    .description('list users with their roles and status (deactivated users stay listed)')
    .action(action(ctx, state, async ({ ledger }) => {
      const users = await (await ledger()).store.read().list('user')
      const data = users.map((u) => ({ username: u.username, name: u.name, role: u.role, active: u.active, since_seq: u.since_seq }))
      return { exitCode: 0, data, text: table(['USERNAME', 'NAME', 'ROLE', 'STATUS', 'SINCE'], data.map((u) => [u.username, u.name, u.role, u.active ? 'active' : 'deactivated', `#${u.since_seq}`])) }
    }, { readonly: true }))
  example(list, 'csledger user list', 'csledger user list --json')

  const deactivate = user.command('deactivate <username>')
    .description('deactivate a user (PIC only); their history stays, they can no longer sign')
    .option('--reason <text>', 'why')
    .option('--by <pic>', 'the PIC deactivating the user')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ reason?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const pic = await authenticate(ctx, g, L, by, 'actor')
      const r = await L.deactivateUser({ username: positional[0]!, ...(opts.reason ? { reason: opts.reason } : {}), by: pic }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(deactivate, `csledger user deactivate nkim --reason "left the clinic" --by pkim`)

  const passphrase = user.command('passphrase <username>')
    .description('change your passphrase: your signing key is re-sealed under the new one (nothing is re-signed); a user created before signing existed gets a key, recorded by a user_key entry')
    .action(action(ctx, state, async ({ g, ledger, positional }) => {
      const username = positional[0]!
      const L = await ledger()
      const current = await currentPassphrase(ctx, g, username)
      const fresh = await newPassphrase(ctx, g, username)
      const r = await L.changePassphrase({ username, passphrase: current, newPassphrase: fresh })
      if (r.enrolled) {
        const seq = r.enrolled.stored.entry.seq
        return { exitCode: 0, data: { username, resealed: false, enrolled: writeData(r.enrolled.stored, r.enrolled.replayed) }, text: `passphrase of ${username} changed; signing key enrolled (entry #${seq}): from now on ${username}'s entries are signed\n` }
      }
      return { exitCode: 0, data: { username, resealed: true }, text: `passphrase of ${username} changed; the same signing key is sealed under the new passphrase\n` }
    }))
  example(passphrase, `CSLEDGER_PASSPHRASE='old…' CSLEDGER_NEW_PASSPHRASE='new…' csledger user passphrase nkim`)
}

/** The current passphrase of the user changing it: asked at a terminal, else CSLEDGER_PASSPHRASE. */
async function currentPassphrase(ctx: CliContext, g: import('../context.ts').GlobalOptions, username: string): Promise<string | undefined> {
  if (canPrompt(ctx, g)) return ctx.prompter.password({ message: `${username}, current passphrase:` })
  return ctx.env.CSLEDGER_PASSPHRASE
}
