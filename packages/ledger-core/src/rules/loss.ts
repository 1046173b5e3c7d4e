import { Decimal } from 'decimal.js'
import { addBusinessDays, addLocalDays } from '../clocks.ts'
import { InputError, RuleViolation } from '../errors.ts'
import type { LossItem, LossType } from '../model/entry.ts'
import { dec, parseCount, parseQuantity, toMlAndMg } from '../model/quantity.ts'
import type { ProjectionView } from '../state/projections.ts'
import { REGISTRANT_KEY, stockKey } from '../state/projections.ts'
import {
  CODE_RE, type DecideContext, LOT_RE, MULTILINE, type Principal, activeUser, ident, location, occurredAt, openContainer, product, text,
} from './common.ts'

export const LOSS_TYPES: readonly LossType[] = ['theft', 'loss', 'in-transit', 'breakage-spill']

/** What was lost: sealed containers of a lot at a location, or a volume from an open container. */
export type StockPick =
  | { readonly location: string; readonly product: string; readonly lot: string; readonly containers: string | number }
  | { readonly container: string; readonly amount?: string }

export interface LossCommand {
  readonly type: string
  readonly items: readonly StockPick[]
  readonly note: string
  readonly discoveredAt?: string
  readonly by: Principal
}

/** Resolves picks to exact items (mL and mg), checking each against the book. */
export async function resolvePicks(view: ProjectionView, picks: readonly StockPick[], ctx: DecideContext, options: { wholeContainer?: boolean } = {}): Promise<LossItem[]> {
  if (picks.length === 0) throw new InputError('NO_ITEMS', 'name at least one item', { hint: 'e.g. --containers 1 --product KET-50 --lot K2417A --location SAFE-1, or --container C-0042' })
  const out: LossItem[] = []
  for (const pick of picks) {
    if ('container' in pick) {
      const c = await openContainer(view, text(pick.container, 'container', 20))
      const p = await product(view, c.product)
      const q = pick.amount === undefined || options.wholeContainer ? { ml: new Decimal(c.remaining_ml), mg: new Decimal(c.remaining_ml).times(p.concentration_mg_per_ml) } : toMlAndMg(parseQuantity(pick.amount, { field: 'amount' }), new Decimal(p.concentration_mg_per_ml))
      if (q.ml.greaterThan(c.remaining_ml)) throw new RuleViolation('INSUFFICIENT_STOCK', `container ${c.container} holds ${c.remaining_ml} mL`, { hint: `check it with \`csledger balance --product ${c.product}\`` })
      out.push({ location: c.location, product: c.product, lot: c.lot, ndc: p.ndc, containers: 0, container: c.container, amount_ml: dec(q.ml), amount_mg: dec(q.mg) })
    } else {
      const p = await product(view, ident(pick.product, 'product', CODE_RE, 'KET-50'))
      const loc = ident(pick.location, 'location', CODE_RE, 'SAFE-1')
      await location(view, loc)
      const lot = ident(pick.lot, 'lot', LOT_RE, 'K2417A')
      const n = parseCount(String(pick.containers), 'containers')
      const s = await view.get('stock', stockKey(loc, p.code, lot))
      if ((s?.sealed ?? 0) < n) throw new RuleViolation('INSUFFICIENT_STOCK', `only ${s?.sealed ?? 0} sealed ${p.code} lot ${lot} at ${loc}`, { hint: `check what is on hand with \`csledger balance --location ${loc}\`` })
      const ml = new Decimal(p.volume_ml).times(n)
      out.push({ location: loc, product: p.code, lot, ndc: p.ndc, containers: n, amount_ml: dec(ml), amount_mg: dec(ml.times(p.concentration_mg_per_ml)) })
    }
  }
  return out
}

/** A theft or loss found outside a count: removes the stock and starts the DEA clocks. */
export async function decideLoss(view: ProjectionView, cmd: LossCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'record a theft or loss')
  if (!LOSS_TYPES.includes(cmd.type as LossType)) throw new InputError('INVALID_LOSS_TYPE', `loss type "${cmd.type.slice(0, 20)}" is not one of ${LOSS_TYPES.join(', ')}`, { hint: `--type ${LOSS_TYPES.join('|')}` })
  const items = await resolvePicks(view, cmd.items, ctx)
  const discovered = new Date(occurredAt(cmd.discoveredAt, ctx))
  const tz = (await view.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
  const n = ((await view.get('counter', 'loss'))?.value ?? 0) + 1
  return {
    draft: {
      kind: 'loss' as const, occurred_at: discovered.toISOString(), actor: cmd.by.username,
      data: {
        id: `L-${String(n).padStart(4, '0')}`, type: cmd.type as LossType, discovered_at: discovered.toISOString(), items, note: text(cmd.note, 'note', 1000, MULTILINE),
        notice_due: addBusinessDays(discovered, 1, tz).toISOString(), form106_due: addLocalDays(discovered, 45, tz).toISOString(), adjusts_stock: true,
      },
    },
  }
}

export interface LossNoticeCommand { readonly loss: string; readonly method: string; readonly to: string; readonly at?: string; readonly by: Principal }
export interface LossFilingCommand { readonly loss: string; readonly confirmation: string; readonly at?: string; readonly by: Principal }

/** The written notice to the DEA Field Division (due within one business day of discovery). */
export async function decideLossNotice(view: ProjectionView, cmd: LossNoticeCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'record loss notices')
  const l = await view.get('loss', cmd.loss)
  if (!l) throw new RuleViolation('UNKNOWN_LOSS', `no loss ${cmd.loss}`, { hint: 'see losses with `csledger status`' })
  if (l.notice) throw new RuleViolation('ALREADY_NOTIFIED', `the notice for ${l.id} was recorded by entry #${l.notice.seq}`)
  const at = afterDiscovery(occurredAt(cmd.at, ctx), l.discovered_at, l.id, 'notice')
  return { draft: { kind: 'loss_notice' as const, occurred_at: at, actor: cmd.by.username, data: { loss: l.id, method: text(cmd.method, 'method', 100), to: text(cmd.to, 'to', 200) } } }
}

/** DEA Form 106 filed through TLR (due within 45 days of discovery), with its confirmation number. */
export async function decideLossFiling(view: ProjectionView, cmd: LossFilingCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'record Form 106 filings')
  const l = await view.get('loss', cmd.loss)
  if (!l) throw new RuleViolation('UNKNOWN_LOSS', `no loss ${cmd.loss}`, { hint: 'see losses with `csledger status`' })
  const at = afterDiscovery(occurredAt(cmd.at, ctx), l.discovered_at, l.id, 'Form 106 filing')
  return { draft: { kind: 'loss_filing' as const, occurred_at: at, actor: cmd.by.username, data: { loss: l.id, confirmation: text(cmd.confirmation, 'confirmation', 100), ...(l.filing ? { amended: true } : {}) } } }
}


/** A notice or filing dated before the discovery would stop a clock that had not started. */
function afterDiscovery(at: string, discoveredAt: string, id: string, what: string): string {
  if (at < discoveredAt) {
    throw new RuleViolation('BEFORE_DISCOVERY', `${id} was discovered at ${discoveredAt}; its ${what} cannot be dated ${at}`, { hint: 'give the time it was really sent or filed with --at (ISO-8601 with zone)' })
  }
  return at
}
