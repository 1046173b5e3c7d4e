import { Decimal } from 'decimal.js'
import { addHours } from '../clocks.ts'
import { ConflictError, InputError } from '../errors.ts'
import type { CountDiscrepancy, CountItem, Entry } from '../model/entry.ts'
import { dec, parseCount, parseDecimal } from '../model/quantity.ts'
import { settingNumber, setting } from '../settings.ts'
import type { ContainerState, ProjectionView } from '../state/projections.ts'
import { openContainersOf } from '../state/projections.ts'
import { CLINICAL_ROLES, CODE_RE, type DecideContext, type Principal, activeUser, ident, location as requireLocation, requireWitness } from './common.ts'

/** What a counter is asked to count at a location: no expected values (the count is blind). */
export interface CountSheet {
  readonly location: string
  readonly based_on_seq: number
  readonly sealed: ReadonlyArray<{ readonly product: string; readonly lot: string }>
  readonly open: ReadonlyArray<{ readonly container: string; readonly product: string; readonly lot: string }>
}

/** One counted value as typed: `--item K2417A=3`, `--item KET-50:K2417A=3`, `--item C-0042=3.2mL`. */
export interface CountEntryInput {
  readonly ref: string
  readonly value: string
  /** Where it came from (a count sheet line), for error messages. */
  readonly source?: { readonly file: string; readonly line: number }
}

export interface CountCommand {
  readonly location: string
  /** The ledger position the sheet was built at; the count is compared against it. */
  readonly basedOnSeq: number
  readonly items: readonly CountEntryInput[]
  readonly by: Principal
  readonly witness?: Principal
}

/**
 * Builds the blind count sheet for a location: the lots with sealed stock and the open
 * containers the book says are there, in shelf order (product, lot, container). No quantities.
 */
export async function countSheet(view: ProjectionView & { head(): Promise<{ seq: number } | null> }, locationCode: string): Promise<CountSheet> {
  // The position first: if an entry lands while the sheet is read, the sheet is based on an
  // older position than its contents, and the count is refused (TIP_MOVED), never mis-compared.
  const basedOnSeq = (await view.head())?.seq ?? 0
  const expected = await expectedAt(view, locationCode)
  return {
    location: locationCode,
    based_on_seq: basedOnSeq,
    sealed: expected.sealed.map(({ product, lot }) => ({ product, lot })),
    open: expected.open.map(({ container, product, lot }) => ({ container, product, lot })),
  }
}

/** The book at a location (or every location): sealed stock per lot and open containers, in shelf order. */
export async function expectedAt(view: ProjectionView, locationCode: string | null): Promise<{ sealed: Array<{ location: string; product: string; lot: string; sealed: number }>; open: ContainerState[] }> {
  const here = (l: string) => locationCode === null || l === locationCode
  const sealed = (await view.list('stock')).filter((s) => here(s.location) && s.sealed > 0)
    .sort((a, b) => cmp(a.location, b.location) || cmp(a.product, b.product) || cmp(a.lot, b.lot))
  const open = (await openContainersOf(view)).filter((c) => here(c.location))
    .sort((a, b) => cmp(a.location, b.location) || cmp(a.product, b.product) || cmp(a.lot, b.lot) || cmp(a.container, b.container))
  return { sealed, open }
}

/**
 * Decides a blind count: every item the book expects must be counted (a missing item is an
 * error, not a zero); counted values are compared with the book as of `basedOnSeq`. If the
 * ledger changed at this location since then, the count is refused (TIP_MOVED, exit 4); if it
 * changed elsewhere only, the count is re-based (the expected values are the same).
 */
export async function decideCount(view: ProjectionView & { head(): Promise<{ seq: number } | null>; entry(seq: number): Promise<Entry | undefined> }, cmd: CountCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'count stock')
  await requireWitness(view, cmd.by.username, cmd.witness?.username, 'count')
  const loc = ident(cmd.location, 'location', CODE_RE, 'SAFE-1')
  await requireLocation(view, loc)
  await assertUnchangedSince(view, cmd.basedOnSeq, (e) => touchesLocation(e, loc))
  const { items, discrepancies } = await compare(view, loc, cmd.items, ctx)
  return {
    draft: {
      kind: 'count' as const, occurred_at: ctx.now.toISOString(), actor: cmd.by.username, witness: cmd.witness!.username,
      data: { location: loc, based_on_seq: cmd.basedOnSeq, blind: true as const, tolerance_ml: await setting(view, 'count_tolerance_ml'), items, discrepancies },
    },
  }
}

/** Compares counted values with the book at `loc` (or everywhere for null): items and discrepancies. */
export async function compare(view: ProjectionView, loc: string | null, inputs: readonly CountEntryInput[], ctx: DecideContext): Promise<{ items: CountItem[]; discrepancies: CountDiscrepancy[] }> {
  const expected = await expectedAt(view, loc)
  const tolerance = new Decimal(await setting(view, 'count_tolerance_ml'))
  const deadlineHours = await settingNumber(view, 'discrepancy_deadline_hours')
  const sealedCounted = new Map<string, number>()
  const openCounted = new Map<string, { ml: Decimal; estimated: boolean }>()
  const extraSealed: Array<{ location: string; product: string; lot: string }> = []
  const extraOpen: ContainerState[] = []
  const lots = await view.list('lot')
  for (const input of inputs) {
    const where = input.source ? `${input.source.file}:${input.source.line}: ` : ''
    const ref = input.ref.trim()
    const container = await view.get('container', ref)
    if (container) {
      if (loc !== null && container.location !== loc) throw new InputError('WRONG_LOCATION', `${where}container ${ref} is at ${container.location}, not ${loc}`, { hint: 'count it with its own location' })
      if (container.status === 'voided' || container.status === 'disposed') throw new InputError('UNKNOWN_CONTAINER', `${where}container ${ref} was ${container.status}`, { hint: 'leave it out of the count' })
      if (openCounted.has(ref)) throw new InputError('DUPLICATE_ITEM', `${where}container ${ref} is counted twice`, { hint: 'give each item once' })
      const m = /^(\d{1,4}(?:\.\d{1,4})?)\s*(mL|ml)?(\s*~|\s*\(estimated\))?$/.exec(input.value.trim())
      if (!m) throw new InputError('INVALID_QUANTITY', `${where}${ref}: "${input.value.slice(0, 20)}" is not a volume like 3.2mL`, { hint: 'give the volume left in the container in mL, e.g. C-0042=3.2mL' })
      openCounted.set(ref, { ml: parseDecimal(m[1]!, ref), estimated: Boolean(m[3]) })
      if (container.status !== 'open') extraOpen.push(container)
      continue
    }
    // `<location>/` prefixes an item; lot numbers may contain '/' too (LOT_RE), so in a count of
    // one location a prefix that names no location is part of the lot (e.g. KET-50:M/2026-04).
    const slash = ref.indexOf('/')
    const prefix = slash >= 0 ? ref.slice(0, slash) : null
    const hasLocation = prefix !== null && (loc === null || (CODE_RE.test(prefix) && (await view.get('location', prefix)) !== undefined))
    const itemLoc = hasLocation ? prefix : loc
    const lotPart = hasLocation ? ref.slice(slash + 1) : ref
    if (itemLoc === null) throw new InputError('LOCATION_REQUIRED', `${where}an inventory item of sealed stock names its location: <location>/<lot>=N`, { hint: `e.g. SAFE-1/${lotPart}=4` })
    if (loc !== null && itemLoc !== loc) throw new InputError('WRONG_LOCATION', `${where}${ref} names location ${itemLoc}, but this count is of ${loc}`, { hint: 'count each location separately' })
    if (!(await view.get('location', itemLoc))) throw new InputError('UNKNOWN_LOCATION', `${where}no location ${itemLoc.slice(0, 40)}`, { hint: 'list locations with `csledger location list`' })
    const [productRef, lotRef] = lotPart.includes(':') ? lotPart.split(':', 2) as [string, string] : [undefined, lotPart]
    const matches = lots.filter((l) => l.lot === lotRef && (productRef === undefined || l.product === productRef))
    if (matches.length === 0) throw new InputError('UNKNOWN_ITEM', `${where}"${ref.slice(0, 40)}" is neither a received lot nor a container`, { hint: 'items are <lot>=<sealed containers> or <container>=<mL>, e.g. K2417A=3 or C-0042=3.2mL' })
    if (matches.length > 1) throw new InputError('AMBIGUOUS_LOT', `${where}lot ${lotRef} exists for ${matches.map((l) => l.product).join(' and ')}`, { hint: `name the product: --item ${matches[0]!.product}:${lotRef}=N` })
    const lot = matches[0]!
    const key = `${itemLoc}|${lot.product}|${lot.lot}`
    if (sealedCounted.has(key)) throw new InputError('DUPLICATE_ITEM', `${where}lot ${lot.lot} at ${itemLoc} is counted twice`, { hint: 'give each item once' })
    sealedCounted.set(key, parseCount(input.value, `${ref} sealed containers`, { allowZero: true }))
    if (!expected.sealed.some((s) => s.location === itemLoc && s.product === lot.product && s.lot === lot.lot)) extraSealed.push({ location: itemLoc, product: lot.product, lot: lot.lot })
  }
  const missing = [
    ...expected.sealed.filter((s) => !sealedCounted.has(`${s.location}|${s.product}|${s.lot}`)).map((s) => `${loc === null ? `${s.location}/` : ''}${s.product} lot ${s.lot} (sealed)`),
    ...expected.open.filter((c) => !openCounted.has(c.container)).map((c) => `${c.container} (open ${c.product} lot ${c.lot})`),
  ]
  if (missing.length > 0) {
    throw new InputError('COUNT_INCOMPLETE', `the count leaves out ${missing.length} item(s): ${missing.join(', ')}`, { hint: 'count every item; a container that is not there is counted as 0 (e.g. --item K2417A=0)' })
  }
  const items: CountItem[] = []
  const discrepancies: CountDiscrepancy[] = []
  let next = ((await view.get('counter', 'discrepancy'))?.value ?? 0) + 1
  const due = addHours(ctx.now, deadlineHours).toISOString()
  const add = (item: CountItem, difference: string, unit: 'container' | 'mL', differs: boolean) => {
    items.push(item)
    if (differs) discrepancies.push({ id: `D-${String(next++).padStart(4, '0')}`, item, difference, unit, due })
  }
  for (const s of [...expected.sealed, ...extraSealed.map((e) => ({ ...e, sealed: 0 }))]) {
    const counted = sealedCounted.get(`${s.location}|${s.product}|${s.lot}`)!
    add({ type: 'sealed', location: s.location, product: s.product, lot: s.lot, expected: s.sealed, counted }, String(counted - s.sealed), 'container', counted !== s.sealed)
  }
  for (const c of [...expected.open, ...extraOpen]) {
    const counted = openCounted.get(c.container)!
    const exp = c.status === 'open' ? new Decimal(c.remaining_ml) : new Decimal(0)
    const diff = counted.ml.minus(exp)
    add({ type: 'open', location: c.location, product: c.product, lot: c.lot, container: c.container, expected_ml: dec(exp), counted_ml: dec(counted.ml), ...(counted.estimated ? { estimated: true } : {}) }, dec(diff), 'mL', diff.abs().greaterThan(tolerance))
  }
  return { items, discrepancies }
}

/**
 * Refuses with TIP_MOVED (exit 4) when an entry after `basedOnSeq` touches what was counted.
 */
export async function assertUnchangedSince(view: { head(): Promise<{ seq: number } | null>; entry(seq: number): Promise<Entry | undefined> }, basedOnSeq: number, touches: (e: Entry) => boolean): Promise<void> {
  const head = (await view.head())?.seq ?? 0
  if (!Number.isSafeInteger(basedOnSeq) || basedOnSeq < 0 || basedOnSeq > head) throw new InputError('INVALID_POSITION', `ledger position ${basedOnSeq} does not exist (the ledger ends at ${head})`)
  const moved: number[] = []
  for (let seq = basedOnSeq + 1; seq <= head; seq++) {
    const e = await view.entry(seq)
    if (e && touches(e)) moved.push(seq)
  }
  if (moved.length > 0) {
    throw new ConflictError('TIP_MOVED', `the stock counted changed while the count was under way (entries ${moved.map((s) => `#${s}`).join(', ')})`, {
      details: { counted_against: basedOnSeq, ledger_now_at: head },
      hint: 'count again: the new count is compared with the book as it is now',
    })
  }
}

/** Whether an entry can change stock at a location (conservative: a false positive only asks for a recount). */
export function touchesLocation(e: Entry, loc: string): boolean {
  if (e.kind === 'inventory') return true
  const text = JSON.stringify(e.data)
  const q = JSON.stringify(loc)
  return text.includes(`"location":${q}`) || text.includes(`"from":${q}`) || text.includes(`"to":${q}`)
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }
