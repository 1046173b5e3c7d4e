import { Decimal } from 'decimal.js'
import { InputError } from './errors.ts'
import type { ProjectionView } from './state/projections.ts'

/** Settings a PIC can change (each change is an entry). Values are strings; defaults below. */
export const SETTINGS = {
  count_tolerance_ml: { default: '0.1', describe: 'open-container volume difference a count accepts without a discrepancy (mL)', kind: 'decimal' },
  discrepancy_deadline_hours: { default: '24', describe: 'hours to resolve a discrepancy before it is escalated', kind: 'integer' },
  mdv_beyond_use_days: { default: '28', describe: 'days a multi-dose vial may be used after first puncture', kind: 'integer' },
  cosign_window_hours: { default: '24', describe: 'hours after a waste within which a physician co-sign is on time', kind: 'integer' },
  loss_pattern_count: { default: '3', describe: 'losses or unexplained discrepancies of one product that flag a pattern for significance review', kind: 'integer' },
  loss_pattern_days: { default: '30', describe: 'window for the loss pattern (days)', kind: 'integer' },
  expiry_warning_days: { default: '30', describe: 'status lists lots expiring within this many days', kind: 'integer' },
  witness_window_minutes: { default: '15', describe: 'a witness signature more than this after the event is flagged late', kind: 'integer' },
} as const

export type SettingName = keyof typeof SETTINGS
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[]

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name)
}

/** Validates a setting value; returns its one spelling. */
export function validateSetting(name: string, value: string): string {
  if (!isSettingName(name)) throw new InputError('UNKNOWN_SETTING', `no setting "${name.slice(0, 40)}"`, { hint: `settings: ${SETTING_NAMES.join(', ')}` })
  const kind = SETTINGS[name].kind
  const re = kind === 'integer' ? /^\d{1,5}$/ : /^\d{1,4}(\.\d{1,4})?$/
  if (!re.test(value)) throw new InputError('INVALID_SETTING', `${name} must be ${kind === 'integer' ? 'a whole number' : 'a decimal number'}`, { hint: `e.g. ${SETTINGS[name].default}` })
  if (kind === 'integer' && Number(value) === 0 && name !== 'witness_window_minutes') throw new InputError('INVALID_SETTING', `${name} must be at least 1`)
  return kind === 'integer' ? String(Number(value)) : new Decimal(value).toFixed()
}

/** The current value of a setting (its default until a PIC changes it). */
export async function setting(view: ProjectionView, name: SettingName): Promise<string> {
  return (await view.get('setting', name))?.value ?? SETTINGS[name].default
}
export async function settingNumber(view: ProjectionView, name: SettingName): Promise<number> {
  return Number(await setting(view, name))
}
