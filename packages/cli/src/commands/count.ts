import type { Command } from 'commander'
import { type CountData, type CountEntryInput, type Entry, InputError, type InventoryData, REGISTRANT_KEY, type ReadView, expectedAt, localDate, lotKey } from '@csledger/ledger-core'
import { canPrompt, need, needChoice } from '../ask.ts'
import { authenticate, authenticateWitness } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { itemsFromFlags, itemsFromPrompts, itemsFromSheet } from '../count-input.ts'
import { describeDifference, describeItem, discrepancyLine } from '../output/discrepancy-text.ts'
import { writeData } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'
import { checkpointAfterCount, withCheckpoint } from './checkpoint.ts'

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
      const witness = await authenticateWitness(ctx, g, L, witnessName, by)
      const r = await L.count({ location, basedOnSeq, items, by: actor, witness }, writeOpts(opts))
      const d = r.stored.entry.data as CountData
      // Every count produces a checkpoint, signed by the counter and the witness: its code goes on the count sheet.
      const signed = await checkpointAfterCount(L, actor, witness)
      const lines = [
        `count #${r.stored.entry.seq} of ${location} by ${actor.username}, witnessed by ${witness.username}: ${d.items.length} item(s), compared with the ledger at #${d.based_on_seq}`,
        ...d.items.map((i) => `  ${describeItem(i)}: ${describeDifference(i)}`),
        d.discrepancies.length === 0 ? 'no discrepancies' : `${d.discrepancies.length} discrepanc${d.discrepancies.length === 1 ? 'y' : 'ies'} opened (resolve with \`csledger reconcile <id> …\`):`,
        ...d.discrepancies.map((x) => `  ${discrepancyLine(x)}`),
      ]
      const problem = d.discrepancies.length > 0 ? { code: 'DISCREPANCIES_FOUND', message: `the count was recorded (#${r.stored.entry.seq}) and found ${d.discrepancies.length} discrepanc${d.discrepancies.length === 1 ? 'y' : 'ies'}`, hint: 'resolve each with `csledger reconcile <id> --reason … --note … --by <pic>`' } : undefined
      return withCheckpoint(signed, {
        exitCode: d.discrepancies.length > 0 ? 1 : 0, data: { ...writeData(r.stored, r.replayed), discrepancies: d.discrepancies }, text: lines.join('\n') + '\n',
        ...(problem ? { error: problem } : {}),
      }, 'count sheet')
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
      const witness = await authenticateWitness(ctx, g, L, witnessName, by)
      const r = await L.inventory({ type: kind, at, basedOnSeq, items, ...(opts.takenAt ? { takenAt: opts.takenAt } : {}), by: actor, witness }, writeOpts(opts))
      const signed = await checkpointAfterCount(L, actor, witness)
      const record = await inventoryRecord(read, r.stored.entry as Entry<'inventory'>)
      const found = record.discrepancies.length
      return withCheckpoint(signed, {
        exitCode: found > 0 ? 1 : 0, data: { ...writeData(r.stored, r.replayed), record }, text: renderInventoryRecord(record),
        ...(found > 0 ? { error: { code: 'DISCREPANCIES_FOUND', message: `the inventory was recorded (#${r.stored.entry.seq}) and found ${found} discrepanc${found === 1 ? 'y' : 'ies'}`, hint: 'resolve each with `csledger reconcile <id> --reason … --note … --by <pic>`' } } : {}),
      }, 'inventory record')
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

/** One line of a formal inventory record: a product lot at a location, sealed or one open container. */
export interface InventoryLine {
  readonly location: string
  readonly product: string
  readonly substance: string
  readonly ndc: string
  readonly strength: string
  readonly form: string
  /** Volume of one commercial container (mL). */
  readonly container_ml: string
  readonly lot: string
  /** Unopened commercial containers (sealed lines). */
  readonly sealed?: number
  /** The opened container and what is left in it (open lines). */
  readonly container?: string
  readonly left_ml?: string
  readonly estimated?: boolean
  /** Why stock on hand is held for disposal (expired lot, past beyond-use date), if it is. */
  readonly held_for_disposal: string | null
}

/**
 * The printable inventory record of 21 CFR 1304.11 (dea-requirements.md section 4.3): date, time,
 * opening or close of business, registrant, DEA number, each substance with form, strength,
 * container size, sealed containers and opened containers (estimated flagged), stock held for
 * disposal, Schedule III and IV listed apart, who took it and witnessed it.
 */
export interface InventoryRecord {
  readonly seq: number
  readonly type: 'initial' | 'biennial'
  readonly at: 'opening' | 'close'
  readonly date: string
  readonly time: string
  readonly time_zone: string
  readonly taken_at: string
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly schedules: ReadonlyArray<{ readonly schedule: string; readonly lines: readonly InventoryLine[] }>
  readonly zero: boolean
  readonly discrepancies: InventoryData['discrepancies']
  readonly taken_by: { readonly username: string; readonly name: string }
  readonly witnessed_by: { readonly username: string; readonly name: string }
}

/** Builds the record of an inventory entry from the catalog it refers to. */
export async function inventoryRecord(read: ReadView, e: Entry<'inventory'>): Promise<InventoryRecord> {
  const d = e.data
  const tz = (await read.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
  const taken = new Date(d.taken_at)
  const date = localDate(taken, tz)
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(taken)
  const bySchedule = new Map<string, InventoryLine[]>()
  for (const item of d.items) {
    const p = await read.get('product', item.product)
    const lot = await read.get('lot', lotKey(item.product, item.lot))
    const base = {
      location: item.location, product: item.product, substance: p?.substance ?? item.product, ndc: p?.ndc ?? '', strength: p ? `${p.concentration_mg_per_ml} mg/mL` : '',
      form: p ? `injection, ${p.dose_form} vial` : '', container_ml: p?.volume_ml ?? '', lot: item.lot,
    }
    const expired = lot && lot.expires < date ? `lot expired ${lot.expires}` : null
    let line: InventoryLine
    if (item.type === 'sealed') {
      line = { ...base, sealed: item.counted, held_for_disposal: item.counted > 0 ? expired : null }
    } else {
      const c = await read.get('container', item.container)
      const pastUse = c?.beyond_use && c.beyond_use < date ? `past beyond-use date ${c.beyond_use}` : null
      line = { ...base, container: item.container, left_ml: item.counted_ml, estimated: item.estimated === true, held_for_disposal: item.counted_ml !== '0' ? (expired ?? pastUse) : null }
    }
    const schedule = p?.schedule ?? '?'
    bySchedule.set(schedule, [...(bySchedule.get(schedule) ?? []), line])
  }
  const person = async (username: string) => ({ username, name: (await read.get('user', username))?.name ?? username })
  return {
    seq: e.seq, type: d.type, at: d.at, date, time, time_zone: tz, taken_at: d.taken_at, registrant: d.registrant,
    schedules: [...bySchedule].sort(([a], [b]) => (a < b ? -1 : 1)).map(([schedule, lines]) => ({ schedule, lines })),
    zero: d.zero, discrepancies: d.discrepancies, taken_by: await person(e.actor), witnessed_by: await person(e.witness ?? ''),
  }
}

/** The inventory record as printed and signed. */
export function renderInventoryRecord(r: InventoryRecord): string {
  const out = [
    `${r.type === 'initial' ? 'Initial' : 'Biennial'} inventory of controlled substances (21 CFR 1304.11), entry #${r.seq}`,
    `  Registrant:  ${r.registrant.name}`,
    `  Address:     ${r.registrant.address}`,
    `  DEA number:  ${r.registrant.dea_number}`,
    `  Taken:       ${r.date} at ${r.time} ${r.time_zone} (${r.taken_at}), at the ${r.at === 'opening' ? 'opening' : 'close'} of business`,
    '',
  ]
  if (r.zero) out.push('  Zero inventory: no controlled substances on hand.', '')
  for (const s of r.schedules) {
    out.push(`Schedule ${s.schedule}`)
    out.push(table(['LOCATION', 'SUBSTANCE', 'NDC', 'STRENGTH', 'FORM', 'CONTAINER', 'LOT', 'SEALED', 'OPENED', 'LEFT', 'HELD FOR DISPOSAL'], s.lines.map((l) => [
      l.location, l.substance, l.ndc, l.strength, l.form, `${l.container_ml} mL`, l.lot,
      l.sealed !== undefined ? String(l.sealed) : '', l.container ?? '', l.left_ml !== undefined ? `${l.left_ml} mL${l.estimated ? ' (estimated)' : ''}` : '', l.held_for_disposal ?? '',
    ])))
  }
  for (const x of r.discrepancies) out.push(`  discrepancy ${discrepancyLine(x)}`)
  out.push(
    `Taken by ${r.taken_by.name} (${r.taken_by.username}); witnessed by ${r.witnessed_by.name} (${r.witnessed_by.username})`,
    '',
    `  Signature: ______________________________  ${r.taken_by.name}`,
    `  Signature: ______________________________  ${r.witnessed_by.name}`,
  )
  return out.join('\n') + '\n'
}
