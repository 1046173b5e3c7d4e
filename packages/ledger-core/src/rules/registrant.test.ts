import { describe, expect, it } from 'vitest'
import { GENESIS_PREV_HASH } from '../chain/hash-entry.ts'
import { InputError, RuleViolation } from '../errors.ts'
import { FIXTURE_LEDGER_ID, givenClinic, givenLedger } from '../testing/index.ts'

describe('init: the registrant and its first PIC', () => {
  it('is entry 1 of a new chain, with the registrant’s DEA number and schedules', async () => {
    await givenLedger()
      .when('init "Springfield Ketamine Clinic" address="1 Main St, Springfield, IL 62701" dea=BJ6125341 admin=pkim admin_name="Pat Kim"')
      .thenEntry({
        kind: 'registrant', seq: 1, prev_hash: GENESIS_PREV_HASH, format: 1, ledger_id: FIXTURE_LEDGER_ID, actor: 'pkim',
        data: { name: 'Springfield Ketamine Clinic', address: '1 Main St, Springfield, IL 62701', dea_number: 'BJ6125341', schedules: ['III', 'IV'], admin: { username: 'pkim', name: 'Pat Kim' } },
      })
  })

  it('the first PIC can sign in and act', async () => {
    const clinic = await givenLedger('init "Springfield Ketamine Clinic" admin=pkim').build()
    const pic = await clinic.ledger.authenticate('pkim', 'correct horse battery staple')
    await expect(clinic.ledger.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })).resolves.toMatchObject({ stored: { entry: { seq: 2 } } })
  })

  it('a ledger is initialised once', async () => {
    await givenClinic().when('init "Springfield Ketamine Clinic II"').thenRejects('ALREADY_INITIALISED', RuleViolation)
  })

  it('a weak passphrase is refused before anything is written', async () => {
    await givenLedger().when('init "Springfield Ketamine Clinic" passphrase=short').thenRejects('WEAK_PASSPHRASE', InputError)
  })
})

// dea-requirements.md 3.1: a failed check digit is a warning that needs an override reason.
describe('init: the registrant DEA number', () => {
  it.each([['AB1234563'], ['BJ6125341'], ['BJ2165341']])('%s passes its check and needs no override', async (dea) => {
    const { entry } = await givenLedger().when(`init "Springfield Ketamine Clinic" dea=${dea}`).thenEntry({ data: { dea_number: dea } })
    expect(entry.kind === 'registrant' && 'dea_override' in entry.data).toBe(false)
  })

  it('is stored upper-case and trimmed', async () => {
    await givenLedger().when('init "Springfield Ketamine Clinic" dea=" bj6125341 "').thenEntry({ data: { dea_number: 'BJ6125341' } })
  })

  it.each([['FS3456782'], ['AB4523763'], ['MK7654328'], ['BJ6215341'], ['CB1234563']])('%s fails a check: refused without an override reason', async (dea) => {
    const { error } = await givenLedger().when(`init "Springfield Ketamine Clinic" dea=${dea}`).thenRejects('DEA_CHECK_WARNING', RuleViolation)
    expect(error.hint).toMatch(/--dea-override/)
  })

  it('with an override reason it is accepted and the override is recorded in the entry', async () => {
    await givenLedger()
      .when('init "Springfield Ketamine Clinic" dea=FS3456782 dea_override="checked against the DEA certificate, issued as printed"')
      .thenEntry({ data: { dea_number: 'FS3456782', dea_override: 'checked against the DEA certificate, issued as printed' } })
  })

  it('a blank override reason is no override', async () => {
    await givenLedger().when('init "Springfield Ketamine Clinic" dea=FS3456782 dea_override=""').thenRejects('DEA_CHECK_WARNING', RuleViolation)
  })

  it.each([['AB123456'], ['AB12345678'], ['1B1234563'], ['AB-1234563'], ['']])('%j is malformed: refused even with an override', async (dea) => {
    await givenLedger().when(`init "Springfield Ketamine Clinic" dea="${dea}" dea_override="trust me"`).thenRejects(dea === '' ? 'MISSING_FIELD' : 'INVALID_DEA_NUMBER', InputError)
  })
})
