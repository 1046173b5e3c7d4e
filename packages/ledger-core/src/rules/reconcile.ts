import { Decimal } from 'decimal.js'
import { addBusinessDays, addLocalDays } from '../clocks.ts'
import { InputError, RuleViolation } from '../errors.ts'
import type { Adjustment, Entry, LossData, ReconcileReason, ReconciliationData } from '../model/entry.ts'
import { RECONCILE_REASONS } from '../model/entry.ts'
import { dec } from '../model/quantity.ts'
import type { ProjectionView } from '../state/projections.ts'
import { REGISTRANT_KEY } from '../state/projections.ts'
import { type DecideContext, MULTILINE, type Principal, activeUser, occurredAt, product, text } from './common.ts'

export interface ReconcileCommand {
  readonly discrepancy: string
  readonly reason: string
  readonly note: string
  /** Entries recorded after the count that explain the difference (late documentation). */
  readonly linked?: readonly number[]
  /** What each linked entry changed on the discrepancy's item (computed by the Ledger from history). */
  readonly explainedBy?: ReadonlyArray<{ readonly seq: number; readonly delta: string }>
  /** When the theft or loss was discovered (default: the time of the count that found it). */
  readonly discoveredAt?: string
  readonly by: Principal
}

/**
 * Decides the PIC's resolution of a discrepancy. The linked entries' effect on the item is
 * subtracted from the difference; whatever is left becomes an adjustment that brings the book
 * to the physical count. Theft and loss also open a loss record and start its two clocks.
 */
export async function decideReconciliation(view: ProjectionView & { entry(seq: number): Promise<Entry | undefined> }, cmd: ReconcileCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'reconcile discrepancies')
  const d = await view.get('discrepancy', cmd.discrepancy)
  if (!d) throw new RuleViolation('UNKNOWN_DISCREPANCY', `no discrepancy ${cmd.discrepancy}`, { hint: 'list them with `csledger discrepancies --open`' })
  if (d.status !== 'open') throw new RuleViolation('ALREADY_RESOLVED', `discrepancy ${d.id} was resolved by entry #${d.resolution?.seq}`)
  if (!RECONCILE_REASONS.includes(cmd.reason as ReconcileReason)) throw new InputError('INVALID_REASON', `reason "${cmd.reason.slice(0, 30)}" is not one of ${RECONCILE_REASONS.join(', ')}`, { hint: `--reason ${RECONCILE_REASONS.join('|')}` })
  const reason = cmd.reason as ReconcileReason
  const note = text(cmd.note, 'note', 1000, MULTILINE)
  const linked = [...new Set(cmd.linked ?? [])].sort((a, b) => a - b)
  if (reason === 'documentation-error' && linked.length === 0) {
    throw new RuleViolation('LINK_REQUIRED', 'a documentation error names the entry that corrects the record', { hint: 'record the missing entry first (e.g. a late administration with --at), then pass --entry <seq>' })
  }
  const count = await view.entry(d.count_seq)
  for (const seq of linked) {
    const e = await view.entry(seq)
    if (!e) throw new RuleViolation('UNKNOWN_ENTRY', `no entry #${seq}`)
    if (seq < d.count_seq) throw new RuleViolation('LINK_NOT_LATE', `entry #${seq} was recorded before the count (#${d.count_seq}), so the count already included it`, { hint: 'link the entry recorded after the count that explains the difference' })
    if (e.kind === 'correction') {
      // A correction is dated when it is made; what matters is that it fixes an entry the count was compared against.
      if (e.data.corrects >= d.count_seq) throw new RuleViolation('LINK_NOT_LATE', `entry #${seq} corrects #${e.data.corrects}, which was recorded after the count, so it cannot explain what the count found`, { hint: 'link the entry that corrects the record the count was compared against' })
    } else if (count && e.occurred_at > count.occurred_at) {
      throw new RuleViolation('LINK_NOT_LATE', `entry #${seq} happened after the count, so it cannot explain what the count found`, { hint: 'a late record must carry the time it really happened (--at)' })
    }
  }
  const explainedMap = new Map((cmd.explainedBy ?? []).map((x) => [x.seq, x.delta]))
  const explained = linked.reduce((acc, seq) => acc.plus(explainedMap.get(seq) ?? '0'), new Decimal(0))
  const left = new Decimal(d.difference).minus(explained)
  const item = d.item
  let adjustment: Adjustment | undefined
  if (!left.isZero()) {
    if (item.type === 'sealed') {
      adjustment = { type: 'sealed', location: item.location, product: item.product, lot: item.lot, delta: left.toNumber() }
    } else {
      const p = await product(view, item.product)
      adjustment = { type: 'open', container: item.container, product: item.product, lot: item.lot, location: item.location, delta_ml: dec(left), delta_mg: dec(left.times(p.concentration_mg_per_ml)) }
    }
  }
  let loss: LossData | undefined
  if (reason === 'theft' || reason === 'loss') {
    if (!left.isNegative()) throw new RuleViolation('NOT_A_SHORTAGE', `discrepancy ${d.id} is not a shortage once the linked entries are counted (${dec(left)} ${d.unit})`, { hint: 'choose another reason' })
    const p = await product(view, item.product)
    const tz = (await view.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
    // A typed discovery time is validated like every other event time (ISO-8601 with a zone, not in the future).
    const discovered = new Date(cmd.discoveredAt !== undefined ? occurredAt(cmd.discoveredAt, ctx) : count?.occurred_at ?? ctx.now.toISOString())
    const lossCounter = (await view.get('counter', 'loss'))?.value ?? 0
    const ml = item.type === 'sealed' ? left.negated().times(p.volume_ml) : left.negated()
    loss = {
      id: `L-${String(lossCounter + 1).padStart(4, '0')}`, type: reason, discovered_at: discovered.toISOString(),
      items: [{
        location: item.location, product: item.product, lot: item.lot, ndc: p.ndc,
        containers: item.type === 'sealed' ? left.negated().toNumber() : 0, ...(item.type === 'open' ? { container: item.container } : {}),
        amount_ml: dec(ml), amount_mg: dec(ml.times(p.concentration_mg_per_ml)),
      }],
      note, discrepancy: d.id,
      notice_due: addBusinessDays(discovered, 1, tz).toISOString(), form106_due: addLocalDays(discovered, 45, tz).toISOString(), adjusts_stock: false,
    }
  }
  const data: ReconciliationData = { discrepancy: d.id, reason, note, linked, explained: dec(explained), ...(adjustment ? { adjustment } : {}), ...(loss ? { loss } : {}) }
  return { draft: { kind: 'reconciliation' as const, occurred_at: ctx.now.toISOString(), actor: cmd.by.username, data } }
}
