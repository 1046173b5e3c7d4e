import { type CountSheet, type Entry, InputError, type LossData, type ProductData } from '@csledger/ledger-core'
import type { DisposalRow, InventoryRecord, LossRow } from '../audit/audit-report.ts'
import { disposalRow, form, inventoryRecord, lossRow, strength } from '../audit/audit-rows.ts'
import type { AuditSource } from '../source/audit-source.ts'
import { type CheckpointGiven, type CheckpointStamp, checkpointStamp } from '../checkpoint/checkpoint-stamp.ts'
import { type PrintOptions, type PrintableHeader, printableContext } from './printable-context.ts'

/** A formal inventory on its own, to print and sign (21 CFR 1304.11 layout). */
export interface InventoryForm extends PrintableHeader {
  readonly inventory: InventoryRecord
}

/** What the ledger knows for DEA Form 106 (the rest is completed in TLR). */
export interface Form106Draft extends PrintableHeader {
  readonly loss: LossRow
  /** Thefts or losses discovered in the 24 months before this one (Form 106 item 9). */
  readonly losses_past_24_months: number
  readonly products: ReadonlyArray<{
    readonly product: string; readonly substance: string; readonly strength: string; readonly form: string; readonly ndc: string; readonly lot: string
    readonly containers: number; readonly container: string | null; readonly quantity_ml: string; readonly quantity_mg: string
  }>
}

/** An on-site destruction as a DEA Form 41 record, to print and sign. */
export interface Form41Record extends PrintableHeader {
  readonly disposal: DisposalRow
}

/** A blind daily count sheet for one location: what to count, with blanks to write in, and no expected values. */
export interface CountSheetDocument extends PrintableHeader {
  readonly location: { readonly code: string; readonly name: string }
  /** The ledger position the sheet was made at: give it back with the count (`csledger count --based-on`). */
  readonly based_on_seq: number
  readonly lines: ReadonlyArray<{ readonly type: 'sealed' | 'open'; readonly product: string; readonly substance: string; readonly strength: string; readonly form: string; readonly ndc: string; readonly lot: string; readonly container: string | null }>
  /** The signed checkpoint of the ledger as the sheet was printed (or the newest the ledger extends); null when there is none. */
  readonly checkpoint: CheckpointStamp | null
}

/**
 * The formal inventory at `seq` (default: the latest one) as a printable form.
 *
 * @example
 * const form = await buildInventoryForm(sourceFromStore(store), { generatedAt, generatedBy: 'pkim' })
 */
export async function buildInventoryForm(source: AuditSource, options: PrintOptions & { seq?: number }): Promise<InventoryForm> {
  const { ctx, header, entries } = await printableContext(source, options, (r) => r.kind === 'inventory' && (options.seq === undefined || r.seq === options.seq))
  const e = entries.at(-1) as Entry<'inventory'> | undefined
  if (!e) {
    throw new InputError('UNKNOWN_INVENTORY', options.seq === undefined ? 'this ledger has no formal inventory yet' : `entry #${options.seq} is not a formal inventory`, { hint: 'list inventories with `csledger log --kind inventory`' })
  }
  return { ...header, inventory: inventoryRecord(ctx, e) }
}

/**
 * A DEA Form 106 draft for a theft or loss (`L-0001`), opened by a loss entry or by the
 * reconciliation of a count discrepancy.
 *
 * @example
 * const draft = await buildForm106Draft(source, { loss: 'L-0001', generatedAt, generatedBy: 'pkim' })
 */
export async function buildForm106Draft(source: AuditSource, options: PrintOptions & { loss: string }): Promise<Form106Draft> {
  const { ctx, header, entries } = await printableContext(source, options, (r) => r.kind === 'loss' || r.kind === 'reconciliation')
  const all: Array<{ e: Entry; d: LossData }> = []
  for (const e of entries) {
    if (e.kind === 'loss') all.push({ e, d: e.data })
    else if (e.kind === 'reconciliation' && e.data.loss) all.push({ e, d: e.data.loss })
  }
  const found = all.find((x) => x.d.id === options.loss)
  if (!found) throw new InputError('UNKNOWN_LOSS', `no loss ${options.loss}`, { hint: 'see losses with `csledger status` or the audit packet' })
  const row = lossRow(ctx, found.e, found.d)!
  const since = new Date(Date.parse(found.d.discovered_at) - 730 * 86_400_000).toISOString()
  const prior = all.filter((x) => x.d.id !== found.d.id && x.d.discovered_at >= since && x.d.discovered_at < found.d.discovered_at).length
  return {
    ...header, loss: row, losses_past_24_months: prior,
    products: found.d.items.map((i) => {
      const p = ctx.index.products.get(i.product)
      return { product: i.product, substance: p?.substance ?? '', strength: strength(p), form: form(p), ndc: i.ndc, lot: i.lot, containers: i.containers, container: i.container ?? null, quantity_ml: i.amount_ml, quantity_mg: i.amount_mg }
    }),
  }
}

/**
 * The DEA Form 41 record of an on-site destruction (the disposal entry at `seq`).
 *
 * @example
 * const record = await buildForm41Record(source, { seq: 952, generatedAt, generatedBy: 'pkim' })
 */
export async function buildForm41Record(source: AuditSource, options: PrintOptions & { seq: number }): Promise<Form41Record> {
  const { ctx, header, entries } = await printableContext(source, options, (r) => r.seq === options.seq)
  const e = entries[0]
  if (!e || e.kind !== 'disposal') throw new InputError('UNKNOWN_DISPOSAL', `entry #${options.seq} is not a disposal`, { hint: 'find disposals with `csledger log --kind disposal`' })
  if (e.data.method !== 'destruction') {
    throw new InputError('NOT_A_DESTRUCTION', `disposal #${options.seq} went to a reverse distributor, which completes its own Form 41`, { hint: 'the audit packet lists the transfer record; print a Form 41 only for on-site destruction' })
  }
  return { ...header, disposal: disposalRow(ctx, e as Entry<'disposal'>)! }
}

/** What a count sheet is made from: the ledger's blind sheet for a location (`Ledger.countSheet`) and the catalog. */
export interface CountSheetInput extends PrintOptions {
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly timezone: string
  readonly location: { readonly code: string; readonly name: string }
  readonly sheet: CountSheet
  readonly products: ReadonlyArray<Pick<ProductData, 'code' | 'substance' | 'ndc' | 'concentration_mg_per_ml' | 'volume_ml' | 'dose_form'>>
  readonly head: { readonly seq: number; readonly hash: string } | null
  /** A checkpoint to print on the sheet (signed as it is printed, or the newest one the ledger still extends). */
  readonly checkpoint?: CheckpointGiven | null
}

/**
 * A printable blind count sheet (pure: the caller reads the sheet and the catalog from the ledger).
 *
 * @example
 * const doc = buildCountSheet({ sheet: await ledger.countSheet('SAFE-1'), products, location, registrant, timezone, head, generatedAt, generatedBy: 'nkim' })
 */
export function buildCountSheet(input: CountSheetInput): CountSheetDocument {
  const byCode = new Map(input.products.map((p) => [p.code, p]))
  const describe = (code: string) => {
    const p = byCode.get(code) as ProductData | undefined
    return { substance: p?.substance ?? '', strength: strength(p), form: form(p), ndc: p?.ndc ?? '' }
  }
  return {
    registrant: input.registrant, timezone: input.timezone, head: input.head, generated_at: new Date(input.generatedAt).toISOString(), generated_by: input.generatedBy,
    location: input.location, based_on_seq: input.sheet.based_on_seq, checkpoint: input.checkpoint ? checkpointStamp(input.checkpoint) : null,
    lines: [
      ...input.sheet.sealed.map((s) => ({ type: 'sealed' as const, product: s.product, lot: s.lot, container: null, ...describe(s.product) })),
      ...input.sheet.open.map((c) => ({ type: 'open' as const, product: c.product, lot: c.lot, container: c.container, ...describe(c.product) })),
    ],
  }
}
