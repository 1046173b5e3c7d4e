import { describe, expect, it } from 'vitest'
import { AuthError, InputError, RuleViolation } from '../errors.ts'
import { givenClinic, ledger } from '../testing/index.ts'

describe('receipt', () => {
  it('records sealed containers from a supplier with its DEA number (21 CFR 1304.22(c))', async () => {
    const { clinic } = await givenClinic()
      .when('receive KET-50 lot=K2417A expires=2027-06-30 containers=4 supplier="Acme Wholesale" supplier_address="9 Depot Rd" supplier_dea=AB1234563 invoice=INV-1')
      .thenEntry({
        kind: 'receipt', actor: 'nlopez',
        data: { product: 'KET-50', lot: 'K2417A', expires: '2027-06-30', containers: 4, location: 'SAFE-1', supplier: { name: 'Acme Wholesale', address: '9 Depot Rd', dea_number: 'AB1234563' }, invoice: 'INV-1' },
      })
    const { rows } = await clinic.ledger.balance()
    expect(rows).toEqual([{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 4, open: [], total_mL: '40', total_mg: '2000' }])
  })

  it('a supplier DEA number failing its check digit is refused without an override reason', async () => {
    await givenClinic().when('receive KET-50 lot=K2417A containers=1 supplier_dea=FS3456782').thenRejects('DEA_CHECK_WARNING', RuleViolation)
  })

  it('with an override reason it is accepted, and the reason is recorded in the entry', async () => {
    const { entry } = await givenClinic()
      .when('receive KET-50 lot=K2417A containers=1 supplier_dea=FS3456782 dea_override="matches the DEA certificate on file"')
      .thenEntry({ data: { supplier: { dea_number: 'FS3456782', dea_override: 'matches the DEA certificate on file' } } })
    expect(entry.kind).toBe('receipt')
  })

  it('a valid supplier DEA number carries no override field', async () => {
    const { entry } = await givenClinic().when('receive KET-50 lot=K2417A containers=1 supplier_dea=BJ2165341').thenEntry({ data: { supplier: { dea_number: 'BJ2165341' } } })
    expect(entry.kind === 'receipt' && 'dea_override' in entry.data.supplier).toBe(false)
  })

  it('a malformed supplier DEA number is refused outright, override or not', async () => {
    await givenClinic().when('receive KET-50 lot=K2417A containers=1 supplier_dea=AB12345 dea_override="trust me"').thenRejects('INVALID_DEA_NUMBER', InputError)
  })

  it('a lot that expired before it arrived is refused', async () => {
    await givenClinic().when('receive KET-50 lot=K2417A expires=2026-11-25 containers=1').thenRejects('LOT_EXPIRED', RuleViolation)
  })

  it('a lot expiring on the day it arrives is still accepted (expiry is the last usable day)', async () => {
    await givenClinic().when('receive KET-50 lot=K2417A expires=2026-11-26 containers=1').thenEntry({ data: { expires: '2026-11-26' } })
  })

  it('the same lot cannot come back with a different expiry', async () => {
    await givenClinic('receive KET-50 lot=K2417A expires=2027-06-30 containers=1')
      .when('receive KET-50 lot=K2417A expires=2027-07-31 containers=1')
      .thenRejects('LOT_EXPIRY_MISMATCH', RuleViolation)
  })

  it.each([
    ['receive KET-99 lot=K2417A containers=1', 'UNKNOWN_PRODUCT'],
    ['receive KET-50 lot=K2417A containers=1 location=SAFE-9', 'UNKNOWN_LOCATION'],
    ['receive KET-50 lot=K2417A containers=0', 'INVALID_COUNT'],
    ['receive KET-50 lot=K2417A containers=-2', 'INVALID_COUNT'],
    ['receive KET-50 lot=K2417A containers=1.5', 'INVALID_COUNT'],
    ['receive KET-50 lot=K2417A expires=2027-02-30 containers=1', 'INVALID_DATE'],
    ['receive KET-50 lot="K 2417" containers=1', 'INVALID_IDENTIFIER'],
    ['receive KET-50 lot=K2417A containers=1 invoice=""', 'MISSING_FIELD'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic().when(line).thenRejects(code)
  })
})

describe('container opening', () => {
  const twoVials = ledger`receive KET-50 lot=K2417A containers=2`

  it('opens the next container, C-0001, with the product volume, and takes it off sealed stock', async () => {
    const { clinic } = await givenClinic(twoVials)
      .when('open KET-50 lot=K2417A')
      .thenEntry({ kind: 'container_opening', data: { container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', volume_ml: '10' } })
    const { rows } = await clinic.ledger.balance()
    expect(rows).toEqual([{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 1, open: [{ container: 'C-0001', remaining_mL: '10', remaining_mg: '500' }], total_mL: '20', total_mg: '1000' }])
  })

  it('numbers containers across products and lots', async () => {
    await givenClinic(twoVials, 'receive MDZ-1 lot=M0915 containers=1', 'open KET-50 lot=K2417A', 'open KET-50 lot=K2417A')
      .when('open MDZ-1 lot=M0915')
      .thenEntry({ data: { container: 'C-0003', volume_ml: '10' } })
  })

  it('sealed stock cannot go below zero: no sealed container left to open', async () => {
    await givenClinic(twoVials, 'open KET-50 lot=K2417A', 'open KET-50 lot=K2417A')
      .when('open KET-50 lot=K2417A')
      .thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a lot held at another location cannot be opened here', async () => {
    await givenClinic(twoVials).when('open KET-50 lot=K2417A location=LOCKBOX-2').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a lot that has not been received cannot be opened', async () => {
    await givenClinic(twoVials).when('open KET-50 lot=K9999Z').thenRejects('UNKNOWN_LOT', RuleViolation)
  })

  it('an expired lot cannot be opened, but can on its expiry date', async () => {
    const expiring = ledger`
      receive KET-50 lot=K2417A expires=2026-12-31 containers=2
      clock   2026-12-31T23:00:00.000Z
    `
    await givenClinic(expiring).when('open KET-50 lot=K2417A').thenEntry({ kind: 'container_opening' })
    await givenClinic(expiring, 'clock 2027-01-01T00:00:00.000Z').when('open KET-50 lot=K2417A').thenRejects('LOT_EXPIRED', RuleViolation)
  })
})

describe('transfer between locations', () => {
  const fourVials = ledger`receive KET-50 lot=K2417A containers=4`

  it('moves sealed containers; balances never net across locations', async () => {
    const { clinic } = await givenClinic(fourVials)
      .when('transfer KET-50 lot=K2417A containers=3 from=SAFE-1 to=LOCKBOX-2')
      .thenEntry({ kind: 'transfer', data: { product: 'KET-50', lot: 'K2417A', containers: 3, from: 'SAFE-1', to: 'LOCKBOX-2' } })
    const { rows } = await clinic.ledger.balance()
    expect(rows.map((r) => [r.location, r.sealed, r.total_mg])).toEqual([['LOCKBOX-2', 3, '1500'], ['SAFE-1', 1, '500']])
  })

  it('cannot move more sealed containers than the location holds', async () => {
    await givenClinic(fourVials, 'open KET-50 lot=K2417A').when('transfer KET-50 lot=K2417A containers=4').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it.each([
    ['transfer KET-50 lot=K2417A containers=1 from=SAFE-1 to=SAFE-1', 'SAME_LOCATION'],
    ['transfer KET-50 lot=K0000 containers=1', 'UNKNOWN_LOT'],
    ['transfer KET-50 lot=K2417A containers=1 to=VAN-1', 'UNKNOWN_LOCATION'],
    ['transfer KET-50 lot=K2417A containers=1 by=aford', 'ROLE_FORBIDDEN'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic(fourVials).when(line).thenRejects(code)
  })

  it('an auditor transferring stock is an AuthError', async () => {
    await givenClinic(fourVials).when('transfer KET-50 lot=K2417A containers=1 by=aford').thenRejects('ROLE_FORBIDDEN', AuthError)
  })
})
