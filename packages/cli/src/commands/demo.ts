import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { dbLocation, openLedger } from '../open-ledger.ts'
import { progressBar } from '../progress.ts'
import { runAuditReport } from './report.ts'

export function registerDemo(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('demo')
    .description('build a realistic ketamine-clinic ledger in a new file (two locations, daily infusions, waste, co-signs, counts, a correction, a loss), then its audit packet')
    .option('--days <N>', 'days of clinic activity to simulate (default 30)')
    .option('--out <file.pdf>', 'the audit packet to write (default: beside the database, <db>-audit.pdf)')
    .action(action<{ days?: string; out?: string }>(ctx, state, async ({ opts, g }) => {
      const days = opts.days === undefined ? 30 : Number(opts.days)
      if (!/^\d{1,4}$/.test(String(opts.days ?? '30')) || days < 1 || days > 3650) {
        throw new InputError('INVALID_DAYS', `--days ${String(opts.days).slice(0, 10)} is not a number of days from 1 to 3650`, { hint: 'e.g. --days 30' })
      }
      const db = resolve(ctx.cwd, dbLocation(ctx, g))
      const { createDemoLedgerFile } = await import('@csledger/demo')
      const bar = await progressBar(ctx, 'demo clinic')
      const summary = await createDemoLedgerFile(db, { days, onProgress: (day: number, total: number) => bar.update({ phase: 'days', done: day, total }) })
      bar.stop()
      const L = await openLedger(ctx, { ...g, db })
      try {
        const out = opts.out ?? db.replace(/\.db$/, '') + '-audit.pdf'
        const packet = await runAuditReport(ctx, { ...g, yes: true }, L, { from: summary.from, to: summary.to, format: 'pdf', out })
        const text = [
          `demo ledger ${db}: ${summary.entries} entries, ${summary.from} to ${summary.to} (${summary.timezone})`,
          `  head #${summary.head.seq} ${summary.head.hash}`,
          `  users ${summary.users.map((u) => `${u.username} (${u.role})`).join(', ')}; every demo passphrase is "${summary.passphrase}"`,
          ...summary.story.map((s) => `  - ${s}`),
          packet.text.trimEnd(),
          `try: ./bin/csledger status --db ${db}`,
        ].join('\n') + '\n'
        return { exitCode: 0, data: { db, summary, packet: packet.data }, text }
      } finally {
        await L.store.close()
      }
    }))
  example(cmd, 'csledger demo --db demo.db --days 30', 'csledger demo --db demo.db --days 90 --out q1-demo.pdf')
}
