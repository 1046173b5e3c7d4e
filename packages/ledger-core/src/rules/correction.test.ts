import { describe, expect, it } from 'vitest'
import { AuthError, InputError, RuleViolation } from '../errors.ts'
import { type Clinic, givenClinic, ledger } from '../testing/index.ts'

const vialOpen = ledger`
  receive KET-50 lot=K2417A containers=2   as=receipt
  open    KET-50 lot=K2417A                as=opening
`
const doseGiven = [...vialOpen, ...ledger`administer C-0001 dose=35mg patient=P-1042   as=dose`]

/**
 * What stock looks like: balance rows plus the stock, lot and container projections. Rows that
 * hold nothing (a stock row at 0 sealed, a lot with 0 received) are left out: a reversal may leave
 * them behind, and they hold no drug.
 */
async function stock(clinic: Clinic): Promise<unknown> {
  const read = clinic.store.read()
  return {
    balance: (await clinic.ledger.balance()).rows,
    stock: (await read.list('stock')).filter((s) => s.sealed !== 0),
    lots: (await read.list('lot')).filter((l) => l.received !== 0),
    containers: await read.list('container'),
  }
}

describe('a correction names the entry and a reason, and the original stays', () => {
  it('voiding a dose records what it voids, with reason and witness; the original entry is untouched', async () => {
    const spec = givenClinic(doseGiven)
    // Fixture ledgers are deterministic (fixed clock and ids), so a second build holds the same entries and hashes.
    const original = await spec.build().then(async (c) => ({ entry: await c.entry(c.seq('dose')), row: await rowAt(c, c.seq('dose')) }))
    const { clinic, entry } = await spec.when('void $dose reason="charted on the wrong patient" witness=rdiaz').thenEntry({
      kind: 'correction', actor: 'nlopez', witness: 'rdiaz',
      data: { corrects: original.entry.seq, corrects_kind: 'administration', action: 'void', reason: 'charted on the wrong patient', before: original.entry.data as unknown as Record<string, unknown> },
    })
    expect(entry.kind === 'correction' && 'amended' in entry.data).toBe(false)
    expect(await clinic.entry(original.entry.seq)).toEqual(original.entry)
    expect(await rowAt(clinic, original.entry.seq)).toEqual(original.row)
  })

  it.each([
    ['void $dose witness=rdiaz', 'MISSING_FIELD', InputError],
    ['void $dose reason="   " witness=rdiaz', 'MISSING_FIELD', InputError],
    ['void $dose reason="wrong patient"', 'WITNESS_REQUIRED', RuleViolation],
    ['void $dose reason="wrong patient" witness=nlopez', 'WITNESS_IS_ACTOR', RuleViolation],
    ['void $dose reason="wrong patient" witness=aford', 'ROLE_FORBIDDEN', AuthError],
    ['void $dose reason="wrong patient" witness=rdiaz by=aford', 'ROLE_FORBIDDEN', AuthError],
    ['void 99 reason="wrong patient" witness=rdiaz', 'UNKNOWN_ENTRY', RuleViolation],
  ] as const)('%s is refused (%s)', async (line, code, cls) => {
    await givenClinic(doseGiven).when(line).thenRejects(code, cls)
  })

  it.each([
    ['registrant', 1],
    ['user', 2],
    ['location', 7],
    ['product', 9],
  ])('a %s entry cannot be corrected', async (_kind, seq) => {
    await givenClinic(doseGiven).when(`void ${seq} reason="typo" witness=rdiaz`).thenRejects('NOT_CORRECTABLE', RuleViolation)
  })

  it('nor can a co-signature, a deactivation or a correction', async () => {
    const spec = givenClinic(doseGiven, ledger`
      administer C-0001 dose=35mg drawn=0.8mL   as=drawn
      waste      dose=$drawn amount=5mg witness=rdiaz   as=waste
      cosign     $waste   as=cosign
      deactivate drpatel  as=deactivation
      void       $dose reason="duplicate" witness=rdiaz   as=correction
    `)
    for (const label of ['cosign', 'deactivation', 'correction']) {
      await spec.when(`void $${label} reason="typo" witness=rdiaz`).thenRejects('NOT_CORRECTABLE', RuleViolation)
    }
  })

  it('an amendment only changes what that kind allows', async () => {
    await givenClinic(doseGiven).when('amend $receipt dose=30mg reason="typo" witness=rdiaz').thenRejects('NOT_AMENDABLE', InputError)
    await givenClinic(doseGiven).when('amend $dose containers=3 reason="typo" witness=rdiaz').thenRejects('NOT_AMENDABLE', InputError)
    await givenClinic(vialOpen).when('amend $opening containers=3 reason="typo" witness=rdiaz').thenRejects('NOT_AMENDABLE', InputError)
  })
})

describe('void reverses an entry exactly; a double void is refused', () => {
  it.each([
    ['a dose', doseGiven, 'void $dose reason="never given" witness=rdiaz', vialOpen],
    ['a receipt', ledger`receive KET-50 lot=K2417A containers=2 as=receipt`, 'void $receipt reason="entered twice" witness=rdiaz', []],
    ['an untouched container opening', vialOpen, 'void $opening reason="opened the wrong vial in error" witness=rdiaz', ledger`receive KET-50 lot=K2417A containers=2`],
    ['a transfer', ledger`
      receive  KET-50 lot=K2417A containers=2
      transfer KET-50 lot=K2417A containers=2   as=move
    `, 'void $move reason="never moved" witness=rdiaz', ledger`receive KET-50 lot=K2417A containers=2`],
    ['a container waste', [...vialOpen, ...ledger`waste container=C-0001 amount=2mL witness=rdiaz as=waste`], 'void $waste reason="wrong vial" witness=rdiaz', vialOpen],
  ])('voiding %s leaves stock exactly as if it had never been recorded', async (_what, given, voidLine, without) => {
    const voided = await givenClinic(given, voidLine).build()
    const never = await givenClinic(without).build()
    const [a, b] = [(await stock(voided)) as { containers: Array<{ status: string }> }, (await stock(never)) as { containers: unknown[] }]
    // A voided opening leaves its container marked voided; everything else must be identical.
    a.containers = a.containers.filter((c) => c.status !== 'voided')
    expect(a).toEqual(b)
    expect((await voided.ledger.verify()).findings).toEqual([])
  })

  it('voiding a dose waste gives the remainder back to the dose, so it can be wasted again', async () => {
    const spec = givenClinic(vialOpen, ledger`
      administer C-0001 dose=35mg drawn=0.8mL   as=dose
      waste      dose=$dose amount=5mg witness=rdiaz   as=waste
      void       $waste reason="wrong amount" witness=rdiaz
    `)
    const clinic = await spec.build()
    expect(await clinic.store.read().get('dose', String(clinic.seq('dose')))).toMatchObject({ drawn_ml: '0.8', given_ml: '0.7', wasted_ml: '0', voided: false })
    await spec.when('waste dose=$dose amount=5mg witness=rdiaz').thenEntry({ kind: 'waste', data: { amount_ml: '0.1' } })
  })

  it('a receipt voided for a mistyped expiry can be received again with the expiry on the vials', async () => {
    const { clinic } = await givenClinic(ledger`
      receive KET-50 lot=K2417A expires=2027-06-03 containers=2   as=typo
      void    $typo reason="expiry mistyped: the vials say 2027-06-30" witness=rdiaz
    `).when('receive KET-50 lot=K2417A expires=2027-06-30 containers=2').thenEntry({ kind: 'receipt', data: { expires: '2027-06-30' } })
    clinic.clock.set('2027-06-15T09:00:00.000Z')
    await expect(clinic.run('open KET-50 lot=K2417A')).resolves.toMatchObject({ stored: { entry: { kind: 'container_opening' } } })
  })

  it('voiding a dose never leaves waste standing against a voided dose (drawn = given + wasted)', async () => {
    const clinic = await givenClinic(vialOpen, ledger`
      administer C-0001 dose=35mg drawn=0.8mL patient=P-1042   as=dose
      waste      dose=$dose amount=5mg witness=rdiaz            as=waste
    `).build()
    const voided = await clinic.run('void $dose reason="charted on the wrong patient" witness=rdiaz').then(() => true, (err: unknown) => {
      expect(err).toBeInstanceOf(RuleViolation) // refusing ("void the waste first") is one right answer
      return false
    })
    if (voided) {
      const dose = (await clinic.store.read().get('dose', String(clinic.seq('dose'))))!
      expect(dose.wasted_ml, 'a voided dose has no waste left against it').toBe('0')
      await expect(clinic.run('cosign $waste by=drlee'), 'its waste cannot be co-signed any more').rejects.toMatchObject({ code: 'UNKNOWN_WASTE' })
    }
  })

  it('an entry is voided once', async () => {
    await givenClinic(doseGiven, 'void $dose reason="never given" witness=rdiaz').when('void $dose reason="again" witness=rdiaz').thenRejects('ALREADY_VOIDED', RuleViolation)
  })

  it('and a voided entry cannot be amended', async () => {
    await givenClinic(doseGiven, 'void $dose reason="never given" witness=rdiaz').when('amend $dose dose=30mg reason="typo" witness=rdiaz').thenRejects('ALREADY_VOIDED', RuleViolation)
  })

  it('a void that would drive stock negative is refused: a receipt whose containers were opened', async () => {
    await givenClinic(vialOpen, 'open KET-50 lot=K2417A').when('void $receipt reason="entered twice" witness=rdiaz').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a transfer whose containers were opened at the destination', async () => {
    await givenClinic(ledger`
      receive  KET-50 lot=K2417A containers=2
      transfer KET-50 lot=K2417A containers=2 to=LOCKBOX-2   as=move
      open     KET-50 lot=K2417A location=LOCKBOX-2
    `).when('void $move reason="never moved" witness=rdiaz').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a container opening once drug was drawn from it', async () => {
    await givenClinic(doseGiven).when('void $opening reason="wrong vial" witness=rdiaz').thenRejects('NOT_CORRECTABLE', RuleViolation)
  })
})

describe('amend replaces an entry’s effect exactly', () => {
  it('amending a dose records before and after; stock is as if the right dose had been recorded', async () => {
    const { clinic, entry } = await givenClinic(doseGiven).when('amend $dose dose=30mg reason="misread the order" witness=rdiaz').thenEntry({
      kind: 'correction',
      data: {
        corrects_kind: 'administration', action: 'amend', reason: 'misread the order',
        before: { given_ml: '0.7', given_mg: '35', drawn_ml: '0.7', drawn_mg: '35' },
        amended: { given_ml: '0.6', given_mg: '30', drawn_ml: '0.6', drawn_mg: '30', patient: 'P-1042', container: 'C-0001' },
      },
    })
    expect(entry.kind === 'correction' && entry.data.corrects).toBe(clinic.seq('dose'))
    const right = await givenClinic(vialOpen, 'administer C-0001 dose=30mg').build()
    expect(await stock(clinic)).toEqual(await stock(right))
  })

  it('amending the dose keeps a larger draw, so the remainder grows', async () => {
    await givenClinic(vialOpen, 'administer C-0001 dose=35mg drawn=0.8mL as=dose')
      .when('amend $dose dose=30mg reason="misread the order" witness=rdiaz')
      .thenEntry({ data: { amended: { given_mg: '30', drawn_ml: '0.8', drawn_mg: '40' } } })
  })

  it('amending a receipt count: stock is as if the right count had been received', async () => {
    const { clinic } = await givenClinic('receive KET-50 lot=K2417A containers=2 as=receipt')
      .when('amend $receipt containers=5 invoice=INV-1002 reason="five on the packing slip" witness=rdiaz')
      .thenEntry({ data: { action: 'amend', before: { containers: 2, invoice: 'INV-1001' }, amended: { containers: 5, invoice: 'INV-1002' } } })
    const right = await givenClinic('receive KET-50 lot=K2417A containers=5 invoice=INV-1002').build()
    expect(await stock(clinic)).toEqual(await stock(right))
  })

  it('a second amendment starts from the first one', async () => {
    const { entry } = await givenClinic(doseGiven, 'amend $dose dose=30mg reason="misread" witness=rdiaz')
      .when('amend $dose dose=32.5mg reason="misread again" witness=rdiaz')
      .thenEntry({ data: { before: { given_mg: '30', given_ml: '0.6' }, amended: { given_mg: '32.5', given_ml: '0.65' } } })
    expect(entry.kind).toBe('correction')
  })

  it.each([
    ['amend $receipt containers=0 reason="typo" witness=rdiaz', 'INVALID_COUNT'],
    ['amend $dose dose=35mg drawn=0.5mL reason="typo" witness=rdiaz', 'DOSE_EXCEEDS_DRAWN'],
    ['amend $dose dose=-1mg reason="typo" witness=rdiaz', 'INVALID_QUANTITY'],
    ['amend $dose prescriber=rdiaz reason="typo" witness=rdiaz', 'PRESCRIBER_NOT_PHYSICIAN'],
  ])('%s is refused (%s)', async (line, code) => {
    await givenClinic(doseGiven).when(line).thenRejects(code)
  })

  it('amending a receipt count after one of its containers was opened: stock is as if the right count had been received', async () => {
    const { clinic } = await givenClinic(vialOpen).when('amend $receipt containers=5 reason="five on the packing slip" witness=rdiaz').thenEntry({ data: { action: 'amend', amended: { containers: 5 } } })
    const right = await givenClinic('receive KET-50 lot=K2417A containers=5', 'open KET-50 lot=K2417A').build()
    expect(await stock(clinic)).toEqual(await stock(right))
  })

  it('amending a receipt count down, still above what was opened', async () => {
    await givenClinic(ledger`
      receive KET-50 lot=K2417A containers=4   as=receipt
      open    KET-50 lot=K2417A
    `).when('amend $receipt containers=3 reason="three on the packing slip" witness=rdiaz').thenEntry({ data: { amended: { containers: 3 } } })
  })

  it('amending a transfer count after a container was opened at the destination', async () => {
    const { clinic } = await givenClinic(ledger`
      receive  KET-50 lot=K2417A containers=4
      transfer KET-50 lot=K2417A containers=2 to=LOCKBOX-2   as=move
      open     KET-50 lot=K2417A location=LOCKBOX-2
    `).when('amend $move containers=3 reason="three went to the lockbox" witness=rdiaz').thenEntry({ data: { amended: { containers: 3 } } })
    expect((await clinic.ledger.balance()).rows.map((r) => [r.location, r.sealed])).toEqual([['LOCKBOX-2', 2], ['SAFE-1', 1]])
  })

  it('an amendment that would drive stock negative is refused: receipt count below what was opened', async () => {
    await givenClinic(vialOpen, 'open KET-50 lot=K2417A').when('amend $receipt containers=1 reason="one on the slip" witness=rdiaz').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a dose amended beyond what the container holds', async () => {
    await givenClinic(doseGiven).when('amend $dose dose=10.5mL reason="typo" witness=rdiaz').thenRejects('INSUFFICIENT_STOCK', RuleViolation)
  })

  it('a dose amended so that given plus wasted exceeds drawn', async () => {
    await givenClinic(vialOpen, 'administer C-0001 dose=35mg drawn=0.8mL as=dose', 'waste dose=$dose amount=5mg witness=rdiaz')
      .when('amend $dose dose=38mg reason="typo" witness=rdiaz')
      .thenRejects('DOSE_EXCEEDS_DRAWN', RuleViolation)
  })

  it('a waste amended beyond the dose remainder', async () => {
    await givenClinic(vialOpen, 'administer C-0001 dose=35mg drawn=0.8mL as=dose', 'waste dose=$dose amount=3mg witness=rdiaz as=waste')
      .when('amend $waste amount=6mg reason="typo" witness=rdiaz')
      .thenRejects('WASTE_EXCEEDS_REMAINDER', RuleViolation)
  })
})

async function rowAt(clinic: Clinic, seq: number): Promise<unknown> {
  for await (const row of clinic.store.entryRows({ fromSeq: seq, toSeq: seq })) return row
  return undefined
}

