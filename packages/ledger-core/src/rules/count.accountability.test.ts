import { describe, expect, it } from 'vitest'
import { refusal } from '../../../../test/support/accountability-expect.ts'
import { AUDITOR, EXACT_SAFE_1, NURSE, NURSE2, PIC, SHORT_SAFE_1, SUPPLIER, type World, buildWorld } from '../../../../test/support/accountability-world.ts'
import type { CountData, Entry } from '../model/entry.ts'
import { countSheet, touchesLocation } from './count.ts'

const COUNT_AT = '2026-11-27T21:00:00.000Z' // Friday 16:00 in New York

async function countSafe1(w: World, items: ReadonlyArray<{ ref: string; value: string; source?: { file: string; line: number } }>, basedOnSeq?: number) {
  const based = basedOnSeq ?? (await w.ledger.countSheet('SAFE-1')).based_on_seq
  const r = await w.ledger.count({ location: 'SAFE-1', basedOnSeq: based, items: [...items], by: PIC, witness: NURSE })
  return r.stored.entry as Entry<'count'>
}

describe('count sheet', () => {
  it('given stock at SAFE-1, when the sheet is built, then it lists what to count in shelf order and no quantity at all', async () => {
    const w = await buildWorld()
    const sheet = await w.ledger.countSheet('SAFE-1')
    expect(sheet).toEqual({
      location: 'SAFE-1',
      based_on_seq: await w.head(),
      sealed: [{ product: 'KET-50', lot: 'K2417A' }, { product: 'MDZ-5', lot: 'M7788' }],
      open: [{ container: 'C-0001', product: 'KET-50', lot: 'K2417A' }],
    })
    const text = JSON.stringify(sheet)
    for (const expectedValue of ['6.35', '"3"', ':3', ':2', 'remaining', 'sealed":3', 'expected']) expect(text).not.toContain(expectedValue)
  })

  it('given an entry landing at the location just after the sheet\'s items were read, then the count of that sheet is refused with TIP_MOVED, not COUNT_INCOMPLETE for an item never shown', async () => {
    const w = await buildWorld()
    const before = await w.head()
    const read = w.store.read()
    let appended = false
    const racing = {
      ...read,
      async list<K extends Parameters<typeof read.list>[0]>(kind: K) {
        const result = await read.list(kind)
        if (kind === 'container' && !appended) {
          appended = true // another workstation opens a vial at SAFE-1 right now
          await w.ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: NURSE })
        }
        return result
      },
    }
    const sheet = await countSheet(racing, 'SAFE-1')
    expect(sheet.open.map((c) => c.container)).toEqual(['C-0001'])
    expect(sheet.based_on_seq).toBe(before)
    // the counter counts what the sheet lists (the vial just opened is still counted as sealed)
    const r = await refusal(countSafe1(w, EXACT_SAFE_1, sheet.based_on_seq))
    expect(r).toMatchObject({ code: 'TIP_MOVED', exit: 4 })
  })

  it('given an unknown location, when a sheet is asked for, then it is refused', async () => {
    const w = await buildWorld()
    expect(await refusal(w.ledger.countSheet('SAFE-9'))).toMatchObject({ code: 'UNKNOWN_LOCATION', exit: 3 })
  })
})

describe('blind count', () => {
  it('given the book at SAFE-1, when every item is counted as booked, then the count records no discrepancy', async () => {
    const w = await buildWorld()
    w.at(COUNT_AT)
    const e = await countSafe1(w, EXACT_SAFE_1)
    expect(e.data.discrepancies).toEqual([])
    expect(e.data.blind).toBe(true)
    expect(e.data.items).toHaveLength(3)
    const status = await w.ledger.status()
    expect(status.last_counts.find((c) => c.location === 'SAFE-1')).toEqual({ location: 'SAFE-1', seq: e.seq, at: COUNT_AT, age_hours: 0, discrepancies: 0 })
    expect(status.discrepancies).toEqual([])
  })

  it('given one sealed vial missing and an open vial 0.4 mL short, when counted, then exactly those two discrepancies open with a 24 h deadline', async () => {
    const w = await buildWorld()
    w.at(COUNT_AT)
    const e = await countSafe1(w, SHORT_SAFE_1)
    expect(e.data.discrepancies).toEqual([
      { id: 'D-0001', item: { type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', expected: 3, counted: 2 }, difference: '-1', unit: 'container', due: '2026-11-28T21:00:00.000Z' },
      { id: 'D-0002', item: { type: 'open', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', container: 'C-0001', expected_ml: '6.35', counted_ml: '5.95' }, difference: '-0.4', unit: 'mL', due: '2026-11-28T21:00:00.000Z' },
    ])
    const open = await w.store.read().list('discrepancy')
    expect(open.map((d) => [d.id, d.status, d.count_seq])).toEqual([['D-0001', 'open', e.seq], ['D-0002', 'open', e.seq]])
    // a count changes no stock: the book still says what it said
    const { rows } = await w.ledger.balance({ location: 'SAFE-1' })
    expect(JSON.stringify(rows)).toContain('6.35')
  })

  it('given a second count with differences, when it opens discrepancies, then their ids continue the sequence', async () => {
    const w = await buildWorld()
    w.at(COUNT_AT)
    await countSafe1(w, SHORT_SAFE_1)
    const e = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '1' }, { ref: 'C-0001', value: '6.35' }])
    expect(e.data.discrepancies.map((d) => d.id)).toEqual(['D-0003'])
  })

  it('given an item left out, when the count is submitted, then it is refused as COUNT_INCOMPLETE naming the item, and nothing is recorded', async () => {
    const w = await buildWorld()
    const before = await w.head()
    const r = await refusal(countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'C-0001', value: '6.35mL' }]))
    expect(r).toMatchObject({ code: 'COUNT_INCOMPLETE', exit: 2 })
    expect(r.message).toContain('MDZ-5 lot M7788 (sealed)')
    expect(r.message).not.toMatch(/\b2\b.*expected|expected/) // a refusal must not leak the book either
    expect(await w.head()).toBe(before)
  })

  it('given a container that is not on the shelf, when it is counted as 0, then the whole remainder is a discrepancy', async () => {
    const w = await buildWorld()
    const e = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '0' }])
    expect(e.data.discrepancies.map((d) => [d.difference, d.unit])).toEqual([['-6.35', 'mL']])
  })

  it('given stock found that the book has elsewhere, when it is counted here, then it is an overage at this location', async () => {
    const w = await buildWorld()
    const e = await countSafe1(w, [...EXACT_SAFE_1, { ref: 'K2501B', value: '1' }])
    expect(e.data.discrepancies.map((d) => [d.item, d.difference])).toEqual([[{ type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2501B', expected: 0, counted: 1 }, '1']])
  })

  it.each([
    { what: 'an item counted twice', items: [...EXACT_SAFE_1, { ref: 'KET-50:K2417A', value: '3' }], code: 'DUPLICATE_ITEM' },
    { what: 'a container counted twice', items: [...EXACT_SAFE_1, { ref: 'C-0001', value: '6.35' }], code: 'DUPLICATE_ITEM' },
    { what: 'an unknown item', items: [...EXACT_SAFE_1, { ref: 'ZZ999', value: '1' }], code: 'UNKNOWN_ITEM' },
    { what: 'a volume that is not a number', items: [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: 'six' }], code: 'INVALID_QUANTITY' },
    { what: 'a negative sealed count', items: [{ ref: 'K2417A', value: '-1' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.35' }], code: 'INVALID_COUNT' },
    { what: 'a fractional sealed count', items: [{ ref: 'K2417A', value: '2.5' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.35' }], code: 'INVALID_COUNT' },
    { what: 'an item of another location', items: [...EXACT_SAFE_1, { ref: 'LOCKBOX-2/K2501B', value: '2' }], code: 'WRONG_LOCATION' },
  ])('given $what, when the count is submitted, then it is refused with $code (exit 2)', async ({ items, code }) => {
    const w = await buildWorld()
    const before = await w.head()
    expect(await refusal(countSafe1(w, items))).toMatchObject({ code, exit: 2 })
    expect(await w.head()).toBe(before)
  })

  it('given an open container at another location, when it is counted here, then it is refused as WRONG_LOCATION', async () => {
    const w = await buildWorld()
    await w.ledger.open({ product: 'KET-50', lot: 'K2501B', location: 'LOCKBOX-2', by: NURSE })
    expect(await refusal(countSafe1(w, [...EXACT_SAFE_1, { ref: 'C-0002', value: '10' }]))).toMatchObject({ code: 'WRONG_LOCATION', exit: 2 })
  })

  it('given an item read from a count sheet, when it is wrong, then the error names the file and line', async () => {
    const w = await buildWorld()
    const r = await refusal(countSafe1(w, [...EXACT_SAFE_1, { ref: 'K9999', value: '1', source: { file: 'safe-1.csv', line: 5 } }]))
    expect(r.code).toBe('UNKNOWN_ITEM')
    expect(r.message).toMatch(/^safe-1\.csv:5: /)
  })

  it('given a lot number shared by two products, when it is counted without the product, then it is refused as ambiguous; with the product it is accepted', async () => {
    const w = await buildWorld()
    await w.ledger.receive({ product: 'MDZ-5', lot: 'K2417A', expires: '2028-01-31', containers: 1, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-2001', by: NURSE })
    const items = [{ ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.35' }]
    expect(await refusal(countSafe1(w, [...items, { ref: 'K2417A', value: '3' }, { ref: 'MDZ-5:K2417A', value: '1' }]))).toMatchObject({ code: 'AMBIGUOUS_LOT' })
    const e = await countSafe1(w, [...items, { ref: 'KET-50:K2417A', value: '3' }, { ref: 'MDZ-5:K2417A', value: '1' }])
    expect(e.data.discrepancies).toEqual([])
  })

  it('given a lot number with a slash (allowed on receipt), when it is counted by product and lot, then it is accepted', async () => {
    const w = await buildWorld()
    await w.ledger.receive({ product: 'MDZ-5', lot: 'M/2026-04', expires: '2028-01-31', containers: 2, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-2002', by: NURSE })
    const e = await countSafe1(w, [...EXACT_SAFE_1, { ref: 'MDZ-5:M/2026-04', value: '2' }])
    expect(e.data.discrepancies).toEqual([])
    const bare = await countSafe1(w, [...EXACT_SAFE_1, { ref: 'M/2026-04', value: '2' }])
    expect(bare.data.discrepancies).toEqual([])
  })

  it('given the counter and the witness are one person, or there is no witness, or an auditor counts, then the count is refused', async () => {
    const w = await buildWorld()
    const based = await w.head()
    const base = { location: 'SAFE-1', basedOnSeq: based, items: [...EXACT_SAFE_1] }
    expect(await refusal(w.ledger.count({ ...base, by: PIC }))).toMatchObject({ code: 'WITNESS_REQUIRED', exit: 3 })
    expect(await refusal(w.ledger.count({ ...base, by: PIC, witness: PIC }))).toMatchObject({ code: 'WITNESS_IS_ACTOR', exit: 3 })
    expect(await refusal(w.ledger.count({ ...base, by: AUDITOR, witness: NURSE }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
    expect(await refusal(w.ledger.count({ ...base, by: PIC, witness: AUDITOR }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
  })
})

describe('tolerance', () => {
  it('given the default tolerance of 0.1 mL, when an open vial is 0.1 mL short, then no discrepancy; 0.11 mL short is one', async () => {
    const w = await buildWorld()
    const within = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.25mL' }])
    expect(within.data.tolerance_ml).toBe('0.1')
    expect(within.data.discrepancies).toEqual([])
    expect(within.data.items[2]).toMatchObject({ expected_ml: '6.35', counted_ml: '6.25' })
    const beyond = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.24mL' }])
    expect(beyond.data.discrepancies.map((d) => d.difference)).toEqual(['-0.11'])
    const over = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.45mL' }])
    expect(over.data.discrepancies).toEqual([])
  })

  it('given the PIC sets the tolerance to 0, when the vial is 0.1 mL short, then it is a discrepancy and the count records the tolerance used', async () => {
    const w = await buildWorld()
    await w.ledger.setSetting({ name: 'count_tolerance_ml', value: '0', by: PIC })
    const e = await countSafe1(w, [{ ref: 'K2417A', value: '3' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.25mL' }])
    expect(e.data.tolerance_ml).toBe('0')
    expect(e.data.discrepancies.map((d) => d.difference)).toEqual(['-0.1'])
  })

  it('given a large tolerance, when a sealed vial is missing, then the tolerance does not apply to sealed containers', async () => {
    const w = await buildWorld()
    await w.ledger.setSetting({ name: 'count_tolerance_ml', value: '20', by: PIC })
    const e = await countSafe1(w, [{ ref: 'K2417A', value: '2' }, { ref: 'M7788', value: '2' }, { ref: 'C-0001', value: '6.35' }])
    expect(e.data.discrepancies.map((d) => d.difference)).toEqual(['-1'])
  })

  it('given settings, when a nurse or an invalid value is used, then the change is refused', async () => {
    const w = await buildWorld()
    expect(await refusal(w.ledger.setSetting({ name: 'count_tolerance_ml', value: '0.2', by: NURSE }))).toMatchObject({ code: 'ROLE_FORBIDDEN', exit: 77 })
    expect(await refusal(w.ledger.setSetting({ name: 'count_tolerance_ml', value: '-1', by: PIC }))).toMatchObject({ code: 'INVALID_SETTING', exit: 2 })
    expect(await refusal(w.ledger.setSetting({ name: 'discrepancy_deadline_hours', value: '0', by: PIC }))).toMatchObject({ code: 'INVALID_SETTING', exit: 2 })
    expect(await refusal(w.ledger.setSetting({ name: 'no_such_setting', value: '1', by: PIC }))).toMatchObject({ code: 'UNKNOWN_SETTING', exit: 2 })
  })

  it('given the discrepancy deadline set to 4 hours, when a count finds a difference, then its due time is 4 hours after the count', async () => {
    const w = await buildWorld()
    await w.ledger.setSetting({ name: 'discrepancy_deadline_hours', value: '4', by: PIC })
    w.at(COUNT_AT)
    const e = await countSafe1(w, SHORT_SAFE_1)
    expect(e.data.discrepancies.map((d) => d.due)).toEqual(['2026-11-28T01:00:00.000Z', '2026-11-28T01:00:00.000Z'])
  })
})

describe('the ledger moved while the count was under way', () => {
  /** Entries that change what is at SAFE-1, each appended after the sheet was printed. */
  const touching: ReadonlyArray<[string, (w: World) => Promise<unknown>]> = [
    ['an administration', (w) => w.ledger.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1002', by: NURSE })],
    ['a container opened', (w) => w.ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: NURSE })],
    ['a receipt', (w) => w.ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2028-03-31', containers: 1, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-3001', by: NURSE })],
    ['a transfer out', (w) => w.ledger.transfer({ product: 'KET-50', lot: 'K2417A', containers: 1, from: 'SAFE-1', to: 'LOCKBOX-2', by: NURSE })],
    ['a transfer in', (w) => w.ledger.transfer({ product: 'KET-50', lot: 'K2501B', containers: 1, from: 'LOCKBOX-2', to: 'SAFE-1', by: NURSE })],
    ['a container waste', (w) => w.ledger.waste({ container: 'C-0001', amount: '0.1mL', reason: 'dropped', witness: NURSE2, by: NURSE })],
    ['a correction voiding a dose', (w) => w.ledger.correct({ seq: 15, reason: 'entered twice', witness: NURSE2, by: NURSE })],
    ['a loss', (w) => w.ledger.loss({ type: 'breakage-spill', items: [{ container: 'C-0001', amount: '0.2mL' }], note: 'spill', by: PIC })],
    ['a disposal', (w) => w.ledger.dispose({ method: 'destruction', items: [{ location: 'SAFE-1', product: 'MDZ-5', lot: 'M7788', containers: 1 }], reason: 'damaged', destruction: { method: 'Rx Destroyer', place: 'med room' }, by: NURSE, witness: NURSE2 })],
  ]

  it.each(touching)('given %s at SAFE-1 after the sheet, when the count is submitted against the sheet position, then it is refused with TIP_MOVED (exit 4)', async (_what, act) => {
    const w = await buildWorld()
    const sheet = await w.ledger.countSheet('SAFE-1')
    await act(w)
    const head = await w.head()
    const r = await refusal(countSafe1(w, EXACT_SAFE_1, sheet.based_on_seq))
    expect(r).toMatchObject({ code: 'TIP_MOVED', exit: 4 })
    expect(r.error.details).toEqual({ counted_against: sheet.based_on_seq, ledger_now_at: head })
    expect(r.message).toContain(`#${head}`)
    expect(await w.head()).toBe(head)
  })

  it('given an entry at another location after the sheet, when the count is submitted, then it is re-based: accepted, with the same expected values', async () => {
    const w = await buildWorld()
    const sheet = await w.ledger.countSheet('SAFE-1')
    await w.ledger.open({ product: 'KET-50', lot: 'K2501B', location: 'LOCKBOX-2', by: NURSE })
    await w.ledger.setSetting({ name: 'expiry_warning_days', value: '60', by: PIC })
    const e = await countSafe1(w, SHORT_SAFE_1, sheet.based_on_seq)
    expect(e.data.based_on_seq).toBe(sheet.based_on_seq)
    expect(e.seq).toBe(sheet.based_on_seq + 3)
    expect(e.data.discrepancies.map((d) => d.difference)).toEqual(['-1', '-0.4'])
  })

  it('given a position that does not exist, when a count names it, then it is refused', async () => {
    const w = await buildWorld()
    expect(await refusal(countSafe1(w, EXACT_SAFE_1, (await w.head()) + 1))).toMatchObject({ code: 'INVALID_POSITION', exit: 2 })
    expect(await refusal(countSafe1(w, EXACT_SAFE_1, -1))).toMatchObject({ code: 'INVALID_POSITION', exit: 2 })
  })

  it('touchesLocation sees a location however an entry names it, and no other', async () => {
    const w = await buildWorld()
    const entries: Entry[] = []
    for (let seq = 1; seq <= (await w.head()); seq++) entries.push((await w.store.read().entry(seq))!)
    const safe = entries.filter((e) => touchesLocation(e, 'SAFE-1')).map((e) => e.kind)
    expect(safe).toEqual(['inventory', 'receipt', 'receipt', 'container_opening', 'administration'])
    expect(entries.filter((e) => touchesLocation(e, 'SAFE')).map((e) => e.kind)).toEqual(['inventory'])
  })
})

describe('count entries are part of the chain', () => {
  it('given counts and their discrepancies, when the ledger is verified, then the projections rebuild identically', async () => {
    const w = await buildWorld()
    await countSafe1(w, SHORT_SAFE_1)
    await countSafe1(w, EXACT_SAFE_1)
    const report = await w.ledger.verify()
    expect(report.findings).toEqual([])
    expect(report.ok).toBe(true)
    const last = (await w.store.read().entry(await w.head())) as Entry<'count'>
    expect((last.data as CountData).discrepancies).toEqual([])
  })
})
