import { InputError } from '../errors.ts'
import type { DisposalMethod } from '../model/entry.ts'
import type { ProjectionView } from '../state/projections.ts'
import { CLINICAL_ROLES, type DecideContext, MULTILINE, type Principal, activeUser, occurredAt, requireWitness, text } from './common.ts'
import { deaNumber } from './registrant.ts'
import { type StockPick, resolvePicks } from './loss.ts'

export interface DisposeCommand {
  readonly method: string
  readonly items: readonly StockPick[]
  readonly reason: string
  /** Reverse distributor (method reverse-distributor). */
  readonly distributor?: { readonly name: string; readonly address: string; readonly dea: string; readonly deaOverride?: string }
  /** How and where it was destroyed (method destruction, DEA Form 41 section C). */
  readonly destruction?: { readonly method: string; readonly place: string }
  readonly at?: string
  readonly by: Principal
  readonly witness?: Principal
}

/**
 * Disposal of expired or unwanted stock: handed to a reverse distributor (name, address, DEA
 * number, two employees observing) or destroyed on site (Form 41: method, place, two employee
 * witnesses). Open containers are disposed of whole; they leave the book.
 */
export async function decideDisposal(view: ProjectionView, cmd: DisposeCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'dispose of stock')
  await requireWitness(view, cmd.by.username, cmd.witness?.username, 'disposal')
  if (cmd.method !== 'reverse-distributor' && cmd.method !== 'destruction') throw new InputError('INVALID_METHOD', `disposal method "${cmd.method.slice(0, 30)}" is not reverse-distributor or destruction`, { hint: '--method reverse-distributor|destruction' })
  const items = await resolvePicks(view, cmd.items, ctx, { wholeContainer: true })
  let extra: Record<string, unknown>
  if (cmd.method === 'reverse-distributor') {
    if (!cmd.distributor) throw new InputError('MISSING_OPTION', 'a reverse-distributor disposal names the distributor', { hint: 'give --distributor, --distributor-address and --distributor-dea' })
    const dea = deaNumber(cmd.distributor.dea, cmd.distributor.deaOverride, 'reverse distributor DEA number')
    extra = { reverse_distributor: { name: text(cmd.distributor.name, 'distributor'), address: text(cmd.distributor.address, 'distributor_address', 300), dea_number: dea.value, ...(dea.override ? { dea_override: dea.override } : {}) } }
  } else {
    if (!cmd.destruction) throw new InputError('MISSING_OPTION', 'an on-site destruction records how and where (DEA Form 41 section C)', { hint: 'give --destruction-method and --place' })
    extra = { destruction: { method: text(cmd.destruction.method, 'destruction_method', 300), place: text(cmd.destruction.place, 'place', 300) } }
  }
  return {
    draft: {
      kind: 'disposal' as const, occurred_at: occurredAt(cmd.at, ctx), actor: cmd.by.username, witness: cmd.witness!.username,
      data: { method: cmd.method as DisposalMethod, items, reason: text(cmd.reason, 'reason', 500, MULTILINE), ...extra, witnesses: [cmd.by.username, cmd.witness!.username] as [string, string] },
    },
  }
}
