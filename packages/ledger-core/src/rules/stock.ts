import { RuleViolation } from '../errors.ts'
import { parseCount } from '../model/quantity.ts'
import type { Decision } from '../store/ledger-store.ts'
import type { ProjectionView } from '../state/projections.ts'
import { REGISTRANT_KEY, lotKey, stockKey } from '../state/projections.ts'
import { addDaysToDate, localDate } from '../clocks.ts'
import { settingNumber } from '../settings.ts'
import {
  CLINICAL_ROLES, CODE_RE, type DecideContext, LOT_RE, type Principal, activeUser, ident, isoDate, location, occurredAt, product, text, usableLot,
} from './common.ts'
import { deaNumber } from './registrant.ts'

export interface ReceiveCommand {
  readonly product: string
  readonly lot: string
  readonly expires: string
  readonly containers: string | number
  readonly location: string
  readonly supplier: string
  readonly supplierAddress: string
  readonly supplierDea: string
  readonly supplierDeaOverride?: string
  readonly invoice: string
  /** When the shipment was physically received (defaults to now). */
  readonly at?: string
  readonly by: Principal
}

/** A receipt of sealed containers from a supplier (21 CFR 1304.22(c): supplier name, address, DEA number). */
export async function decideReceipt(view: ProjectionView, cmd: ReceiveCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'record receipts')
  const p = await product(view, ident(cmd.product, 'product', CODE_RE, 'KET-50'))
  const loc = ident(cmd.location, 'location', CODE_RE, 'SAFE-1')
  await location(view, loc)
  const lot = ident(cmd.lot, 'lot', LOT_RE, 'K2417A')
  const expires = isoDate(cmd.expires, 'expires')
  const at = occurredAt(cmd.at, ctx)
  if (expires < at.slice(0, 10)) throw new RuleViolation('LOT_EXPIRED', `lot ${lot} expired on ${expires}, before it was received`, { hint: 'refuse the shipment or record it for disposal' })
  const existing = await view.get('lot', lotKey(p.code, lot))
  if (existing && existing.received > 0 && existing.expires !== expires) {
    throw new RuleViolation('LOT_EXPIRY_MISMATCH', `lot ${lot} of ${p.code} was received before with expiry ${existing.expires}, not ${expires}`, { hint: 'check the expiry printed on the vials' })
  }
  if (!(await view.get('inventory', 'last'))) {
    throw new RuleViolation('INITIAL_INVENTORY_REQUIRED', 'an initial inventory must be taken before the first receipt (21 CFR 1304.11(b)); a zero inventory is allowed', {
      hint: 'csledger inventory --kind initial --at opening --by <pic> --witness <user>',
    })
  }
  const dea = deaNumber(cmd.supplierDea, cmd.supplierDeaOverride, 'supplier DEA number')
  return {
    draft: {
      kind: 'receipt', occurred_at: at, actor: cmd.by.username,
      data: {
        product: p.code, lot, expires, containers: parseCount(String(cmd.containers), 'containers'), location: loc,
        supplier: { name: text(cmd.supplier, 'supplier'), address: text(cmd.supplierAddress, 'supplier_address', 300), dea_number: dea.value, ...(dea.override ? { dea_override: dea.override } : {}) },
        invoice: text(cmd.invoice, 'invoice', 100),
      },
    },
  }
}

export interface OpenCommand { readonly product: string; readonly lot: string; readonly location: string; readonly at?: string; readonly by: Principal }

/** Opens (punctures) one sealed container; it gets the next container id, C-0001, C-0002, … */
export async function decideOpening(view: ProjectionView, cmd: OpenCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'open containers')
  const p = await product(view, ident(cmd.product, 'product', CODE_RE, 'KET-50'))
  const loc = ident(cmd.location, 'location', CODE_RE, 'SAFE-1')
  await location(view, loc)
  const lot = ident(cmd.lot, 'lot', LOT_RE, 'K2417A')
  const at = occurredAt(cmd.at, ctx)
  await usableLot(view, p.code, lot, ctx, at)
  const stock = await view.get('stock', stockKey(loc, p.code, lot))
  if (!stock || stock.sealed < 1) {
    throw new RuleViolation('INSUFFICIENT_STOCK', `no sealed container of ${p.code} lot ${lot} at ${loc}`, { hint: `check what is on hand with \`csledger balance --location ${loc}\`` })
  }
  const counter = await view.get('counter', 'container')
  const container = `C-${String((counter?.value ?? 0) + 1).padStart(4, '0')}`
  const beyondUse = p.dose_form === 'multi-dose'
    ? addDaysToDate(localDate(new Date(at), (await view.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'), await settingNumber(view, 'mdv_beyond_use_days'))
    : undefined
  return {
    draft: { kind: 'container_opening', occurred_at: at, actor: cmd.by.username, data: { container, product: p.code, lot, location: loc, volume_ml: p.volume_ml, ...(beyondUse ? { beyond_use: beyondUse } : {}) } },
  }
}

export interface TransferCommand { readonly product: string; readonly lot: string; readonly containers: string | number; readonly from: string; readonly to: string; readonly at?: string; readonly by: Principal }

/** Moves sealed containers between two locations of this registrant. */
export async function decideTransfer(view: ProjectionView, cmd: TransferCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'transfer stock')
  const p = await product(view, ident(cmd.product, 'product', CODE_RE, 'KET-50'))
  const from = ident(cmd.from, 'from', CODE_RE, 'SAFE-1')
  const to = ident(cmd.to, 'to', CODE_RE, 'LOCKBOX-2')
  await location(view, from)
  await location(view, to)
  if (from === to) throw new RuleViolation('SAME_LOCATION', 'a transfer needs two different locations', { hint: 'check --from and --to' })
  const lot = ident(cmd.lot, 'lot', LOT_RE, 'K2417A')
  if (!(await view.get('lot', lotKey(p.code, lot)))) throw new RuleViolation('UNKNOWN_LOT', `lot ${lot} of ${p.code} has not been received`)
  const containers = parseCount(String(cmd.containers), 'containers')
  const stock = await view.get('stock', stockKey(from, p.code, lot))
  if ((stock?.sealed ?? 0) < containers) {
    throw new RuleViolation('INSUFFICIENT_STOCK', `only ${stock?.sealed ?? 0} sealed ${p.code} lot ${lot} at ${from}; cannot move ${containers}`, { hint: `check what is on hand with \`csledger balance --location ${from}\`` })
  }
  return { draft: { kind: 'transfer', occurred_at: occurredAt(cmd.at, ctx), actor: cmd.by.username, data: { product: p.code, lot, containers, from, to } } }
}
