/** Drugs csledger tracks, with their federal schedule and DEA controlled-substance code. */
export const DRUGS = {
  ketamine: { name: 'Ketamine HCl', schedule: 'III', deaCode: '7285' },
  midazolam: { name: 'Midazolam', schedule: 'IV', deaCode: '2884' },
} as const

export type Drug = keyof typeof DRUGS
export type Schedule = (typeof DRUGS)[Drug]['schedule']

export function isDrug(value: string): value is Drug {
  return Object.hasOwn(DRUGS, value)
}
