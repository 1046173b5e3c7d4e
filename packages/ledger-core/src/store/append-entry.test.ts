import { describe, expect, it } from 'vitest'
import { ConflictError, InputError, exitCodeFor } from '../errors.ts'
import { Ledger } from '../ledger.ts'
import { FIXTURE_KDF, FIXTURE_NOW, givenClinic, ledger } from '../testing/index.ts'
import { appendEntry, stripUndefined } from './append-entry.ts'
import { createInMemoryLedgerStore } from './in-memory-ledger-store.ts'
import { fixedClock } from './ports.ts'

const openVial = ledger`
  receive KET-50 lot=K2417A containers=2
  open    KET-50 lot=K2417A
`

describe('idempotent request ids', () => {
  it('the request id is part of the hashed entry', async () => {
    const { result } = await givenClinic(openVial).when('administer C-0001 dose=35mg request=tablet-7f3a-0001').thenEntry({ request_id: 'tablet-7f3a-0001' })
    expect(result.stored.canonical).toContain('"request_id":"tablet-7f3a-0001"')
  })

  it('the same request twice returns the first entry and appends one entry only', async () => {
    const clinic = await givenClinic(openVial).build()
    const first = await clinic.run('administer C-0001 dose=35mg request=tablet-7f3a-0001')
    const headAfterFirst = await clinic.head()
    clinic.clock.advance(60_000) // the retry comes a minute later
    const retry = await clinic.run('administer C-0001 dose=35mg request=tablet-7f3a-0001')
    expect(retry).toEqual({ stored: first!.stored, replayed: true })
    expect(await clinic.head()).toEqual(headAfterFirst)
    expect((await clinic.ledger.balance()).rows[0]!.open[0]!.remaining_mL).toBe('9.3')
  })

  it('a retry is answered even when the rules would now refuse the command', async () => {
    const clinic = await givenClinic(openVial).build()
    const first = await clinic.run('administer C-0001 dose=10mL request=tablet-7f3a-0002')
    await expect(clinic.run('administer C-0001 dose=10mL request=tablet-7f3a-0002')).resolves.toEqual({ stored: first!.stored, replayed: true })
    await expect(clinic.run('administer C-0001 dose=10mL request=tablet-7f3a-0003')).rejects.toMatchObject({ code: 'CONTAINER_EMPTY' })
  })

  it('a refused request leaves its id unused, so a corrected retry goes through', async () => {
    const clinic = await givenClinic(openVial).build()
    await expect(clinic.run('administer C-0001 dose=11mL request=tablet-7f3a-0004')).rejects.toMatchObject({ code: 'DRAW_EXCEEDS_CONTAINER' })
    await expect(clinic.run('administer C-0001 dose=1mL request=tablet-7f3a-0004')).resolves.toMatchObject({ replayed: false, stored: { entry: { request_id: 'tablet-7f3a-0004' } } })
  })

  it('different request ids are different entries', async () => {
    const clinic = await givenClinic(openVial).build()
    const a = await clinic.run('administer C-0001 dose=35mg request=tablet-7f3a-0005')
    const b = await clinic.run('administer C-0001 dose=35mg request=tablet-7f3a-0006')
    expect(b!.stored.entry.seq).toBe(a!.stored.entry.seq + 1)
  })
})

describe('expected tip (TIP_MOVED)', () => {
  it('a command decided against the current tip is appended', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg tip=13').thenEntry({ seq: 14 })
  })

  it('a command decided against an older tip is refused; safe to retry', async () => {
    const { error } = await givenClinic(openVial, 'administer C-0001 dose=35mg').when('administer C-0001 dose=35mg tip=13').thenRejects('TIP_MOVED', ConflictError)
    expect(error.details).toEqual({ expected_seq: 13, actual_seq: 14 })
    expect(exitCodeFor(error)).toBe(4)
  })

  it('an expected tip ahead of the ledger is refused too', async () => {
    await givenClinic(openVial).when('administer C-0001 dose=35mg tip=40').thenRejects('TIP_MOVED', ConflictError)
  })
})

describe('appendEntry', () => {
  it('refuses to append to a ledger that was never initialised', async () => {
    const store = createInMemoryLedgerStore()
    const L = new Ledger({ store, clock: fixedClock(FIXTURE_NOW), kdf: FIXTURE_KDF })
    await expect(L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: { username: 'pkim' } })).rejects.toMatchObject({ code: 'NO_LEDGER' })
    await expect(L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: { username: 'pkim' } })).rejects.toBeInstanceOf(InputError)
    expect(await store.read().head()).toBeNull()
  })

  it('stamps recorded_at from the clock, not from the command', async () => {
    const clinic = await givenClinic(openVial).build()
    clinic.clock.set('2026-11-26T16:45:30.250Z')
    const r = await clinic.run('administer C-0001 dose=35mg at=2026-11-26T16:00:00Z')
    expect(r!.stored.entry).toMatchObject({ occurred_at: '2026-11-26T16:00:00.000Z', recorded_at: '2026-11-26T16:45:30.250Z' })
  })

  it('a decision that throws writes nothing, not even part of a transaction', async () => {
    const clinic = await givenClinic(openVial).build()
    const head = await clinic.head()
    const rows = await clinic.store.projectionRows()
    await expect(appendEntry(clinic.store, { clock: clinic.clock, decide: async () => { throw new Error('power cut mid-decision') } })).rejects.toThrow('power cut')
    expect(await clinic.head()).toEqual(head)
    expect(await clinic.store.projectionRows()).toEqual(rows)
  })

  it('concurrent writers are serialised: both appends land, in order, on one chain', async () => {
    const clinic = await givenClinic(openVial).build()
    const [a, b] = await Promise.all([clinic.run('administer C-0001 dose=35mg patient=P-1'), clinic.run('administer C-0001 dose=35mg patient=P-2')])
    expect([a!.stored.entry.seq, b!.stored.entry.seq].sort()).toEqual([14, 15])
    expect((await clinic.ledger.verify()).findings).toEqual([])
    expect((await clinic.ledger.balance()).rows[0]!.open[0]!.remaining_mL).toBe('8.6')
  })
})

describe('stripUndefined', () => {
  it('given plain data with no undefined field, then it is returned as it is (nothing to copy)', () => {
    const draft = { kind: 'location', data: { code: 'X', tags: ['a', { b: 1 }] }, n: null }
    expect(stripUndefined(draft)).toBe(draft)
  })

  it('given undefined fields at any depth, then they are dropped in a copy and the value is left alone', () => {
    const draft = { a: 1, b: undefined, c: { d: undefined, e: [1, { f: undefined }] } }
    const out = stripUndefined(draft)
    expect(out).toEqual({ a: 1, c: { e: [1, {}] } })
    expect(Object.keys(out)).toEqual(['a', 'c'])
    expect('b' in draft).toBe(true)
  })

  it('given frozen parts (a projection read in the transaction), a class instance, a null-prototype object or a sparse array, then the result is a fresh copy as before', () => {
    const frozen = Object.freeze({ code: 'X', nested: Object.freeze({ y: 1 }) })
    const withFrozen = { data: { before: frozen } }
    const copied = stripUndefined(withFrozen)
    expect(copied).toEqual(withFrozen)
    expect(copied.data.before).not.toBe(frozen)
    expect(Object.isFrozen(copied.data.before) || Object.isFrozen(copied.data.before.nested)).toBe(false)
    class Amount { value = '1.5' }
    expect(stripUndefined({ a: new Amount() }).a).toEqual({ value: '1.5' })
    expect(Object.getPrototypeOf(stripUndefined({ a: new Amount() }).a)).toBe(Object.prototype)
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1 })
    expect(Object.getPrototypeOf(stripUndefined({ bare }).bare)).toBe(Object.prototype)
    // eslint-disable-next-line no-sparse-arrays
    const sparse = stripUndefined({ list: [1, , 3] })
    expect(1 in sparse.list).toBe(false)
  })

  it('given a decision that embeds a frozen projection value, when appended, then the entry handed back can be changed by its caller', async () => {
    const store = createInMemoryLedgerStore()
    const clock = fixedClock(FIXTURE_NOW)
    const before = Object.freeze({ code: 'SAFE-1', name: Object.freeze(['Main', 'safe']) })
    const { stored } = await appendEntry(store, { clock, ledgerId: 'L', decide: async () => ({ draft: { kind: 'location', occurred_at: FIXTURE_NOW, actor: 'pic', data: { code: 'SAFE-1', name: 'Main safe', before } as never } }) })
    const data = stored.entry.data as unknown as { before: { code: string } }
    data.before.code = 'changed by the caller'
    expect(data.before.code).toBe('changed by the caller')
    expect(before.code).toBe('SAFE-1')
  })
})
