import { randomUUID } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { Ledger } from '@csledger/ledger-core'
import { need } from '../ask.ts'
import { newPassphrase } from '../auth.ts'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { dbLocation } from '../open-ledger.ts'
import { writeData, writeText } from '../output/entry-summary.ts'

interface InitOptions { timezone?: string; registrant?: string; address?: string; dea?: string; deaOverride?: string; admin?: string; adminName?: string }

export function registerInit(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('init')
    .description('create a ledger for one DEA registrant; the admin becomes its first PIC')
    .option('--registrant <name>', 'registrant name as on the DEA registration')
    .option('--address <text>', 'registered address')
    .option('--dea <DEA#>', 'registrant DEA number (2 letters + 7 digits)')
    .option('--dea-override <reason>', 'accept a DEA number whose check digit fails, recording why')
    .option('--admin <username>', 'username of the first PIC')
    .option('--admin-name <full name>', 'full name of the first PIC')
    .option('--timezone <IANA zone>', 'time zone of the registered location, for business days and local dates (default: this computer\'s)')
    .action(action<InitOptions>(ctx, state, async ({ opts, g, ledger }) => {
      const registrant = await need(ctx, g, opts.registrant, '--registrant', 'Registrant name (as on the DEA registration):')
      const address = await need(ctx, g, opts.address, '--address', 'Registered address:')
      const dea = await need(ctx, g, opts.dea, '--dea', 'Registrant DEA number:')
      const admin = await need(ctx, g, opts.admin, '--admin', 'Username of the first PIC:')
      const adminName = await need(ctx, g, opts.adminName, '--admin-name', 'Full name of the first PIC:')
      const passphrase = await newPassphrase(ctx, g, admin)
      // A refused init must not leave an empty ledger file behind: remember whether the file was there.
      const location = dbLocation(ctx, g)
      const isFile = !/^postgres(ql)?:\/\//i.test(location)
      const path = isFile ? resolve(ctx.cwd, location) : ''
      const existed = isFile && existsSync(path)
      const L: Ledger = await ledger()
      const { stored } = await L.init({ registrant, address, dea, ...(opts.deaOverride ? { deaOverride: opts.deaOverride } : {}), admin, adminName, passphrase, ledgerId: storeLedgerId(L) ?? randomUUID(), timezone: opts.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone }).catch(async (err: unknown) => {
        if (isFile && !existed) {
          await L.store.close()
          for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true })
        }
        throw err
      })
      const data = { ...writeData(stored, false), db: dbLocation(ctx, g), ledger_id: stored.entry.ledger_id }
      return { exitCode: 0, data, text: `${writeText(stored, false)}  ledger ${stored.entry.ledger_id} at ${dbLocation(ctx, g)}\n` }
    }, { create: true }))
  example(cmd, `CSLEDGER_NEW_PASSPHRASE='…' csledger init --db clinic.db --registrant "Calm Waters Ketamine Clinic" --address "12 Elm St, Springfield" --dea BJ6125341 --admin pkim --admin-name "Pat Kim"`)
}

/** A store bound to one ledger of a shared database (PostgreSQL) names the id the ledger must use. */
function storeLedgerId(L: Ledger): string | undefined {
  const id = (L.store as { ledgerId?: unknown }).ledgerId
  return typeof id === 'string' ? id : undefined
}
