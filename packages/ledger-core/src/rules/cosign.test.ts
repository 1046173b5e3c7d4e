import { describe, expect, it } from 'vitest'
import { AuthError, RuleViolation } from '../errors.ts'
import { givenClinic, ledger } from '../testing/index.ts'

// Nora Lopez wasted 5 mg of a drawn dose, witnessed by Rosa Diaz; the waste awaits a physician's co-signature.
const wasted = ledger`
  receive    KET-50 lot=K2417A containers=1
  open       KET-50 lot=K2417A
  administer C-0001 dose=35mg drawn=0.8mL patient=P-1042   as=dose
  waste      dose=$dose amount=5mg witness=rdiaz            as=waste
`

describe('co-signing waste', () => {
  it('a physician who neither wasted nor witnessed co-signs', async () => {
    const { clinic, entry } = await givenClinic(wasted).when('cosign $waste by=drlee').thenEntry({ kind: 'cosign', actor: 'drlee' })
    expect(entry.data).toEqual({ waste: clinic.seq('waste') })
  })

  it.each([
    ['nurse', 'nlopez'],
    ['other nurse', 'rdiaz'],
    ['PIC', 'pkim'],
    ['auditor', 'aford'],
  ])('only a physician co-signs: a %s is refused', async (_role, who) => {
    await givenClinic(wasted).when(`cosign $waste by=${who}`).thenRejects('ROLE_FORBIDDEN', AuthError)
  })

  it('a physician who wasted cannot also co-sign', async () => {
    await givenClinic(ledger`
      receive    KET-50 lot=K2417A containers=1
      open       KET-50 lot=K2417A
      administer C-0001 dose=35mg drawn=0.8mL by=drlee   as=dose
      waste      dose=$dose amount=5mg by=drlee witness=rdiaz   as=waste
    `).when('cosign $waste by=drlee').thenRejects('COSIGNER_NOT_INDEPENDENT', RuleViolation)
  })

  it('a physician who witnessed cannot also co-sign', async () => {
    await givenClinic(ledger`
      receive    KET-50 lot=K2417A containers=1
      open       KET-50 lot=K2417A
      administer C-0001 dose=35mg drawn=0.8mL   as=dose
      waste      dose=$dose amount=5mg witness=drpatel   as=waste
    `).when('cosign $waste by=drpatel').thenRejects('COSIGNER_NOT_INDEPENDENT', RuleViolation)
  })

  it('a waste is co-signed once: no second co-signature, by anyone', async () => {
    await givenClinic(wasted, 'cosign $waste by=drlee').when('cosign $waste by=drpatel').thenRejects('ALREADY_COSIGNED', RuleViolation)
    await givenClinic(wasted, 'cosign $waste by=drlee').when('cosign $waste by=drlee').thenRejects('ALREADY_COSIGNED', RuleViolation)
  })

  it('a deactivated physician cannot co-sign', async () => {
    await givenClinic(wasted, 'deactivate drlee').when('cosign $waste by=drlee').thenRejects('USER_DEACTIVATED', AuthError)
  })

  it('there is nothing to co-sign at a seq that is not a waste, or once the waste was voided', async () => {
    await givenClinic(wasted).when('cosign $dose by=drlee').thenRejects('UNKNOWN_WASTE', RuleViolation)
    await givenClinic(wasted, 'void $waste reason="recorded twice" witness=rdiaz').when('cosign $waste by=drlee').thenRejects('UNKNOWN_WASTE', RuleViolation)
  })
})
