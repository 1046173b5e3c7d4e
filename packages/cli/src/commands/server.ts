import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { dbLocation } from '../open-ledger.ts'

const isPostgres = (s: string) => /^postgres(ql)?:\/\//.test(s)

export function registerMigrate(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('migrate')
    .description('apply schema migrations to a PostgreSQL database, explicitly (run as the owner role); SQLite files migrate themselves')
    .action(action(ctx, state, async ({ g }) => {
      const url = dbLocation(ctx, g)
      if (!isPostgres(url)) throw new InputError('NOT_POSTGRES', 'migrate applies PostgreSQL migrations; a SQLite ledger file is migrated when it is opened', { hint: 'csledger migrate --db postgres://owner@host/csledger' })
      const { migratePostgres, redactPassword } = await import('@csledger/ledger-postgres')
      const r = await migratePostgres(url)
      return { exitCode: 0, data: { url: redactPassword(url), ...r }, text: r.applied.length ? `applied ${r.applied.join(', ')} to ${redactPassword(url)}\n` : `${redactPassword(url)} is up to date (${r.current.at(-1) ?? 'no migrations'})\n` }
    }))
  example(cmd, 'csledger migrate --db postgres://csledger_owner@db.example.org/csledger')
}

export function registerCopy(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('copy')
    .description('move a clinic\'s ledger to PostgreSQL with its hashes intact; verified before and after')
    .option('--from <sqlite file>', 'the ledger to copy (read only)')
    .option('--to <postgres URL>', 'the server database (migrated, and empty for this ledger)')
    .action(action<{ from?: string; to?: string }>(ctx, state, async ({ opts }) => {
      if (!opts.from || !opts.to) throw new InputError('MISSING_OPTION', '--from and --to are required', { hint: 'csledger copy --from clinic.db --to postgres://clinic@db.example.org/csledger' })
      if (!isPostgres(opts.to)) throw new InputError('NOT_POSTGRES', '--to must be a postgres:// URL', { hint: 'copy a SQLite file with `csledger backup`' })
      const { openSqliteStore } = await import('@csledger/ledger-sqlite')
      const { openPostgresStore, copyLedger, redactPassword } = await import('@csledger/ledger-postgres')
      const from = await openSqliteStore(resolve(ctx.cwd, opts.from))
      try {
        const head = await from.read().head()
        if (!head) throw new InputError('EMPTY_SOURCE', `${opts.from} holds no entries`, { hint: 'check --from' })
        const to = await openPostgresStore(opts.to, { ledgerId: head.ledger_id, create: true })
        try {
          const r = await copyLedger({ from, to, onProgress: (n, total) => { if (ctx.interactive) ctx.stderr(`\rcopied ${n}/${total}`) } })
          if (ctx.interactive) ctx.stderr('\n')
          const data = { from: opts.from, to: redactPassword(opts.to), ledger_id: r.ledger_id, entries: r.entries, credentials: r.credentials, signatures: r.signatures, checkpoints: r.checkpoints, sealed_keys: r.sealed_keys, head: r.head, source_ok: r.source.ok, target_ok: r.target.ok }
          return { exitCode: 0, data, text: `copied ledger ${r.ledger_id}: ${r.entries} entries, ${r.signatures} signature(s), ${r.checkpoints} checkpoint(s) and ${r.credentials} passphrase(s) (${r.sealed_keys} with a signing key) to ${redactPassword(opts.to)}\n  verified before and after; head #${r.head.seq} ${r.head.hash}\n  open it with --db '${redactPassword(opts.to)}?ledger=${r.ledger_id}'\n` }
        } finally {
          await to.close()
        }
      } finally {
        await from.close()
      }
    }))
  example(cmd, 'csledger copy --from clinic.db --to postgres://csledger_clinic@db.example.org/csledger')
}
