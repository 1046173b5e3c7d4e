import { InputError, RuleViolation } from '../errors.ts'
import type { Entry } from '../model/entry.ts'
import type { ProjectionView } from '../state/projections.ts'
import { REGISTRANT_KEY } from '../state/projections.ts'
import { type DecideContext, type Principal, activeUser, occurredAt, requireWitness } from './common.ts'
import { type CountEntryInput, assertUnchangedSince, compare } from './count.ts'

export interface InventoryCommand {
  readonly type: string
  readonly at: string
  /** When the inventory was taken (default now). */
  readonly takenAt?: string
  readonly basedOnSeq: number
  /** `<location>/<lot>=N` for sealed stock, `<container>=<mL>` (suffix `~` for estimated) for open ones. */
  readonly items: readonly CountEntryInput[]
  readonly by: Principal
  readonly witness?: Principal
}

/**
 * A formal inventory (21 CFR 1304.11) of everything on hand at the registered location, taken
 * at the opening or close of business. The initial inventory comes before the first receipt
 * (a zero inventory when nothing is on hand); a biennial one within two years of the last.
 */
export async function decideInventory(view: ProjectionView & { head(): Promise<{ seq: number } | null>; entry(seq: number): Promise<Entry | undefined> }, cmd: InventoryCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'take formal inventories')
  await requireWitness(view, cmd.by.username, cmd.witness?.username, 'inventory')
  if (cmd.type !== 'initial' && cmd.type !== 'biennial') throw new InputError('INVALID_INVENTORY_KIND', `inventory kind "${cmd.type.slice(0, 20)}" is not initial or biennial`, { hint: '--kind initial|biennial' })
  if (cmd.at !== 'opening' && cmd.at !== 'close') throw new InputError('INVALID_INVENTORY_TIME', `--at must be opening or close (of business), not "${cmd.at.slice(0, 20)}"`, { hint: '--at opening|close' })
  const last = await view.get('inventory', 'last')
  if (cmd.type === 'initial' && last) throw new RuleViolation('INVENTORY_EXISTS', `the initial inventory was taken at entry #${last.seq}`, { hint: 'take a biennial inventory instead' })
  if (cmd.type === 'biennial' && !last) throw new RuleViolation('INITIAL_INVENTORY_REQUIRED', 'take the initial inventory first', { hint: 'csledger inventory --kind initial --at opening --by <pic> --witness <user>' })
  await assertUnchangedSince(view, cmd.basedOnSeq, (e) => e.kind !== 'setting' && e.kind !== 'user' && e.kind !== 'location' && e.kind !== 'product')
  const { items, discrepancies } = await compare(view, null, cmd.items, ctx)
  const r = (await view.get('registrant', REGISTRANT_KEY))!
  const takenAt = occurredAt(cmd.takenAt, ctx)
  return {
    draft: {
      kind: 'inventory' as const, occurred_at: takenAt, actor: cmd.by.username, witness: cmd.witness!.username,
      data: {
        type: cmd.type as 'initial' | 'biennial', at: cmd.at as 'opening' | 'close', taken_at: takenAt, registrant: { name: r.name, address: r.address, dea_number: r.dea_number },
        based_on_seq: cmd.basedOnSeq, items, discrepancies, zero: items.every((i) => (i.type === 'sealed' ? i.counted === 0 : i.counted_ml === '0')),
      },
    },
  }
}
