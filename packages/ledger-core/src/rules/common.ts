import { AuthError, InputError, RuleViolation } from '../errors.ts'
import type { Role } from '../model/entry.ts'
import type { ContainerState, LotState, ProductState, ProjectionView, UserState } from '../state/projections.ts'
import { REGISTRANT_KEY, lotKey } from '../state/projections.ts'
import { localDate, localDateAfterInEveryZone } from '../clocks.ts'

/**
 * Who does or witnesses something: a username whose passphrase was checked for this action. A
 * principal from `Ledger.authenticate` also carries the person's unsealed Ed25519 signing key
 * (non-enumerable, never serialised), with which the ledger signs the entries they write or witness.
 */
export interface Principal { readonly username: string; readonly signingKey?: import('node:crypto').KeyObject }

/** Context every decision gets: the time now (from the clock port). */
export interface DecideContext { readonly now: Date }

/** Roles that may write clinical entries (receipts, doses, waste, transfers). */
export const CLINICAL_ROLES: readonly Role[] = ['pic', 'physician', 'nurse']
/** How far in the future an `occurred_at` may lie (clock skew between workstations). */
export const FUTURE_SKEW_MS = 5 * 60 * 1000

const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f]/

/** Line breaks and tabs: allowed only in fields meant to hold several lines (reasons, notes). */
const LINE_BREAK_RE = /[\t\n\r\u2028\u2029]/

/** For {@link text}: a field that may hold several lines (a reason, a note). */
export const MULTILINE = { multiline: true } as const

/**
 * A required free-text field: trimmed, non-empty, bounded, printable, valid UTF-8, and one line
 * (no line break or tab) unless `options.multiline`: a name, an address or an invoice number with
 * a line break in it would break the printed registers and forms apart.
 */
export function text(value: unknown, field: string, max = 200, options: { readonly multiline?: boolean } = {}): string {
  if (typeof value !== 'string') throw new InputError('MISSING_FIELD', `${field} is required`, { hint: `give --${field.replace(/_/g, '-')}` })
  // A reason pasted from Windows ends its lines with CR LF: kept as LF (a lone CR stays a control character).
  const v = (options.multiline ? value.replace(/\r\n/g, '\n') : value).normalize('NFC').trim()
  if (v === '') throw new InputError('MISSING_FIELD', `${field} is required`, { hint: `give --${field.replace(/_/g, '-')}` })
  if (v.length > max) throw new InputError('TOO_LONG', `${field} is ${v.length} characters; at most ${max} are allowed`, { hint: `shorten ${field}` })
  if (!v.isWellFormed()) throw new InputError('INVALID_TEXT', `${field} contains a lone surrogate (not valid Unicode)`, { hint: 'retype the value' })
  if (v.includes('\uFFFD')) throw new InputError('INVALID_TEXT', `${field} contains bytes that are not valid UTF-8`, { hint: 'retype the value; check the scanner or terminal encoding' })
  if (CONTROL_RE.test(v)) throw new InputError('INVALID_TEXT', `${field} contains control characters`, { hint: 'retype the value without control characters' })
  if (!options.multiline && LINE_BREAK_RE.test(v)) throw new InputError('INVALID_TEXT', `${field} must be one line: it contains a line break or a tab`, { hint: 'retype it on one line; only reasons and notes may run over several lines' })
  return v
}

/** An identifier (username, code, lot, patient reference) matching `re`. */
export function ident(value: unknown, field: string, re: RegExp, example: string): string {
  const v = text(value, field, 64)
  if (!re.test(v)) throw new InputError('INVALID_IDENTIFIER', `${field} "${v.slice(0, 40)}" is not valid`, { hint: `use letters, digits, '.', '_' or '-', e.g. ${example}` })
  return v
}

export const USERNAME_RE = /^[a-z][a-z0-9._-]{1,31}$/
export const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/
export const LOT_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/
export const PATIENT_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/

/** A calendar date YYYY-MM-DD that exists. */
export function isoDate(value: unknown, field: string): string {
  const v = text(value, field, 10)
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  const d = m ? new Date(`${v}T00:00:00Z`) : null
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
    throw new InputError('INVALID_DATE', `${field} "${v}" is not a date like 2027-03-31`, { hint: 'write the date as YYYY-MM-DD' })
  }
  return v
}

/** When it happened: given (ISO-8601 with zone) or now; never in the future beyond clock skew. */
export function occurredAt(value: string | undefined, ctx: DecideContext): string {
  if (value === undefined) return ctx.now.toISOString()
  const v = text(value, 'at', 40)
  const m = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.exec(v)
  // Date.parse rolls 2026-02-30 over to March 2: the calendar day written must exist.
  const dayExists = m !== null && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === `${m[1]}-${m[2]}-${m[3]}`
  const d = m && dayExists ? new Date(v) : new Date(Number.NaN)
  if (Number.isNaN(d.getTime())) throw new InputError('INVALID_TIME', `"${v}" is not a time like 2026-11-26T14:05:00Z`, { hint: 'write an ISO-8601 time with its zone, e.g. 2026-11-26T09:30:00-05:00' })
  if (d.getTime() > ctx.now.getTime() + FUTURE_SKEW_MS) {
    throw new RuleViolation('FUTURE_TIME', `${d.toISOString()} is in the future`, { hint: 'record events when they have happened' })
  }
  return d.toISOString()
}

/** The user, active, with one of `roles` (if given); AuthError otherwise. */
export async function activeUser(view: ProjectionView, username: string, roles?: readonly Role[], action?: string): Promise<UserState> {
  const u = await view.get('user', username)
  if (!u) throw new AuthError('UNKNOWN_USER', `no user ${username}`, { hint: 'list users with `csledger user list`' })
  if (!u.active) throw new AuthError('USER_DEACTIVATED', `user ${username} is deactivated`, { hint: 'ask the PIC to add an active account' })
  if (roles && !roles.includes(u.role)) {
    throw new AuthError('ROLE_FORBIDDEN', `${username} is a ${u.role} and may not ${action ?? 'do this'}`, {
      details: { role: u.role, allowed: roles.join(', ') },
      hint: `ask a ${roles.join(' or ')} to do it`,
    })
  }
  return u
}

/** The witness: present, a different active person, not an auditor. */
export async function requireWitness(view: ProjectionView, actor: string, witness: string | undefined, what: string): Promise<UserState> {
  if (!witness) throw new RuleViolation('WITNESS_REQUIRED', `${what} needs a witness`, { hint: 'add --witness <username> (a second person who saw it)' })
  if (witness === actor) throw new RuleViolation('WITNESS_IS_ACTOR', `${actor} cannot witness their own ${what}`, { hint: 'ask a second person to witness' })
  return activeUser(view, witness, CLINICAL_ROLES, `witness ${what}`)
}

export async function product(view: ProjectionView, code: string): Promise<ProductState> {
  const p = await view.get('product', code)
  if (!p) throw new RuleViolation('UNKNOWN_PRODUCT', `no product ${code}`, { hint: 'list products with `csledger product list`' })
  return p
}

export async function location(view: ProjectionView, code: string): Promise<void> {
  if (!(await view.get('location', code))) throw new RuleViolation('UNKNOWN_LOCATION', `no location ${code}`, { hint: 'list locations with `csledger location list`' })
}

/** A lot that has been received and has not expired (expiry is the last usable day). */
/** `at` is when the event happened (a late record is judged by its own time, not the recording time). */
export async function usableLot(view: ProjectionView, productCode: string, lot: string, ctx: DecideContext, at?: string): Promise<LotState> {
  const l = await view.get('lot', lotKey(productCode, lot))
  if (!l) throw new RuleViolation('UNKNOWN_LOT', `lot ${lot} of ${productCode} has not been received`, { hint: 'check the lot on the vial, or record the receipt first with `csledger receive`' })
  if (await localDateAfter(view, ctx, l.expires, at)) {
    throw new RuleViolation('LOT_EXPIRED', `lot ${lot} of ${productCode} expired on ${l.expires}`, { hint: 'expired stock must be disposed of, not used' })
  }
  return l
}

/** Today's date at the registered location (its time zone). */
export async function today(view: ProjectionView, ctx: DecideContext, at?: string): Promise<string> {
  const tz = (await view.get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
  return localDate(at ? new Date(at) : ctx.now, tz)
}

/**
 * `today(view, ctx, at) > date`, without the registrant's time zone or Intl when the date is a day
 * or more away from the UTC date (see localDateAfterInEveryZone).
 */
async function localDateAfter(view: ProjectionView, ctx: DecideContext, date: string, at?: string): Promise<boolean> {
  const instant = at ? new Date(at) : ctx.now
  return localDateAfterInEveryZone(instant, date) ?? (await today(view, ctx, at)) > date
}

/** Refuses a container past its beyond-use date: its remainder goes to disposal, not to patients or waste. */
export async function withinBeyondUse(view: ProjectionView, c: ContainerState, ctx: DecideContext, at?: string): Promise<void> {
  if (c.beyond_use && (await localDateAfter(view, ctx, c.beyond_use, at))) {
    throw new RuleViolation('BEYOND_USE_DATE', `container ${c.container} passed its beyond-use date ${c.beyond_use}`, {
      hint: `dispose of its remainder with \`csledger dispose --method destruction --container ${c.container} …\``,
    })
  }
}

/** An open container that still holds drug. */
export async function openContainer(view: ProjectionView, id: string): Promise<ContainerState> {
  const c = await view.get('container', id)
  if (!c || c.status === 'voided' || c.status === 'disposed') throw new RuleViolation('UNKNOWN_CONTAINER', `no open container ${id}`, { hint: 'list open containers with `csledger balance`' })
  if (c.status === 'empty') throw new RuleViolation('CONTAINER_EMPTY', `container ${id} is empty`, { hint: 'open a new container with `csledger open`' })
  return c
}
