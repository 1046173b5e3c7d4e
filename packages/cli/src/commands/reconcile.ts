import type { Command } from 'commander'
import { RECONCILE_REASONS, type ReconciliationData } from '@csledger/ledger-core'
import { need, needChoice } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, parseSeq, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData } from '../output/entry-summary.ts'

const collectSeq = (v: string, prev: number[] = []) => [...prev, parseSeq(v)]

export function registerReconcile(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('reconcile <id>')
    .description('resolve a discrepancy (PIC): a reason, a note, linked correcting entries; an adjustment brings the book to the physical count')
    .option('--reason <reason>', RECONCILE_REASONS.join(' | '))
    .option('--note <text>', 'what was found and done')
    .option('--entry <seq>', 'an entry recorded after the count that explains the difference (repeatable; required for documentation-error)', collectSeq)
    .option('--discovered-at <time>', 'theft/loss: when it was discovered (default: the time of the count)')
    .option('--by <pic>', 'the PIC')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ reason?: string; note?: string; entry?: number[]; discoveredAt?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const reason = await needChoice(ctx, g, opts.reason, '--reason', 'Reason:', RECONCILE_REASONS.map((r) => ({ name: r, value: r })))
      const note = await need(ctx, g, opts.note, '--note', 'Note:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.reconcile({ discrepancy: positional[0]!, reason, note, linked: opts.entry ?? [], ...(opts.discoveredAt ? { discoveredAt: opts.discoveredAt } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      const d = r.stored.entry.data as ReconciliationData
      const a = d.adjustment
      const lines = [
        `reconciliation #${r.stored.entry.seq}: ${d.discrepancy} resolved as ${d.reason}${d.linked.length ? ` (explained by ${d.linked.map((s) => `#${s}`).join(', ')}: ${d.explained})` : ''}`,
        a ? `  adjustment: ${a.type === 'sealed' ? `${a.delta > 0 ? '+' : ''}${a.delta} sealed ${a.product} lot ${a.lot} at ${a.location}` : `${a.delta_ml.startsWith('-') ? '' : '+'}${a.delta_ml} mL (${a.delta_mg} mg) in ${a.container}`}` : '  no adjustment needed: the linked entries explain the difference',
        ...(d.loss ? [`  ${d.loss.type} ${d.loss.id} opened: DEA notice due ${d.loss.notice_due}, Form 106 due ${d.loss.form106_due}`] : []),
      ]
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: lines.join('\n') + '\n' }
    }))
  example(cmd, 'csledger reconcile D-0002 --reason documentation-error --entry 1047 --note "dose given at 14:10 was not recorded" --by pkim', 'csledger reconcile D-0001 --reason loss --note "vial not found after search" --by pkim')
}
