import { Decimal } from 'decimal.js'
import { InputError, RuleViolation } from '../errors.ts'
import { DRUGS, isDrug } from '../model/drug.ts'
import type { DoseForm, Role } from '../model/entry.ts'
import { ROLES } from '../model/entry.ts'
import { parseNdc } from '../model/ndc.ts'
import { dec, parseDecimal } from '../model/quantity.ts'
import type { Decision } from '../store/ledger-store.ts'
import type { ProjectionView } from '../state/projections.ts'
import { CODE_RE, type DecideContext, MULTILINE, type Principal, USERNAME_RE, activeUser, ident, text } from './common.ts'

export interface AddUserCommand { readonly username: string; readonly name: string; readonly role: string; readonly passphraseHash: string; readonly by: Principal }
export interface DeactivateUserCommand { readonly username: string; readonly reason?: string; readonly by: Principal }
export interface AddLocationCommand { readonly code: string; readonly name: string; readonly by: Principal }
export interface AddProductCommand {
  readonly code: string
  readonly drug: string
  readonly ndc: string
  /** e.g. "50mg/mL" or "50" */
  readonly concentration: string
  /** e.g. "10mL" or "10" */
  readonly volume: string
  readonly doseForm: string
  readonly by: Principal
}

/** A PIC adds a user with a role; the passphrase hash is stored beside the chain. */
export async function decideAddUser(view: ProjectionView, cmd: AddUserCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, ['pic'], 'add users')
  const username = ident(cmd.username, 'username', USERNAME_RE, 'nkim')
  if (!ROLES.includes(cmd.role as Role)) throw new InputError('INVALID_ROLE', `role "${String(cmd.role).slice(0, 20)}" is not one of ${ROLES.join(', ')}`, { hint: '--role pic|physician|nurse|auditor' })
  if (await view.get('user', username)) throw new RuleViolation('USER_EXISTS', `user ${username} already exists`, { hint: 'choose another username; deactivated usernames are never reused' })
  const at = ctx.now.toISOString()
  return {
    draft: { kind: 'user', occurred_at: at, actor: cmd.by.username, data: { username, name: text(cmd.name, 'name'), role: cmd.role as Role } },
    credentials: [{ username, passphrase_hash: cmd.passphraseHash, updated_at: at }],
  }
}

/** A PIC deactivates a user: an entry, never a deletion; the user's history stays. */
export async function decideDeactivateUser(view: ProjectionView, cmd: DeactivateUserCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, ['pic'], 'deactivate users')
  const target = await view.get('user', cmd.username)
  if (!target) throw new RuleViolation('UNKNOWN_USER', `no user ${cmd.username}`, { hint: 'list users with `csledger user list`' })
  if (!target.active) throw new RuleViolation('ALREADY_DEACTIVATED', `user ${cmd.username} is already deactivated`)
  if (target.username === cmd.by.username) throw new RuleViolation('SELF_DEACTIVATION', 'a PIC cannot deactivate themselves', { hint: 'ask another PIC' })
  return { draft: { kind: 'user_deactivation', occurred_at: ctx.now.toISOString(), actor: cmd.by.username, data: { username: target.username, ...(cmd.reason ? { reason: text(cmd.reason, 'reason', 500, MULTILINE) } : {}) } } }
}

/** A PIC adds a storage location (safe, lockbox). */
export async function decideAddLocation(view: ProjectionView, cmd: AddLocationCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, ['pic'], 'add locations')
  const code = ident(cmd.code, 'code', CODE_RE, 'SAFE-1')
  if (await view.get('location', code)) throw new RuleViolation('LOCATION_EXISTS', `location ${code} already exists`)
  return { draft: { kind: 'location', occurred_at: ctx.now.toISOString(), actor: cmd.by.username, data: { code, name: text(cmd.name, 'name') } } }
}

/** A PIC adds a catalog product: drug (schedule derived), NDC, concentration, container volume, dose form. */
export async function decideAddProduct(view: ProjectionView, cmd: AddProductCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, ['pic'], 'add products')
  const code = ident(cmd.code, 'code', CODE_RE, 'KET-50')
  if (!isDrug(cmd.drug)) throw new InputError('UNKNOWN_DRUG', `drug "${String(cmd.drug).slice(0, 20)}" is not tracked; csledger tracks ${Object.keys(DRUGS).join(', ')}`, { hint: '--drug ketamine|midazolam' })
  if (await view.get('product', code)) throw new RuleViolation('PRODUCT_EXISTS', `product ${code} already exists`)
  const ndc = parseNdc(cmd.ndc)
  const concentration = unitValue(cmd.concentration, /^(.*?)\s*(mg\/mL|mg\/ml)?$/, 'concentration', '50mg/mL')
  const volume = unitValue(cmd.volume, /^(.*?)\s*(mL|ml)?$/, 'volume', '10mL')
  if (cmd.doseForm !== 'multi-dose' && cmd.doseForm !== 'single-dose') {
    throw new InputError('INVALID_DOSE_FORM', `dose form "${String(cmd.doseForm).slice(0, 20)}" is not multi-dose or single-dose`, { hint: '--dose-form multi-dose|single-dose' })
  }
  const drug = DRUGS[cmd.drug]
  return {
    draft: {
      kind: 'product', occurred_at: ctx.now.toISOString(), actor: cmd.by.username,
      data: {
        code, drug: cmd.drug, substance: drug.name, schedule: drug.schedule, dea_code: drug.deaCode, ndc: ndc.printed, ndc11: ndc.ndc11,
        concentration_mg_per_ml: dec(concentration), volume_ml: dec(volume), dose_form: cmd.doseForm as DoseForm,
      },
    },
  }
}

function unitValue(raw: string, re: RegExp, field: string, example: string): Decimal {
  const m = re.exec(String(raw).trim())
  const value = parseDecimal(m?.[1] ?? '', field)
  if (value.isZero() || value.greaterThan(10000)) throw new InputError('INVALID_NUMBER', `${field} must be between 0 and 10000`, { hint: `e.g. ${example}` })
  if (value.decimalPlaces() > 4) throw new InputError('TOO_PRECISE', `${field} has more than 4 decimal places`, { hint: `e.g. ${example}` })
  return value
}
