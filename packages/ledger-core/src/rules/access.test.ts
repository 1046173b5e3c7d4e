import { describe, expect, it } from 'vitest'
import { AuthError, exitCodeFor } from '../errors.ts'
import { FIXTURE_PASSPHRASE, givenClinic, ledger } from '../testing/index.ts'

// A day in progress: stock in the safe, an open vial, a dose with its waste awaiting co-signature.
const dayInProgress = ledger`
  receive    KET-50 lot=K2417A containers=3   as=receipt
  open       KET-50 lot=K2417A
  administer C-0001 dose=35mg drawn=0.8mL   as=dose
  waste      dose=$dose amount=5mg witness=rdiaz   as=waste
`

/** Every kind of write, done by `who`. */
function everyWrite(who: string): string[] {
  return [
    `receive KET-50 lot=K2417A containers=1 by=${who}`,
    `open KET-50 lot=K2417A by=${who}`,
    `administer C-0001 dose=10mg by=${who}`,
    `waste container=C-0001 amount=1mL witness=rdiaz by=${who}`,
    `cosign $waste by=${who}`,
    `transfer KET-50 lot=K2417A containers=1 by=${who}`,
    `void $dose reason="typo" witness=rdiaz by=${who}`,
    `amend $dose dose=30mg reason="typo" witness=rdiaz by=${who}`,
    `user mtran nurse "Mai Tran" by=${who}`,
    `deactivate drpatel by=${who}`,
    `location SAFE-2 "Annex safe" by=${who}`,
    `product NEW-1 midazolam 1mg/mL 10mL multi-dose ndc=0409-2587-05 by=${who}`,
  ]
}

describe('auditors write nothing', () => {
  it.each(everyWrite('aford'))('%s → ROLE_FORBIDDEN', async (line) => {
    const { error } = await givenClinic(dayInProgress).when(line).thenRejects('ROLE_FORBIDDEN', AuthError)
    expect(exitCodeFor(error)).toBe(77)
  })

  it('but can sign in and read', async () => {
    const clinic = await givenClinic(dayInProgress).build()
    await expect(clinic.ledger.authenticate('aford', FIXTURE_PASSPHRASE)).resolves.toEqual({ username: 'aford' })
    expect((await clinic.ledger.balance()).rows).toHaveLength(1)
    expect((await clinic.ledger.verify()).ok).toBe(true)
  })
})

describe('deactivated users are refused', () => {
  it.each(everyWrite('nlopez').filter((l) => !l.startsWith('cosign')))('%s by a deactivated nurse → USER_DEACTIVATED', async (line) => {
    await givenClinic(dayInProgress, 'deactivate nlopez reason="left the practice"').when(line).thenRejects('USER_DEACTIVATED', AuthError)
  })

  it('a deactivated PIC can no longer administer the ledger', async () => {
    await givenClinic('user pchen pic "Pat Chen"', 'deactivate pkim by=pchen').when('location SAFE-2 "Annex safe" by=pkim').thenRejects('USER_DEACTIVATED', AuthError)
  })

  it('someone who was never a user is refused', async () => {
    await givenClinic(dayInProgress).when('administer C-0001 dose=10mg by=mallory').thenRejects('UNKNOWN_USER', AuthError)
  })
})

describe('authenticate', () => {
  it('returns the principal for the right passphrase', async () => {
    const clinic = await givenClinic().build()
    await expect(clinic.ledger.authenticate('nlopez', FIXTURE_PASSPHRASE)).resolves.toEqual({ username: 'nlopez' })
  })

  it.each([
    ['nlopez', 'Correct Horse Battery Staple', 'BAD_PASSPHRASE'],
    ['nlopez', undefined, 'PASSPHRASE_REQUIRED'],
    ['nlopez', '', 'PASSPHRASE_REQUIRED'],
    ['ghost', FIXTURE_PASSPHRASE, 'UNKNOWN_USER'],
  ])('%s with %j is refused (%s)', async (username, passphrase, code) => {
    const clinic = await givenClinic().build()
    await expect(clinic.ledger.authenticate(username, passphrase)).rejects.toMatchObject({ name: 'AuthError', code })
  })

  it('a deactivated user is refused even with the right passphrase', async () => {
    const clinic = await givenClinic('deactivate rdiaz').build()
    await expect(clinic.ledger.authenticate('rdiaz', FIXTURE_PASSPHRASE)).rejects.toMatchObject({ name: 'AuthError', code: 'USER_DEACTIVATED' })
  })
})
