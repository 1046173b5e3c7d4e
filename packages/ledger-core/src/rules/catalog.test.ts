import { describe, expect, it } from 'vitest'
import { AuthError, InputError, RuleViolation } from '../errors.ts'
import { givenClinic } from '../testing/index.ts'

describe('users', () => {
  it('the PIC adds a user with a role; the passphrase stays out of the chain', async () => {
    const { clinic, result } = await givenClinic().when('user mtran nurse "Mai Tran"').thenEntry({ kind: 'user', actor: 'pkim', data: { username: 'mtran', name: 'Mai Tran', role: 'nurse' } })
    expect(result.stored.canonical).not.toMatch(/scrypt|passphrase/)
    await expect(clinic.ledger.authenticate('mtran', 'correct horse battery staple')).resolves.toEqual({ username: 'mtran' })
  })

  it.each([
    ['user mtran nurse "Mai Tran" by=nlopez', 'ROLE_FORBIDDEN', AuthError],
    ['user mtran nurse "Mai Tran" by=drlee', 'ROLE_FORBIDDEN', AuthError],
    ['user mtran nurse "Mai Tran" by=aford', 'ROLE_FORBIDDEN', AuthError],
    ['user nlopez nurse "Nora Lopez again"', 'USER_EXISTS', RuleViolation],
    ['user mtran pharmacist "Mai Tran"', 'INVALID_ROLE', InputError],
    ['user Mai.Tran nurse "Mai Tran"', 'INVALID_IDENTIFIER', InputError],
    ['user mtran nurse "Mai Tran" passphrase=short', 'WEAK_PASSPHRASE', InputError],
  ] as const)('%s is refused (%s)', async (line, code, cls) => {
    await givenClinic().when(line).thenRejects(code, cls)
  })

  it('a deactivated username is never reused', async () => {
    await givenClinic('deactivate rdiaz reason="left the practice"').when('user rdiaz nurse "Rita Diaz"').thenRejects('USER_EXISTS', RuleViolation)
  })

  it('deactivation is an entry; the user stays in history', async () => {
    const { clinic } = await givenClinic().when('deactivate rdiaz reason="left the practice"').thenEntry({ kind: 'user_deactivation', data: { username: 'rdiaz', reason: 'left the practice' } })
    expect(await clinic.store.read().get('user', 'rdiaz')).toMatchObject({ username: 'rdiaz', role: 'nurse', active: false })
  })

  it.each([
    ['deactivate pkim', 'SELF_DEACTIVATION'],
    ['deactivate ghost', 'UNKNOWN_USER'],
    ['deactivate rdiaz by=drlee', 'ROLE_FORBIDDEN'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic().when(line).thenRejects(code)
  })

  it('a user is deactivated once', async () => {
    await givenClinic('deactivate rdiaz').when('deactivate rdiaz').thenRejects('ALREADY_DEACTIVATED', RuleViolation)
  })
})

describe('locations and products', () => {
  it('the PIC adds a location; codes are unique', async () => {
    await givenClinic().when('location SAFE-2 "Annex safe"').thenEntry({ kind: 'location', data: { code: 'SAFE-2', name: 'Annex safe' } })
    await givenClinic().when('location SAFE-1 "Another safe"').thenRejects('LOCATION_EXISTS', RuleViolation)
  })

  it.each([
    ['ketamine', '67457-108-10', '67457010810', 'III', '7285', 'Ketamine HCl'],
    ['midazolam', '70860-600-02', '70860060002', 'IV', '2884', 'Midazolam'],
    ['midazolam', '0409-2587-05', '00409258705', 'IV', '2884', 'Midazolam'],
    ['midazolam', '60575-4112-1', '60575411201', 'IV', '2884', 'Midazolam'],
  ] as const)('a %s product with NDC %s: 11-digit %s, schedule %s, DEA code %s derived', async (drug, ndc, ndc11, schedule, deaCode, substance) => {
    await givenClinic()
      .when(`product NEW-1 ${drug} 5mg/mL 2mL single-dose ndc=${ndc}`)
      .thenEntry({ kind: 'product', data: { code: 'NEW-1', drug, substance, schedule, dea_code: deaCode, ndc, ndc11, concentration_mg_per_ml: '5', volume_ml: '2', dose_form: 'single-dose' } })
  })

  it.each([
    ['product NEW-1 ketamine 50mg/mL 10mL multi-dose ndc=67457010810', 'INVALID_NDC'],
    ['product NEW-1 ketamine 50mg/mL 10mL multi-dose ndc=1234-123-12', 'INVALID_NDC'],
    ['product NEW-1 fentanyl 50mg/mL 10mL multi-dose ndc=67457-108-10', 'UNKNOWN_DRUG'],
    ['product NEW-1 ketamine 0mg/mL 10mL multi-dose ndc=67457-108-10', 'INVALID_NUMBER'],
    ['product NEW-1 ketamine 50mg/mL 1e3mL multi-dose ndc=67457-108-10', 'INVALID_NUMBER'],
    ['product NEW-1 ketamine 50.00001mg/mL 10mL multi-dose ndc=67457-108-10', 'TOO_PRECISE'],
    ['product NEW-1 ketamine 50mg/mL 10mL ampoule ndc=67457-108-10', 'INVALID_DOSE_FORM'],
    ['product KET-50 ketamine 50mg/mL 10mL multi-dose ndc=67457-108-10', 'PRODUCT_EXISTS'],
    ['product NEW-1 ketamine 50mg/mL 10mL multi-dose ndc=67457-108-10 by=nlopez', 'ROLE_FORBIDDEN'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic().when(line).thenRejects(code)
  })
})
