/**
 * The fictional clinic of the demo: its registration, people, storage locations and products.
 * Every name, address, DEA number and invoice is invented; DEA numbers pass the check-digit
 * formula so the ledger accepts them without an override.
 */
export const DEMO_CLINIC = {
  registrant: 'Harbor Light Ketamine Clinic (DEMO DATA)',
  address: '120 Harbor Street, Suite 4, Portland, ME 04101',
  /** F + 9 (business name) + digits with a valid check digit. */
  dea: 'F91234563',
  timezone: 'America/New_York',
  admin: { username: 'pkim', name: 'Dr. Pat Kim (PIC)' },
  supplier: { name: 'Northeast Medical Supply Co. (demo)', address: '44 Depot Road, Westbrook, ME 04092', dea: 'RN0314156' },
  /** Where DEA theft/loss notices go for Maine. */
  fieldDivision: 'DEA New England Field Division',
  destructionPlace: 'Medication room, 120 Harbor Street, Suite 4, Portland, ME 04101',
} as const

export interface DemoUser { readonly username: string; readonly name: string; readonly role: 'pic' | 'physician' | 'nurse' | 'auditor' }

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'pkim', name: 'Dr. Pat Kim (PIC)', role: 'pic' },
  { username: 'dlee', name: 'Dr. Dana Lee', role: 'physician' },
  { username: 'kosei', name: 'Dr. Kofi Osei', role: 'physician' },
  { username: 'nmartin', name: 'Nora Martin, RN', role: 'nurse' },
  { username: 'jgarcia', name: 'Jorge Garcia, RN', role: 'nurse' },
  { username: 'asmith', name: 'Alex Smith, RN', role: 'nurse' },
  { username: 'mdiaz', name: 'Maria Diaz (compliance auditor)', role: 'auditor' },
]

export const DEMO_LOCATIONS = [
  { code: 'SAFE-1', name: 'Main safe, medication room' },
  { code: 'CART-2', name: 'Infusion room lockbox' },
] as const

/** Ketamine 50 mg/mL in 10 mL multi-dose vials; midazolam 1 mg/mL in 2 mL single-dose vials. */
export const DEMO_PRODUCTS = {
  ketamine: { code: 'KET-50', drug: 'ketamine', ndc: '68083-219-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', mgPerMl: 50, volumeTenths: 100 },
  midazolam: { code: 'MDZ-1', drug: 'midazolam', ndc: '70860-600-02', concentration: '1mg/mL', volume: '2mL', doseForm: 'single-dose', mgPerMl: 1, volumeTenths: 20 },
} as const

/** The passphrase of every demo user (the demo prints it; it is not a secret). */
export const DEMO_PASSPHRASE = 'demo passphrase'
