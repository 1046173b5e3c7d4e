import type { Command } from 'commander'
import { SETTINGS, SETTING_NAMES, type StatusReport } from '@csledger/ledger-core'
import { need } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'

export function registerStatus(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('status')
    .description('the PIC\'s start-of-day screen: open discrepancies, co-signs, loss clocks, beyond-use, expiry, inventory, counts')
    .action(action(ctx, state, async ({ ledger }) => {
      const s = await (await ledger()).status()
      return { exitCode: 0, data: s, text: renderStatus(s) }
    }, { readonly: true }))
  example(cmd, 'csledger status', 'csledger status --json')
}

export function renderStatus(s: StatusReport): string {
  const out: string[] = [`csledger status, ${s.today} (${s.attention === 0 ? 'nothing needs attention' : `${s.attention} item(s) need attention`})`, '']
  const section = (title: string, body: string | null) => out.push(`${title}`, body ?? '  none\n')
  section('Open discrepancies', s.discrepancies.length ? table(['ID', 'ITEM', 'DIFF', 'AGE', 'DUE'], s.discrepancies.map((d) => [d.id, `${d.location} ${d.item}`, `${d.difference} ${d.unit}`, `${d.age_hours} h`, `${d.due}${d.overdue ? '  OVERDUE' : ''}`])) : null)
  section('Waste awaiting physician co-sign', s.cosign_pending.length ? table(['WASTE', 'BY', 'WITNESS', 'AT', 'AGE'], s.cosign_pending.map((w) => [`#${w.seq}`, w.actor, w.witness, w.occurred_at, `${w.age_hours} h${w.late ? '  LATE' : ''}`])) : null)
  section('Theft and loss clocks', s.losses.length ? table(['LOSS', 'TYPE', 'DISCOVERED', 'DEA NOTICE (1 business day)', 'FORM 106 (45 days)'], s.losses.map((l) => [l.id, l.type, l.discovered_at, l.notice ? `sent ${l.notice}` : `due ${l.notice_due}${l.notice_overdue ? '  OVERDUE' : ''}`, l.filing ? `filed ${l.filing}` : `due ${l.form106_due}${l.form106_overdue ? '  OVERDUE' : ''}`])) : null)
  section('Containers past beyond-use date (dispose, do not use)', s.beyond_use.length ? table(['CONTAINER', 'PRODUCT', 'LOT', 'LOCATION', 'BEYOND USE', 'LEFT'], s.beyond_use.map((c) => [c.container, c.product, c.lot, c.location, c.beyond_use, `${c.remaining_ml} mL`])) : null)
  section('Lots expiring soon', s.expiring_lots.length ? table(['PRODUCT', 'LOT', 'EXPIRES', 'DAYS', 'SEALED ON HAND', 'OPEN ON HAND'], s.expiring_lots.map((l) => [l.product, l.lot, l.expires, l.expired ? 'EXPIRED' : String(l.days_left), String(l.sealed_on_hand), String(l.open_on_hand)])) : null)
  out.push('Inventory', s.inventory.last ? `  last: ${s.inventory.last.type} on ${s.inventory.last.date} (#${s.inventory.last.seq}); biennial due by ${s.inventory.biennial_due}${s.inventory.overdue ? '  OVERDUE' : ''}\n` : '  no initial inventory yet: take one before the first receipt\n')
  section('Last count per location', s.last_counts.length ? table(['LOCATION', 'LAST COUNT', 'AGE', 'DISCREPANCIES'], s.last_counts.map((c) => [c.location, c.seq ? `#${c.seq} ${c.at}` : 'never', c.age_hours !== null ? `${c.age_hours} h` : '-', c.discrepancies !== null ? String(c.discrepancies) : '-'])) : null)
  if (s.significance_review.length) section('Pattern of losses: consider significance (21 CFR 1301.76(b))', table(['PRODUCT', 'EVENTS', 'WINDOW'], s.significance_review.map((p) => [p.product, String(p.events), `${p.window_days} days`])))
  return out.join('\n')
}

export function registerSettings(program: Command, ctx: CliContext, state: RunState): void {
  const settings = program.command('settings').description('tolerances, deadlines and beyond-use days (each change is an entry)')
  example(settings, 'csledger settings', 'csledger settings set count_tolerance_ml 0.2 --by pkim')
  const list = settings.command('list', { isDefault: true }).description('current settings').action(action(ctx, state, async ({ ledger }) => {
    const read = (await ledger()).store.read()
    const data = await Promise.all(SETTING_NAMES.map(async (name) => {
      const s = await read.get('setting', name)
      return { name, value: s?.value ?? SETTINGS[name].default, default: SETTINGS[name].default, changed_at_seq: s?.seq ?? null, describe: SETTINGS[name].describe }
    }))
    return { exitCode: 0, data, text: table(['SETTING', 'VALUE', 'DEFAULT', 'MEANING'], data.map((s) => [s.name, s.value, s.default, s.describe])) }
  }, { readonly: true }))
  example(list, 'csledger settings list', 'csledger settings list --json')
  const set = settings.command('set <name> <value>')
    .description('change a setting (PIC only)')
    .option('--by <pic>', 'the PIC')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.setSetting({ name: positional[0]!, value: positional[1]!, by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(set, 'csledger settings set count_tolerance_ml 0.2 --by pkim')
}
