import { isTimeZone } from '../clocks.ts'
import { InputError, RuleViolation } from '../errors.ts'
import { checkDeaNumber } from '../model/dea-number.ts'
import type { Decision } from '../store/ledger-store.ts'
import type { ProjectionView } from '../state/projections.ts'
import { REGISTRANT_KEY } from '../state/projections.ts'
import { type DecideContext, USERNAME_RE, ident, text } from './common.ts'

export interface InitCommand {
  readonly registrant: string
  readonly address: string
  readonly dea: string
  /** Reason for accepting a DEA number whose check digit fails. */
  readonly deaOverride?: string
  readonly admin: string
  readonly adminName: string
  readonly passphraseHash: string
  /** IANA time zone of the registered location (default UTC). */
  readonly timezone?: string
}

/**
 * Decides the first entry of a ledger: the registrant (name, address, DEA number) and its first
 * PIC. Refused when the ledger already has entries.
 */
export async function decideInit(view: ProjectionView, cmd: InitCommand, ctx: DecideContext): Promise<Decision> {
  if (await view.get('registrant', REGISTRANT_KEY)) {
    throw new RuleViolation('ALREADY_INITIALISED', 'this ledger is already initialised', { hint: 'use another --db path for a new ledger' })
  }
  const dea = deaNumber(cmd.dea, cmd.deaOverride, 'registrant DEA number')
  const admin = ident(cmd.admin, 'admin', USERNAME_RE, 'pkim')
  const at = ctx.now.toISOString()
  const timezone = cmd.timezone ?? 'UTC'
  if (!isTimeZone(timezone)) throw new InputError('INVALID_TIMEZONE', `"${timezone.slice(0, 40)}" is not a time zone`, { hint: 'use an IANA name such as America/New_York' })
  return {
    draft: {
      kind: 'registrant', occurred_at: at, actor: admin,
      data: {
        name: text(cmd.registrant, 'registrant'), address: text(cmd.address, 'address', 300), dea_number: dea.value,
        schedules: ['III', 'IV'], ...(dea.override ? { dea_override: dea.override } : {}),
        admin: { username: admin, name: text(cmd.adminName, 'admin_name') }, timezone,
      },
    },
    credentials: [{ username: admin, passphrase_hash: cmd.passphraseHash, updated_at: at }],
  }
}

/**
 * Validates a DEA number: malformed is an error; a failed check digit (or odd first letter) is
 * refused unless an override reason is given, which is then recorded in the entry.
 */
export function deaNumber(raw: string, override: string | undefined, what: string): { value: string; override?: string } {
  const check = checkDeaNumber(text(raw, what, 40))
  if (!check.ok) throw new InputError('INVALID_DEA_NUMBER', `${what} "${check.value}" is malformed: ${check.errors.join('; ')}`, { hint: 'a DEA number is 2 letters and 7 digits, e.g. AB1234563' })
  if (check.warnings.length > 0) {
    if (!override) {
      throw new RuleViolation('DEA_CHECK_WARNING', `${what} ${check.value} looks wrong: ${check.warnings.join('; ')}`, {
        hint: 'check it against the registration certificate; if it is right, repeat with --dea-override "<reason>"',
      })
    }
    return { value: check.value, override: text(override, 'dea_override', 300) }
  }
  return { value: check.value }
}
