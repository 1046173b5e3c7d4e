import type { Command } from 'commander'
import { InputError, LOSS_TYPES, type LossData, type StockPick } from '@csledger/ledger-core'
import { need, needChoice } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'
import { buildForm106Draft, renderForm106Text } from '../output/form106.ts'

const collect = (v: string, prev: string[] = []) => [...prev, v]

/** Items named by flags: sealed containers (--product --lot --location --containers) and/or open containers (--container, --amount). */
export function picksFromFlags(o: { product?: string; lot?: string; location?: string; containers?: string; container?: string[]; amount?: string }): StockPick[] {
  const picks: StockPick[] = []
  if (o.product || o.lot || o.containers) {
    if (!o.product || !o.lot || !o.location || !o.containers) throw new InputError('MISSING_OPTION', 'sealed stock needs --product, --lot, --location and --containers', { hint: 'or name open containers with --container <id>' })
    picks.push({ product: o.product, lot: o.lot, location: o.location, containers: o.containers })
  }
  for (const c of o.container ?? []) picks.push({ container: c, ...(o.amount ? { amount: o.amount } : {}) })
  return picks
}

export function registerLoss(program: Command, ctx: CliContext, state: RunState): void {
  const loss = program.command('loss').description('theft and loss: record, DEA notice (1 business day), Form 106 (45 days)')
  example(loss, 'csledger loss list', 'csledger loss record --type theft --product KET-50 --lot K2417A --location SAFE-1 --containers 1 --note "lockbox forced" --by pkim', 'csledger loss notice L-0001 --method email --to "Detroit Field Division" --by pkim', 'csledger loss filed L-0001 --confirmation TLR-2026-118833 --by pkim')
  const record = loss.command('record')
    .description('record a theft or loss found outside a count (PIC); removes the stock and starts both clocks')
    .option('--type <type>', LOSS_TYPES.join(' | '))
    .option('--product <code>', 'sealed stock lost: product')
    .option('--lot <lot>', 'sealed stock lost: lot')
    .option('--location <code>', 'sealed stock lost: location')
    .option('--containers <N>', 'sealed stock lost: number of containers')
    .option('--container <id>', 'an open container lost from (repeatable)', collect)
    .option('--amount <qty>', 'volume lost from the open container (default: all that is left)')
    .option('--note <text>', 'circumstances')
    .option('--discovered-at <time>', 'when it was discovered (default now)')
    .option('--by <pic>', 'the PIC')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ type?: string; product?: string; lot?: string; location?: string; containers?: string; container?: string[]; amount?: string; note?: string; discoveredAt?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      const type = await needChoice(ctx, g, opts.type, '--type', 'Type:', LOSS_TYPES.map((t) => ({ name: t, value: t })))
      const note = await need(ctx, g, opts.note, '--note', 'Circumstances:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.loss({ type, items: picksFromFlags(opts), note, ...(opts.discoveredAt ? { discoveredAt: opts.discoveredAt } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      const d = r.stored.entry.data as LossData
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: `${writeText(r.stored, r.replayed)}  ${d.id}: DEA notice due ${d.notice_due}; Form 106 due ${d.form106_due}\n` }
    }))
  example(record, 'csledger loss record --type theft --product KET-50 --lot K2417A --location SAFE-1 --containers 2 --note "lockbox forced" --by pkim')

  const notice = loss.command('notice <id>')
    .description('record the written notice to the DEA Field Division (stops the 1-business-day clock)')
    .option('--method <method>', 'how it was sent (email, fax, letter)')
    .option('--to <office>', 'which DEA Field Division office')
    .option('--at <time>', 'when it was sent (default now)')
    .option('--by <pic>', 'the PIC')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ method?: string; to?: string; at?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const method = await need(ctx, g, opts.method, '--method', 'Sent by (email, fax, letter):')
      const to = await need(ctx, g, opts.to, '--to', 'DEA Field Division office:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.lossNotice({ loss: positional[0]!, method, to, ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(notice, 'csledger loss notice L-0001 --method email --to "Detroit Field Division" --by pkim')

  const filed = loss.command('filed <id>')
    .description('record the DEA Form 106 filing (TLR confirmation number); stops the 45-day clock')
    .option('--confirmation <no>', 'TLR confirmation number')
    .option('--at <time>', 'when it was filed (default now)')
    .option('--by <pic>', 'the PIC')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ confirmation?: string; at?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const confirmation = await need(ctx, g, opts.confirmation, '--confirmation', 'TLR confirmation number:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.lossFiling({ loss: positional[0]!, confirmation, ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(filed, 'csledger loss filed L-0001 --confirmation TLR-2026-118833 --by pkim')

  const list = loss.command('list').description('losses with their clocks').action(action(ctx, state, async ({ ledger }) => {
    const data = await (await ledger()).store.read().list('loss')
    return { exitCode: 0, data, text: data.length === 0 ? 'no losses recorded\n' : table(['ID', 'TYPE', 'DISCOVERED', 'NOTICE', 'FORM 106'], data.map((l) => [l.id, l.type, l.discovered_at, l.notice ? `sent ${l.notice.at}` : `due ${l.notice_due}`, l.filing ? `filed ${l.filing.confirmation}` : `due ${l.form106_due}`])) }
  }, { readonly: true }))
  example(list, 'csledger loss list', 'csledger loss list --json')

  const draft = loss.command('form106 <id>')
    .description('a DEA Form 106 draft for a loss: registrant, DEA number, discovery date, type, products with NDC and quantity')
    .action(action(ctx, state, async ({ ledger, positional }) => {
      const L = await ledger()
      const model = await buildForm106Draft(L, positional[0]!)
      return { exitCode: 0, data: model, text: renderForm106Text(model) }
    }, { readonly: true }))
  example(draft, 'csledger loss form106 L-0001')
}
