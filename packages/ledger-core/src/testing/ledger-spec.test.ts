import { describe, expect, it } from 'vitest'
import { AuthError, RuleViolation } from '../errors.ts'
import { givenClinic, givenLedger, ledger } from './index.ts'

// The builder must be able to fail, or every rule test built on it proves nothing.
describe('ledger-spec', () => {
  it('given the clinic set-up, the ledger holds eleven entries and verifies', async () => {
    const clinic = await givenClinic().build()
    expect((await clinic.head())?.seq).toBe(11)
    expect((await clinic.ledger.verify()).findings).toEqual([])
  })

  it('thenEntry fails when the entry does not match', async () => {
    const spec = givenClinic('receive KET-50 lot=K2417A containers=2').when('open KET-50 lot=K2417A')
    await expect(spec.thenEntry({ kind: 'container_opening', data: { container: 'C-0002' } })).rejects.toThrow(/to match object/)
    await expect(spec.thenEntry({ kind: 'container_opening', data: { container: 'C-0001' } })).resolves.toBeTruthy()
  })

  it('thenRejects fails when the command is accepted', async () => {
    const spec = givenClinic('receive KET-50 lot=K2417A containers=2').when('open KET-50 lot=K2417A')
    await expect(spec.thenRejects('INSUFFICIENT_STOCK')).rejects.toThrow(/expected the command to be refused with INSUFFICIENT_STOCK/)
  })

  it('thenRejects fails on another code or another error class', async () => {
    const spec = givenClinic().when('open KET-50 lot=K2417A')
    await expect(spec.thenRejects('UNKNOWN_LOT', RuleViolation)).resolves.toBeTruthy()
    await expect(spec.thenRejects('INSUFFICIENT_STOCK')).rejects.toThrow()
    await expect(spec.thenRejects('UNKNOWN_LOT', AuthError)).rejects.toThrow(/AuthError/)
  })

  it('thenRejects fails when a refused command changed the chain anyway', async () => {
    const spec = givenClinic().when(async (clinic) => {
      await clinic.run('location SAFE-9 "Side safe"')
      return clinic.ledger.open({ product: 'KET-50', lot: 'NOPE', location: 'SAFE-1', by: { username: 'nlopez' } })
    })
    await expect(spec.thenRejects('UNKNOWN_LOT')).rejects.toThrow(/left the chain unchanged/)
  })

  it('labels give the seq of a tagged line, and $label passes it on', async () => {
    const clinic = await givenClinic(ledger`
      receive    KET-50 lot=K2417A containers=1
      open       KET-50 lot=K2417A                               as=vial
      administer C-0001 dose=35mg drawn=0.8mL patient=P-1042     as=dose
      waste      dose=$dose amount=5mg witness=rdiaz             as=waste
    `).build()
    expect([clinic.seq('vial'), clinic.seq('dose'), clinic.seq('waste')]).toEqual([13, 14, 15])
    expect((await clinic.entry(15)).data).toMatchObject({ administration: 14, amount_mg: '5' })
  })

  it('refuses fixture lines it cannot read rather than guessing', async () => {
    expect(() => ledger`recieve KET-50 lot=K1`).toThrow(/unknown verb recieve/)
    await expect(givenClinic('receive KET-50 lot=K1 contianers=2').build()).rejects.toThrow(/unknown key\(s\) contianers/)
    await expect(givenClinic('waste dose=$nope amount=1mg').build()).rejects.toThrow(/no earlier line is tagged as=nope/)
    await expect(givenLedger().build()).resolves.toBeTruthy()
  })

  it('a failing given step names its line', async () => {
    await expect(givenClinic('open KET-50 lot=K2417A').build()).rejects.toThrow(/given step "open KET-50 lot=K2417A" failed: UNKNOWN_LOT/)
  })
})
