import { type Entry, type Ledger, type LossData, REGISTRANT_KEY, RuleViolation } from '@csledger/ledger-core'

/** The fields of a DEA Form 106 draft that the ledger knows (paper items 1, 3, 4, 9, 10 and the product list). */
export interface Form106Draft {
  readonly loss: string
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly date_of_discovery: string
  readonly type: string
  readonly losses_past_24_months: number
  readonly products: ReadonlyArray<{ product: string; substance: string; strength: string; form: string; ndc: string; lot: string; containers: number; quantity_ml: string; quantity_mg: string }>
  readonly notice: string | null
  readonly filing: string | null
  readonly notice_due: string
  readonly form106_due: string
  readonly note: string
}

/** Builds the draft from the loss record and the entry that opened it. */
export async function buildForm106Draft(L: Ledger, id: string): Promise<Form106Draft> {
  const read = L.store.read()
  const loss = await read.get('loss', id)
  if (!loss) throw new RuleViolation('UNKNOWN_LOSS', `no loss ${id}`, { hint: 'list them with `csledger loss list`' })
  const entry = (await read.entry(loss.seq)) as Entry
  const data: LossData = entry.kind === 'loss' ? entry.data : (entry.data as { loss: LossData }).loss
  const r = (await read.get('registrant', REGISTRANT_KEY))!
  const since = new Date(Date.parse(loss.discovered_at) - 730 * 86_400_000).toISOString()
  const prior = (await read.list('loss')).filter((l) => l.id !== id && l.discovered_at >= since && l.discovered_at < loss.discovered_at).length
  const products = await Promise.all(data.items.map(async (i) => {
    const p = (await read.get('product', i.product))!
    return { product: i.product, substance: p.substance, strength: `${p.concentration_mg_per_ml} mg/mL`, form: `injection, ${p.volume_ml} mL ${p.dose_form} vial`, ndc: p.ndc, lot: i.lot, containers: i.containers, quantity_ml: i.amount_ml, quantity_mg: i.amount_mg }
  }))
  return {
    loss: id, registrant: { name: r.name, address: r.address, dea_number: r.dea_number }, date_of_discovery: loss.discovered_at, type: loss.type,
    losses_past_24_months: prior, products, notice: loss.notice?.at ?? null, filing: loss.filing?.confirmation ?? null,
    notice_due: loss.notice_due, form106_due: loss.form106_due, note: data.note,
  }
}

export function renderForm106Text(d: Form106Draft): string {
  return [
    `DEA Form 106 draft: report of theft or loss of controlled substances (${d.loss})`,
    `  1. Registrant:            ${d.registrant.name}, ${d.registrant.address}`,
    `  3. DEA registration:      ${d.registrant.dea_number}`,
    `  4. Date of discovery:     ${d.date_of_discovery}`,
    `  9. Losses, past 24 months: ${d.losses_past_24_months}`,
    ` 10. Type:                  ${d.type}`,
    '  Products:',
    ...d.products.map((p) => `    NDC ${p.ndc}  ${p.substance} ${p.strength}, ${p.form}, lot ${p.lot}: ${p.containers > 0 ? `${p.containers} container(s), ` : ''}${p.quantity_ml} mL = ${p.quantity_mg} mg`),
    `  Notice to DEA Field Division: ${d.notice ? `sent ${d.notice}` : `due ${d.notice_due}`}`,
    `  Form 106 (TLR):               ${d.filing ? `filed, confirmation ${d.filing}` : `due ${d.form106_due}`}`,
    `  Note: ${d.note}`,
    '  Items 2, 5-8 and 11-17 (phone, business type, county, police report, purchase value, security measures) are completed in TLR.',
  ].join('\n') + '\n'
}
