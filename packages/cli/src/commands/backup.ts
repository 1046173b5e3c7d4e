import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { dbLocation } from '../open-ledger.ts'

export function registerBackup(program: Command, ctx: CliContext, state: RunState): void {
  const backup = program.command('backup')
    .description('a consistent online copy of the ledger (others may keep writing), verified before it is kept')
    .option('--out <file>', 'the backup file to create (never overwritten)')
    .action(action<{ out?: string }>(ctx, state, async ({ opts, ledger }) => {
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: 'e.g. csledger backup --out clinic-2026-11-26.db' })
      const L = await ledger()
      const { SqliteLedgerStore, backupSqlite } = await import('@csledger/ledger-sqlite')
      if (!(L.store instanceof SqliteLedgerStore)) throw new InputError('NOT_SQLITE', 'backup copies a SQLite ledger; back up PostgreSQL with pg_dump', { hint: 'see docs/deploy-postgres.md' })
      const r = await backupSqlite(L.store, resolve(ctx.cwd, opts.out))
      const data = { out: r.out, bytes: r.bytes, entries: r.report.entries, head: r.report.head }
      return { exitCode: 0, data, text: `backup written to ${r.out} (${r.bytes} bytes); it verifies on its own: ${r.report.entries} entries, head #${r.report.head?.seq ?? 0} ${r.report.head?.hash ?? ''}\n` }
    }, { readonly: true }))
  example(backup, 'csledger backup --out /mnt/usb/clinic-2026-11-26.db')

  const restore = program.command('restore')
    .description('restore a backup into --db, only if its chain verifies; the file it replaces is kept beside it')
    .option('--from <backup>', 'the backup file')
    .option('--head <seq:hash>', 'a head given out earlier that the backup must contain')
    .action(action<{ from?: string; head?: string }>(ctx, state, async ({ opts, g }) => {
      if (!opts.from) throw new InputError('MISSING_OPTION', '--from is required', { hint: 'e.g. csledger restore --from clinic-2026-11-26.db --db clinic.db' })
      let expectedHead: { seq: number; hash: string } | undefined
      if (opts.head) {
        const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(opts.head)
        if (!m) throw new InputError('INVALID_HEAD', `--head "${opts.head.slice(0, 80)}" is not <seq>:<64 hex hash>`)
        expectedHead = { seq: Number(m[1]), hash: m[2]! }
      }
      const target = dbLocation(ctx, g)
      if (/^postgres(ql)?:\/\//.test(target)) throw new InputError('NOT_SQLITE', 'restore writes a SQLite file; restore PostgreSQL with pg_restore', { hint: 'see docs/deploy-postgres.md' })
      const { restoreSqlite } = await import('@csledger/ledger-sqlite')
      const r = await restoreSqlite(resolve(ctx.cwd, opts.from), resolve(ctx.cwd, target), { now: ctx.clock.now(), ...(expectedHead ? { expectedHead } : {}) })
      const data = { target: r.target, replaced: r.replaced, entries: r.report.entries, head: r.report.head }
      return { exitCode: 0, data, text: `restored ${r.report.entries} verified entries into ${r.target}${r.replaced ? `\n  the previous file was kept as ${r.replaced}` : ''}\n` }
    }))
  example(restore, 'csledger restore --from /mnt/usb/clinic-2026-11-26.db --db clinic.db')
}
