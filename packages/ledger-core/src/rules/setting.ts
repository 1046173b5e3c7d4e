import { isTimeZone } from '../clocks.ts'
import { validateSetting } from '../settings.ts'
import type { ProjectionView } from '../state/projections.ts'
import { type DecideContext, type Principal, activeUser } from './common.ts'

export interface SetSettingCommand { readonly name: string; readonly value: string; readonly by: Principal }

/** A PIC changes a setting; the change is an entry, so every rule's threshold is auditable. */
export async function decideSetting(view: ProjectionView, cmd: SetSettingCommand, ctx: DecideContext) {
  await activeUser(view, cmd.by.username, ['pic'], 'change settings')
  return { draft: { kind: 'setting' as const, occurred_at: ctx.now.toISOString(), actor: cmd.by.username, data: { name: cmd.name, value: validateSetting(cmd.name, String(cmd.value).trim()) } } }
}

export { isTimeZone }
