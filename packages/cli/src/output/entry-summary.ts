import type { Entry, StoredEntry } from '@csledger/ledger-core'
import { printable } from './printable.ts'

/** One line saying what an entry recorded, for logs and confirmations. */
export function summarize(e: Entry): string {
  const d = e.data as unknown as Record<string, unknown>
  switch (e.kind) {
    case 'registrant': return `ledger opened for ${d.name} (DEA ${d.dea_number})`
    case 'user': return `user ${d.username} (${d.role}) ${d.name}`
    case 'user_deactivation': return `user ${d.username} deactivated`
    case 'user_key': return `signing key enrolled for ${d.username}`
    case 'location': return `location ${d.code}: ${d.name}`
    case 'product': return `product ${d.code}: ${d.substance} ${d.concentration_mg_per_ml} mg/mL × ${d.volume_ml} mL ${d.dose_form} (C${d.schedule}, NDC ${d.ndc})`
    case 'receipt': return `received ${d.containers} × ${d.product} lot ${d.lot} (exp ${d.expires}) into ${d.location} from ${(d.supplier as { name: string }).name}, invoice ${d.invoice}`
    case 'container_opening': return `opened ${d.container}: ${d.product} lot ${d.lot} at ${d.location} (${d.volume_ml} mL)`
    case 'administration': return `${d.given_mg} mg (${d.given_ml} mL) to ${d.patient} from ${d.container}${d.drawn_ml !== d.given_ml ? `, drawn ${d.drawn_mg} mg (${d.drawn_ml} mL)` : ''}${d.prescriber ? `, ordered by ${d.prescriber}` : ''}`
    case 'waste': return `wasted ${d.amount_mg} mg (${d.amount_ml} mL) ${d.administration !== undefined ? `of dose ${d.administration}` : `from ${d.container}`}: ${d.reason}`
    case 'cosign': return `co-signed waste ${d.waste}`
    case 'transfer': return `moved ${d.containers} × ${d.product} lot ${d.lot} from ${d.from} to ${d.to}`
    case 'correction': return `${d.action === 'void' ? 'voided' : 'amended'} entry ${d.corrects} (${d.corrects_kind}): ${d.reason}`
    case 'setting': return `setting ${d.name} = ${d.value}`
    case 'count': return `count of ${d.location}: ${(d.items as unknown[]).length} item(s), ${(d.discrepancies as unknown[]).length} discrepanc${(d.discrepancies as unknown[]).length === 1 ? 'y' : 'ies'} (against #${d.based_on_seq})`
    case 'inventory': return `${d.type} inventory at ${d.at} of business${d.zero ? ' (zero)' : ''}: ${(d.items as unknown[]).length} item(s)`
    case 'reconciliation': return `${d.discrepancy} resolved as ${d.reason}: ${d.note}`
    case 'loss': return `${d.type} ${d.id} discovered ${d.discovered_at}: ${d.note}`
    case 'loss_notice': return `DEA notice for ${d.loss} sent by ${d.method} to ${d.to}`
    case 'loss_filing': return `Form 106 for ${d.loss} filed, confirmation ${d.confirmation}`
    case 'disposal': return `${d.method === 'destruction' ? 'destroyed on site' : 'handed to reverse distributor'}: ${(d.items as Array<{ product: string; amount_ml: string }>).map((i) => `${i.product} ${i.amount_ml} mL`).join(', ')} (${d.reason})`
    default: return (e as Entry).kind
  }
}

/** What a write command returns in `data`: seq, hash, kind, the entry's fields flattened, and the entry. */
export function writeData(stored: StoredEntry, replayed: boolean): Record<string, unknown> {
  const e = stored.entry
  return {
    ...(e.data as unknown as Record<string, unknown>),
    seq: e.seq, hash: stored.hash, kind: e.kind, recorded_at: e.recorded_at, occurred_at: e.occurred_at, actor: e.actor,
    ...(e.witness ? { witness: e.witness } : {}), ...(replayed ? { replayed: true } : {}), entry: e,
  }
}

/** The confirmation a write command prints for people. */
export function writeText(stored: StoredEntry, replayed: boolean): string {
  const e = stored.entry
  const who = e.witness ? `${e.actor}, witnessed by ${e.witness}` : e.actor
  return `${replayed ? 'already recorded' : 'recorded'} ${e.kind.replace(/_/g, ' ')} #${e.seq} (${printable(who)}): ${printable(summarize(e))}\n  hash ${stored.hash}\n`
}
