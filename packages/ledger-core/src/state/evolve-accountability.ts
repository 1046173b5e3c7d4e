import { Decimal } from 'decimal.js'
import { localDate } from '../clocks.ts'
import type { CountDiscrepancy, Entry, LossData } from '../model/entry.ts'
import type { Overlay } from './overlay.ts'
import { IntegrityError } from '../errors.ts'
import { REGISTRANT_KEY } from './projections.ts'
import { addRemaining, addSealed } from './stock-effects.ts'

/**
 * The fold for counts, reconciliations, losses, disposals, inventories and settings: which
 * discrepancies open and close, which clocks start and stop, and what leaves the book.
 */
export async function evolveAccountability(tx: Overlay, entry: Entry): Promise<void> {
  switch (entry.kind) {
    case 'setting':
      tx.put('setting', entry.data.name, { name: entry.data.name, value: entry.data.value, seq: entry.seq })
      return
    case 'count': {
      const d = entry.data
      tx.put('last_count', d.location, { location: d.location, seq: entry.seq, at: entry.occurred_at, discrepancies: d.discrepancies.length })
      await openDiscrepancies(tx, entry, d.discrepancies)
      return
    }
    case 'inventory': {
      const d = entry.data
      const tz = (await tx.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
      tx.put('inventory', 'last', { type: d.type, seq: entry.seq, taken_at: d.taken_at, local_date: localDate(new Date(d.taken_at), tz) })
      await openDiscrepancies(tx, entry, d.discrepancies)
      return
    }
    case 'reconciliation': {
      const d = entry.data
      const disc = await tx.get('discrepancy', d.discrepancy)
      if (!disc || disc.status !== 'open') throw unknownTarget(entry, `discrepancy ${d.discrepancy} is not open`)
      tx.put('discrepancy', disc.id, { ...disc, status: 'resolved', resolution: { seq: entry.seq, reason: d.reason, by: entry.actor, at: entry.occurred_at, ...(d.loss ? { loss: d.loss.id } : {}) } })
      const a = d.adjustment
      if (a?.type === 'sealed') await addSealed(tx, a.location, a.product, a.lot, a.delta)
      if (a?.type === 'open') await addRemaining(tx, a.container, new Decimal(a.delta_ml))
      if (d.loss) await openLoss(tx, entry.seq, d.loss)
      return
    }
    case 'loss': {
      const d = entry.data
      if (d.adjusts_stock) {
        for (const item of d.items) {
          if (item.containers > 0) await addSealed(tx, item.location, item.product, item.lot, -item.containers)
          if (item.container) await addRemaining(tx, item.container, new Decimal(item.amount_ml).negated())
        }
      }
      await openLoss(tx, entry.seq, d)
      return
    }
    case 'loss_notice': {
      const l = await tx.get('loss', entry.data.loss)
      if (!l) throw unknownTarget(entry, `loss ${entry.data.loss} does not exist`)
      tx.put('loss', l.id, { ...l, notice: { seq: entry.seq, at: entry.occurred_at, method: entry.data.method, to: entry.data.to } })
      return
    }
    case 'loss_filing': {
      const l = await tx.get('loss', entry.data.loss)
      if (!l) throw unknownTarget(entry, `loss ${entry.data.loss} does not exist`)
      tx.put('loss', l.id, { ...l, filing: { seq: entry.seq, at: entry.occurred_at, confirmation: entry.data.confirmation } })
      return
    }
    case 'disposal': {
      for (const item of entry.data.items) {
        if (item.containers > 0) await addSealed(tx, item.location, item.product, item.lot, -item.containers)
        if (item.container) await addRemaining(tx, item.container, new Decimal(item.amount_ml).negated(), { dispose: true })
      }
      return
    }
    default:
      return
  }
}

async function openDiscrepancies(tx: Overlay, entry: Entry, list: readonly CountDiscrepancy[]): Promise<void> {
  for (const d of list) {
    tx.put('discrepancy', d.id, {
      id: d.id, count_seq: entry.seq, location: d.item.location, item: d.item, difference: d.difference, unit: d.unit,
      opened_at: entry.occurred_at, due: d.due, status: 'open', resolution: null,
    })
  }
  if (list.length > 0) {
    const c = await tx.get('counter', 'discrepancy')
    tx.put('counter', 'discrepancy', { value: (c?.value ?? 0) + list.length })
  }
}

async function openLoss(tx: Overlay, seq: number, d: LossData): Promise<void> {
  tx.put('loss', d.id, {
    id: d.id, seq, type: d.type, discovered_at: d.discovered_at, notice_due: d.notice_due, form106_due: d.form106_due,
    notice: null, filing: null, products: [...new Set(d.items.map((i) => i.product))],
  })
  const c = await tx.get('counter', 'loss')
  tx.put('counter', 'loss', { value: (c?.value ?? 0) + 1 })
}

/** An entry that names something the ledger never had cannot be replayed: the chain was forged. */
function unknownTarget(entry: Entry, why: string): IntegrityError {
  return new IntegrityError('IMPOSSIBLE_ENTRY', `entry ${entry.seq} (${entry.kind}) cannot apply: ${why}`, { details: { seq: entry.seq } })
}
