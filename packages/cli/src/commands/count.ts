import type { Command } from 'commander'
import { type CountData, type CountEntryInput, InputError, type InventoryData, expectedAt } from '@csledger/ledger-core'
import { canPrompt, need, needChoice } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { itemsFromFlags, itemsFromPrompts, itemsFromSheet } from '../count-input.ts'
import { describeDifference, describeItem, discrepancyLine } from '../output/discrepancy-text.ts'
import { writeData } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'
import { checkpointAfterCount, checkpointData } from './checkpoint.ts'

const collect = (v: string, prev: string[] = []) => [...prev, v]

interface CountOptions { location?: string; by?: string; witness?: string; item?: string[]; sheet?: string; basedOn?: string; requestId?: string }

export function registerCount(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('count')
    .description('blind physical count of one location with a witness; expected values are shown only after submission; exit 1 if there are discrepancies')
    .option('--location <code>', 'the location counted')
    .option('--by <user>', 'who counts')
    .option('--witness <user>', 'who witnesses the count')
    .option('--item <item=value>', 'a counted item, repeatable: <lot>=<sealed containers> (or <product>:<lot>=N), <container>=<mL left>', collect)
    .option('--sheet <file.csv>', 'counted items from a CSV count sheet with header "item,count"')
    .option('--based-on <seq>', 'the ledger position the count sheet was printed at (default: now)')
    .option('--request-id <id>', 'idempotency key')
    .action(action<CountOptions>(ctx, state, async ({ opts, g, ledger }) => {
      const location = await need(ctx, g, opts.location, '--location', 'Location to count:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (counter):')
      const witnessName = await need(ctx, g, opts.witness, '--witness', 'Witness username:')
      const L = await ledger()
      const sheet = await L.countSheet(location)
      const basedOnSeq = opts.basedOn !== undefined ? parsePosition(opts.basedOn) : sheet.based_on_seq
      let items: CountEntryInput[]
      if (opts.item?.length || opts.sheet) items = [...itemsFromFlags(opts.item ?? []), ...(opts.sheet ? await itemsFromSheet(ctx, opts.sheet) : [])]
      else if (canPrompt(ctx, g)) {
        ctx.stderr(`Blind count of ${location}: ${sheet.sealed.length + sheet.open.length} item(s) to count, in shelf order.\n`)
        items = await itemsFromPrompts(ctx, sheet)
      } else throw new InputError('MISSING_OPTION', 'no counted items given', { hint: 'give --item <lot>=<N> / --item <container>=<mL> for every item, or --sheet <file.csv>' })
      const actor = await authenticate(ctx, g, L, by, 'actor')
      const witness = witnessName === by ? { username: witnessName } : await authenticate(ctx, g, L, witnessName, 'witness')
      const r = await L.count({ location, basedOnSeq, items, by: actor, witness }, writeOpts(opts))
      const d = r.stored.entry.data as CountData
      // Every count produces a checkpoint, signed by the counter and the witness: its code goes on the count sheet.
      const signed = await checkpointAfterCount(L, actor, witness)
      const lines = [
        `count #${r.stored.entry.seq} of ${location} by ${actor.username}, witnessed by ${witness.username}: ${d.items.length} item(s), compared with the ledger at #${d.based_on_seq}`,
        ...d.items.map((i) => `  ${describeItem(i)}: ${describeDifference(i)}`),
        d.discrepancies.length === 0 ? 'no discrepancies' : `${d.discrepancies.length} discrepanc${d.discrepancies.length === 1 ? 'y' : 'ies'} opened (resolve with \`csledger reconcile <id> …\`):`,
        ...d.discrepancies.map((x) => `  ${discrepancyLine(x)}`),
        signed.cp ? `checkpoint ${signed.cp.code} (entries 1-${signed.cp.checkpoint.size}, signed by ${signed.cp.signers.map((s) => s.username).join(' and ')}): copy it onto the count sheet` : signed.note ?? '',
      ].filter(Boolean)
      return { exitCode: signed.integrity ? 5 : d.discrepancies.length > 0 ? 1 : 0, data: { ...writeData(r.stored, r.replayed), discrepancies: d.discrepancies, ...(signed.cp ? { checkpoint: checkpointData(signed.cp) } : signed.note ? { checkpoint_not_signed: signed.note } : {}) }, text: lines.join('\n') + '\n' }
    }))
  example(cmd, 'csledger count --location SAFE-1 --by pkim --witness nkim                       # interactive, blind', 'csledger count --location SAFE-1 --by pkim --witness nkim --item K2417A=3 --item C-0042=3.2mL')
}

export function registerInventory(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('inventory')
    .description('formal inventory (21 CFR 1304.11) of everything on hand: initial before the first receipt, then biennial')
    .option('--kind <kind>', 'initial | biennial')
    .option('--at <when>', 'opening | close (of business)')
    .option('--by <pic>', 'the PIC taking it')
    .option('--witness <user>', 'second person counting')
    .option('--item <item=value>', 'repeatable: <location>/<lot>=N for sealed stock, <container>=<mL> (suffix ~ when estimated)', collect)
    .option('--sheet <file.csv>', 'items from a CSV sheet with header "item,count"')
    .option('--taken-at <time>', 'when it was taken (ISO-8601); default now')
    .option('--zero', 'nothing is on hand: record a zero inventory')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ kind?: string; at?: string; by?: string; witness?: string; item?: string[]; sheet?: string; takenAt?: string; zero?: boolean; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      const kind = await needChoice(ctx, g, opts.kind, '--kind', 'Inventory kind:', [{ name: 'initial', value: 'initial' }, { name: 'biennial', value: 'biennial' }])
      const at = await needChoice(ctx, g, opts.at, '--at', 'Taken at:', [{ name: 'opening of business', value: 'opening' }, { name: 'close of business', value: 'close' }])
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const witnessName = await need(ctx, g, opts.witness, '--witness', 'Witness username:')
      const L = await ledger()
      const read = L.store.read()
      const basedOnSeq = (await read.head())?.seq ?? 0
      const expected = await expectedAt(read, null)
      let items: CountEntryInput[]
      if (opts.item?.length || opts.sheet) items = [...itemsFromFlags(opts.item ?? []), ...(opts.sheet ? await itemsFromSheet(ctx, opts.sheet) : [])]
      else if (opts.zero) items = []
      else if (canPrompt(ctx, g)) items = await itemsFromPrompts(ctx, { location: '*', based_on_seq: basedOnSeq, sealed: expected.sealed.map((s) => ({ location: s.location, product: s.product, lot: s.lot })), open: expected.open.map((c) => ({ container: c.container, product: c.product, lot: c.lot, location: c.location })) } as never, { allowEstimate: true })
      else if (expected.sealed.length + expected.open.length === 0) throw new InputError('MISSING_OPTION', 'give the counted items, or --zero when nothing is on hand', { hint: 'csledger inventory --kind initial --at opening --zero --by <pic> --witness <user>' })
      else throw new InputError('MISSING_OPTION', 'no counted items given', { hint: 'give --item <location>/<lot>=<N> and --item <container>=<mL> for everything on hand, or --sheet <file.csv>' })
      const actor = await authenticate(ctx, g, L, by, 'actor')
      const witness = witnessName === by ? { username: witnessName } : await authenticate(ctx, g, L, witnessName, 'witness')
      const r = await L.inventory({ type: kind, at, basedOnSeq, items, ...(opts.takenAt ? { takenAt: opts.takenAt } : {}), by: actor, witness }, writeOpts(opts))
      const d = r.stored.entry.data as InventoryData
      const signed = await checkpointAfterCount(L, actor, witness)
      const lines = [
        `${d.type} inventory #${r.stored.entry.seq} at ${d.at} of business, ${d.taken_at}: ${d.registrant.name}, DEA ${d.registrant.dea_number}`,
        d.zero ? '  zero inventory: nothing on hand' : '',
        ...d.items.map((i) => `  ${describeItem(i)}: ${i.type === 'sealed' ? `${i.counted} sealed` : `${i.counted_ml} mL${i.estimated ? ' (estimated)' : ''}`}`),
        ...d.discrepancies.map((x) => `  discrepancy ${discrepancyLine(x)}`),
        `  taken by ${actor.username}, witnessed by ${witness.username}`,
        signed.cp ? `checkpoint ${signed.cp.code} (entries 1-${signed.cp.checkpoint.size}, signed by ${signed.cp.signers.map((s) => s.username).join(' and ')}): copy it onto the inventory record` : signed.note ?? '',
      ].filter(Boolean)
      return { exitCode: signed.integrity ? 5 : d.discrepancies.length > 0 ? 1 : 0, data: { ...writeData(r.stored, r.replayed), ...(signed.cp ? { checkpoint: checkpointData(signed.cp) } : signed.note ? { checkpoint_not_signed: signed.note } : {}) }, text: lines.join('\n') + '\n' }
    }))
  example(cmd, 'csledger inventory --kind initial --at opening --zero --by pkim --witness nkim', 'csledger inventory --kind biennial --at close --by pkim --witness nkim --item SAFE-1/K2417A=4 --item C-0042=3.2mL~')
}

export function registerDiscrepancies(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('discrepancies')
    .description('differences found by counts and inventories, with their age and resolution')
    .option('--open', 'only unresolved ones')
    .action(action<{ open?: boolean }>(ctx, state, async ({ opts, ledger }) => {
      const now = ctx.clock.now().toISOString()
      const list = (await (await ledger()).store.read().list('discrepancy')).filter((d) => !opts.open || d.status === 'open')
      const data = list.map((d) => ({ ...d, description: describeDifference(d.item), overdue: d.status === 'open' && d.due < now, age_hours: Math.floor((Date.parse(now) - Date.parse(d.opened_at)) / 3_600_000) }))
      const text = data.length === 0 ? `no ${opts.open ? 'open ' : ''}discrepancies\n` : table(['ID', 'ITEM', 'DIFFERENCE', 'STATUS', 'AGE', 'DUE'], data.map((d) => [
        d.id, describeItem(d.item), d.description, d.status === 'open' ? (d.overdue ? 'OPEN, OVERDUE' : 'open') : `${d.resolution?.reason} (#${d.resolution?.seq})`, `${d.age_hours} h`, d.due,
      ]))
      return { exitCode: 0, data, text }
    }, { readonly: true }))
  example(cmd, 'csledger discrepancies --open')
}

function parsePosition(v: string): number {
  if (!/^\d{1,15}$/.test(v)) throw new InputError('INVALID_POSITION', `--based-on "${v.slice(0, 20)}" is not an entry number`, { hint: 'copy the position printed on the count sheet' })
  return Number(v)
}
