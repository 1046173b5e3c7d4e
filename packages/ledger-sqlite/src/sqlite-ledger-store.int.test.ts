import { copyFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ConflictError, type Entry, Ledger, MemoryProjections, PROJECTION_KINDS, RuleViolation, appendEntry, buildBalance, canonicalJson,
  type WriteTransaction, evolve, fixedClock, hashEntry, verifyLedger,
} from '@csledger/ledger-core'
import { SAMPLE_PASSPHRASE, type SampleLedger, TEST_KDF, buildSampleLedger, tickingClock } from '../../../test/support/build-sample-ledger.ts'
import { makeTempDir } from '../../../test/support/make-temp-dir.ts'
import { openSqliteStore } from './open-sqlite-store.ts'
import { OPEN_CONTAINERS_SQL } from './statements.ts'
import type { SqliteLedgerStore } from './sqlite-ledger-store.ts'

// The SQLite store on real temp-dir files written through the library (the sample clinic ledger of
// test/support/build-sample-ledger.ts: 23 entries of every kind, recorded one minute apart).

const START = '2026-11-02T09:00:00.000Z'
const tmp = makeTempDir('sqlite-store')
let base: string
let sample: SampleLedger
let n = 0
let file: string
let store: SqliteLedgerStore

beforeAll(async () => {
  base = tmp.file('base.db')
  sample = await buildSampleLedger(base, { clock: tickingClock(START) })
})
afterAll(() => tmp.remove())
beforeEach(async () => {
  file = tmp.file(`case-${++n}.db`)
  copyFileSync(base, file)
  store = await openSqliteStore(file)
})
afterEach(async () => { await store.close() })

/** Every row of every table the store writes, in a fixed order. */
function snapshot(s: SqliteLedgerStore) {
  const all = (sql: string) => s.database.prepare(sql).all()
  return {
    entries: all('SELECT * FROM ledger_entry ORDER BY seq'),
    projection: all('SELECT * FROM projection ORDER BY kind, key'),
    history: all('SELECT * FROM projection_history ORDER BY kind, key, seq'),
    credential: all('SELECT * FROM credential ORDER BY username'),
  }
}

/** Projections rebuilt by folding the stored entries 1..toSeq, as verify does. */
async function replay(s: SqliteLedgerStore, toSeq: number): Promise<MemoryProjections> {
  const mem = new MemoryProjections()
  for await (const row of s.entryRows({ toSeq })) mem.apply(await evolve(mem, JSON.parse(row.canonical) as Entry, (seq) => s.read().entry(seq)))
  return mem
}

const ledger = (s: SqliteLedgerStore) => new Ledger({ store: s, kdf: TEST_KDF, clock: fixedClock('2026-11-03T10:00:00.000Z') })

describe('an append that fails part-way leaves nothing behind', () => {
  const clock = fixedClock('2026-11-03T10:00:00.000Z')

  it('given decide throws, when appending, then the error comes out unchanged and no table changes', async () => {
    const before = snapshot(store)
    const refusal = new RuleViolation('NOPE', 'refused on purpose')
    await expect(appendEntry(store, { clock, decide: async () => { throw refusal } })).rejects.toBe(refusal)
    expect(snapshot(store)).toEqual(before)
  })

  it('given evolve refuses the decided entry (a draw larger than the container), when appending, then INSUFFICIENT_STOCK and no table changes', async () => {
    const before = snapshot(store)
    const decide = async () => ({
      draft: {
        kind: 'administration' as const, occurred_at: '2026-11-03T10:00:00.000Z', actor: 'nurse',
        data: { container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', patient: 'P-9', given_ml: '20', given_mg: '1000', drawn_ml: '20', drawn_mg: '1000' },
      },
    })
    await expect(appendEntry(store, { clock, decide })).rejects.toMatchObject({ name: 'RuleViolation', code: 'INSUFFICIENT_STOCK' })
    expect(snapshot(store)).toEqual(before)
  })

  it('given the last write of the transaction fails (a credential the schema refuses, after the entry and projections were written), when appending, then everything rolls back and the store stays usable', async () => {
    const before = snapshot(store)
    const decide = async () => ({
      draft: { kind: 'location' as const, occurred_at: '2026-11-03T10:00:00.000Z', actor: 'pic', data: { code: 'FRIDGE-3', name: 'Fridge' } },
      credentials: [{ username: 'ghost', passphrase_hash: null as unknown as string, updated_at: '2026-11-03T10:00:00.000Z' }],
    })
    const err = await appendEntry(store, { clock, decide }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConflictError)
    expect(((err as ConflictError).cause as { code: string }).code).toBe('SQLITE_CONSTRAINT_NOTNULL')
    expect(snapshot(store)).toEqual(before)
    expect(store.database.inTransaction).toBe(false)

    const pic = await ledger(store).authenticate('pic', SAMPLE_PASSPHRASE)
    const next = await ledger(store).addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic })
    expect(next.stored.entry.seq).toBe(sample.head.seq + 1)
    expect((await verifyLedger(store)).ok).toBe(true)
  })

  it('given a transaction that writes an entry and its projections and then throws, when it ends, then neither this connection nor another sees any of it', async () => {
    const before = snapshot(store)
    const head = (await store.read().head())!
    const entry = {
      kind: 'location', occurred_at: '2026-11-03T10:00:00.000Z', actor: 'pic', data: { code: 'FRIDGE-3', name: 'Fridge' },
      format: 1, ledger_id: head.ledger_id, seq: head.seq + 1, prev_hash: head.hash, recorded_at: '2026-11-03T10:00:00.000Z',
    } as Entry
    await expect(store.writeTransaction(async (tx) => {
      await tx.insertEntry({ entry, ...hashEntry(entry) })
      await tx.putProjections(entry.seq, [{ kind: 'location', key: 'FRIDGE-3', value: { code: 'FRIDGE-3', name: 'Fridge' } }])
      expect((await tx.head())!.seq).toBe(head.seq + 1) // the writes were really made inside the transaction
      throw new Error('crash after the write')
    })).rejects.toThrow('crash after the write')
    expect(snapshot(store)).toEqual(before)
    const other = await openSqliteStore(file)
    try {
      expect(snapshot(other)).toEqual(before)
    } finally {
      await other.close()
    }
  })
})

describe('isolation of reads from a write in progress', () => {
  // BUG (packages/ledger-sqlite/src/sqlite-ledger-store.ts:74-90): read() uses the same connection
  // as the open write transaction, so a read made while another caller's append is between its
  // BEGIN IMMEDIATE and COMMIT sees the uncommitted entry (and would have reported it even if the
  // append then rolled back). The in-memory store stages writes until commit, so the two stores
  // disagree on the port's contract. Harmless for a one-command CLI process;
  // wrong for any long-lived process (a server, a GUI, the bench). See the report.
  it('given an append in progress in this process, when another caller reads the head, then it sees only committed entries', async () => {
    const head = (await store.read().head())!
    const entry = {
      kind: 'location', occurred_at: '2026-11-03T10:00:00.000Z', actor: 'pic', data: { code: 'FRIDGE-3', name: 'Fridge' },
      format: 1, ledger_id: head.ledger_id, seq: head.seq + 1, prev_hash: head.hash, recorded_at: '2026-11-03T10:00:00.000Z',
    } as Entry
    let inserted!: () => void
    let release!: () => void
    const didInsert = new Promise<void>((resolve) => { inserted = resolve })
    const gate = new Promise<void>((resolve) => { release = resolve })
    const write = store.writeTransaction(async (tx) => {
      await tx.insertEntry({ entry, ...hashEntry(entry) })
      inserted()
      await gate
      throw new Error('abandoned')
    })
    await didInsert
    const seen = await store.read().head()
    release()
    await expect(write).rejects.toThrow('abandoned')
    expect(seen).toEqual(head)
  })
})

describe('request_id idempotency', () => {
  it('given an append with a request id, when the same request is sent again after the file was closed and reopened, then the first entry is returned and nothing is appended', async () => {
    const pic = await ledger(store).authenticate('pic', SAMPLE_PASSPHRASE)
    const first = await ledger(store).addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic }, { requestId: 'req-0001' })
    expect(first.replayed).toBe(false)
    await store.close()

    store = await openSqliteStore(file)
    const again = await ledger(store).addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic }, { requestId: 'req-0001' })
    expect(again.replayed).toBe(true)
    expect(again.stored).toEqual(first.stored)
    expect((await store.read().head())!.seq).toBe(first.stored.entry.seq)
    expect(store.database.prepare("SELECT count(*) AS n FROM ledger_entry WHERE request_id = 'req-0001'").get()).toEqual({ n: 1 })
    expect((await verifyLedger(store)).ok).toBe(true)
  })
})

describe('projectionsAt (balance as of a seq)', () => {
  it('given the sample ledger, when read as of every seq 0..head, then every projection kind equals a replay of the entries up to that seq', async () => {
    const products = await store.read().list('product')
    for (let seq = 0; seq <= sample.head.seq; seq++) {
      const mem = await replay(store, seq)
      for (const kind of PROJECTION_KINDS) {
        expect(canonicalJson(await store.projectionsAt(kind, seq)), `${kind} as of seq ${seq}`).toBe(canonicalJson(await mem.list(kind)))
      }
      const { as_of_seq, rows } = await ledger(store).balance({ asOf: seq })
      expect(as_of_seq).toBe(seq)
      expect(rows, `balance as of seq ${seq}`).toEqual(buildBalance(await mem.list('stock'), await mem.list('container'), products))
    }
  })

  it('given the sample ledger, when read as of the head, then it equals the current projections', async () => {
    for (const kind of PROJECTION_KINDS) {
      expect(await store.projectionsAt(kind, sample.head.seq)).toEqual(await store.read().list(kind))
    }
  })
})

describe('seqAtTime', () => {
  it('given entries recorded at distinct times, when asked for each recorded_at, a moment before it, before the first and after the last, then it gives the last seq recorded at or before that time', async () => {
    const times: Array<{ seq: number; at: string }> = []
    for await (const r of store.entryRows()) times.push({ seq: r.seq, at: r.recorded_at })
    expect(new Set(times.map((t) => t.at)).size).toBe(times.length)
    for (const { seq, at } of times) {
      expect(await store.seqAtTime(at), `at ${at}`).toBe(seq)
      expect(await store.seqAtTime(new Date(Date.parse(at) - 1).toISOString()), `1 ms before ${at}`).toBe(seq - 1)
    }
    expect(await store.seqAtTime('2000-01-01T00:00:00.000Z')).toBe(0)
    expect(await store.seqAtTime('2099-01-01T00:00:00.000Z')).toBe(sample.head.seq)
  })

  it('given a balance asked as of a time, when computed, then it is the balance as of the seq at that time', async () => {
    const at = (await store.read().entry(sample.seqs.dose))!.recorded_at
    expect(await ledger(store).balance({ asOf: at })).toEqual(await ledger(store).balance({ asOf: sample.seqs.dose }))
  })

  // BUG (packages/ledger-sqlite/src/statements.ts:27, sqlite-ledger-store.ts:116): recorded_at is
  // compared as text, so an ISO time written with a UTC offset (or without milliseconds) is
  // compared character by character instead of as the instant it names. 04:01-05:00 is 09:01Z, the
  // first entry's recorded_at, but sorts before every stored time and gives 0.
  it('given a time written with a UTC offset, when asked, then it is read as the instant it names', async () => {
    const first = (await store.read().entry(1))!.recorded_at // 2026-11-02T09:01:00.000Z
    expect(first).toBe('2026-11-02T09:01:00.000Z')
    expect(await store.seqAtTime('2026-11-02T04:01:00.000-05:00')).toBe(1)
    expect(await store.seqAtTime('2026-11-02T10:00:30+01:00')).toBe(0) // 09:00:30Z, before the first entry
  })
})

describe('stored projections', () => {
  it('given the sample ledger, when verified, then the chain is intact and the stored projections equal a rebuild from the entries', async () => {
    const report = await verifyLedger(store)
    expect(report).toMatchObject({ ok: true, entries: sample.head.seq, head: sample.head, ledger_id: sample.ledgerId, findings: [] })
    expect(await store.projectionRows()).toEqual((await replay(store, sample.head.seq)).snapshot())
  })

  it('given the sample ledger, when the history is read, then the newest history row of every key equals its current projection', () => {
    const latest = store.database.prepare(
      `SELECT h.kind, h.key, h.seq, h.value FROM projection_history h
       WHERE h.seq = (SELECT max(seq) FROM projection_history WHERE kind = h.kind AND key = h.key) ORDER BY h.kind, h.key`,
    ).all()
    expect(latest).toEqual(store.database.prepare('SELECT kind, key, seq, value FROM projection ORDER BY kind, key').all())
  })
})

describe('the open containers, through their index (migration 0005)', () => {
  const open = async (s: SqliteLedgerStore) => (await s.read().list('container')).filter((c) => c.status === 'open')

  it('given the sample, then openContainers is exactly the open containers of list, in key order, read through the partial index', async () => {
    const got = await store.read().openContainers!()
    expect(got.map((c) => c.container)).toEqual(['C-0001', 'C-0002'])
    expect(got).toEqual(await open(store))
    const plan = store.database.prepare(`EXPLAIN QUERY PLAN ${OPEN_CONTAINERS_SQL}`).all() as Array<{ detail: string }>
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX projection_open_container/)
  })

  it('given a container emptied by its remainder\'s waste, then it leaves the index in the same commit, and the balance and count sheet follow', async () => {
    const L = ledger(store)
    const nurse = await L.authenticate('nurse', SAMPLE_PASSPHRASE)
    const doc = await L.authenticate('doc', SAMPLE_PASSPHRASE)
    const mid = (await store.read().get('container', 'C-0002'))!
    await L.waste({ container: 'C-0002', amount: `${mid.remaining_ml}mL`, reason: 'vial discarded at close', witness: doc, by: nurse })
    expect((await store.read().get('container', 'C-0002'))!.status).not.toBe('open')
    expect((await store.read().openContainers!()).map((c) => c.container)).toEqual(['C-0001'])
    expect(await store.read().openContainers!()).toEqual(await open(store))
    expect((await L.balance()).rows.flatMap((r) => r.open.map((o) => o.container))).toEqual(['C-0001'])
    expect((await L.countSheet('SAFE-1')).open.map((c) => c.container)).toEqual(['C-0001'])
    // As of every seq, before and after the emptying: the open containers are the replay's.
    const head = (await store.read().head())!.seq
    const products = await store.read().list('product')
    for (let seq = 0; seq <= head; seq++) {
      const mem = await replay(store, seq)
      const expected = (await mem.list('container')).filter((c) => c.status === 'open')
      expect(await store.openContainersAt(seq), `open containers as of ${seq}`).toEqual(expected)
      expect((await L.balance({ asOf: seq })).rows, `balance as of ${seq}`).toEqual(buildBalance(await mem.list('stock'), await mem.list('container'), products))
    }
  })
})

describe('what a write transaction remembers (projections read or written, the head) lives and dies with it', () => {
  const fridge = { code: 'FRIDGE-3', name: 'Fridge' }
  const locationEntry = (head: { seq: number; hash: string; ledger_id: string }) => ({
    kind: 'location', occurred_at: '2026-11-03T10:00:00.000Z', actor: 'pic', data: fridge,
    format: 1, ledger_id: head.ledger_id, seq: head.seq + 1, prev_hash: head.hash, recorded_at: '2026-11-03T10:00:00.000Z',
  }) as Entry

  it('given a transaction that read a projection and the head, wrote both and rolled back, when the next transaction reads them, then it sees what is stored, not what was rolled back', async () => {
    const head = (await store.read().head())!
    const user = (await store.read().get('user', 'nurse'))!
    await expect(store.writeTransaction(async (tx) => {
      expect(await tx.get('user', 'nurse')).toEqual(user)
      expect(await tx.get('location', 'FRIDGE-3')).toBeUndefined()
      expect(await tx.head()).toEqual(head)
      const entry = locationEntry(head)
      await tx.insertEntry({ entry, ...hashEntry(entry) })
      await tx.putProjections(entry.seq, [{ kind: 'user', key: 'nurse', value: { ...user, active: false } }, { kind: 'location', key: 'FRIDGE-3', value: fridge }])
      expect((await tx.get('user', 'nurse'))!.active).toBe(false)
      expect(await tx.get('location', 'FRIDGE-3')).toEqual(fridge)
      expect((await tx.head())!.seq).toBe(head.seq + 1)
      throw new Error('rolled back')
    })).rejects.toThrow('rolled back')
    await store.writeTransaction(async (tx) => {
      expect(await tx.get('user', 'nurse')).toEqual(user)
      expect(await tx.get('location', 'FRIDGE-3')).toBeUndefined()
      expect(await tx.head()).toEqual(head)
    })
  })

  it('given a batch whose last append fails after writing, when the batch rolls back, then the next transaction sees none of the batch', async () => {
    const before = snapshot(store)
    const head = (await store.read().head())!
    const L = ledger(store)
    const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
    const refusal = new Error('the last append fails')
    await expect(L.batch(async () => {
      await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic })
      await appendEntry(store, { clock: fixedClock('2026-11-03T10:00:00.000Z'), decide: async (tx) => {
        expect((await tx.head())!.seq).toBe(head.seq + 1)
        expect(await tx.get('location', 'FRIDGE-3')).toMatchObject(fridge)
        throw refusal
      } })
    })).rejects.toBe(refusal)
    expect(snapshot(store)).toEqual(before)
    await store.writeTransaction(async (tx) => {
      expect(await tx.head()).toEqual(head)
      expect(await tx.get('location', 'FRIDGE-3')).toBeUndefined()
    })
    const next = await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic })
    expect(next.stored.entry.seq).toBe(head.seq + 1)
    expect((await verifyLedger(store)).ok).toBe(true)
  })

  it('given another connection appends between two transactions, when the next transaction reads, then it sees that append (nothing is remembered across transactions)', async () => {
    await store.writeTransaction(async (tx) => {
      await tx.head()
      await tx.get('location', 'FRIDGE-3')
    })
    const other = await openSqliteStore(file)
    try {
      const L = ledger(other)
      await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: await L.authenticate('pic', SAMPLE_PASSPHRASE) })
    } finally {
      await other.close()
    }
    await store.writeTransaction(async (tx) => {
      expect((await tx.head())!.seq).toBe(sample.head.seq + 1)
      expect(await tx.get('location', 'FRIDGE-3')).toMatchObject(fridge)
    })
  })

  it('given a projection read twice in a transaction, then both reads give the same frozen value, equal to the stored text parsed; a write replaces it', async () => {
    await store.writeTransaction(async (tx) => {
      const a = (await tx.get('container', 'C-0001'))!
      expect(await tx.get('container', 'C-0001')).toBe(a)
      expect(Object.isFrozen(a)).toBe(true)
      expect(() => { (a as { status: string }).status = 'empty' }).toThrow(TypeError)
      const stored = store.database.prepare("SELECT value FROM projection WHERE kind = 'container' AND key = 'C-0001'").get() as { value: string }
      expect(a).toEqual(JSON.parse(stored.value))
      // What is written is read back as its canonical text parses: keys in order, undefined members gone.
      await tx.putProjections(999, [{ kind: 'container', key: 'C-0001', value: { ...a, status: 'empty', beyond_use: undefined as unknown as null } }])
      const b = (await tx.get('container', 'C-0001'))!
      expect(b.status).toBe('empty')
      expect('beyond_use' in b).toBe(false)
      expect(Object.keys(b)).toEqual([...Object.keys(b)].sort())
      throw new Error('leave the sample as it was')
    }).catch((e: unknown) => { if ((e as Error).message !== 'leave the sample as it was') throw e })
  })
})

describe('writes queued inside a transaction (entries, signatures, projections reach SQLite together)', () => {
  /** Each table's rows as written by the same script on a fresh copy of the sample, one transaction per append or one batch. */
  async function writeScript(batched: boolean) {
    const f = tmp.file(`script-${++n}.db`)
    copyFileSync(base, f)
    const s = await openSqliteStore(f)
    try {
      const L = new Ledger({ store: s, kdf: TEST_KDF, clock: tickingClock('2026-11-03T10:00:00.000Z') })
      const pass = SAMPLE_PASSPHRASE
      const [pic, nurse, doc] = [await L.authenticate('pic', pass), await L.authenticate('nurse', pass), await L.authenticate('doc', pass)]
      const script = async () => {
        await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic }, { requestId: 'loc-1' })
        const again = await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic }, { requestId: 'loc-1' })
        expect(again.replayed).toBe(true)
        await L.receive({ product: 'KET-50', lot: 'K9', expires: '2030-01-31', containers: 2, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-9', by: nurse })
        const c = (await L.open({ product: 'KET-50', lot: 'K9', location: 'SAFE-1', by: nurse })).stored.entry.data as { container: string }
        // Decisions that read through SQL (a list, the open containers) see the writes before them.
        const sees = (check: (tx: WriteTransaction) => Promise<void>, code: string) => appendEntry(s, { clock: L.clock, decide: async (tx) => {
          await check(tx)
          return { draft: { kind: 'location', occurred_at: '2026-11-03T12:00:00.000Z', actor: 'pic', data: { code, name: code } } }
        } })
        await sees(async (tx) => { expect((await tx.list('stock')).find((x) => x.lot === 'K9')?.sealed).toBe(1) }, 'SHELF-1')
        const dose = await L.administer({ container: c.container, dose: '30mg', drawn: '0.8mL', patient: 'P-7', by: nurse })
        await sees(async (tx) => { expect((await tx.openContainers!()).find((o) => o.container === c.container)?.remaining_ml).toBe('9.2') }, 'SHELF-2')
        const w = await L.waste({ administration: dose.stored.entry.seq, amount: '10mg', reason: 'partial dose', witness: pic, by: nurse })
        await L.cosign({ waste: w.stored.entry.seq, by: doc })
        const second = await L.administer({ container: c.container, dose: '0.1mL', patient: 'P-8', by: nurse })
        await L.correct({ seq: second.stored.entry.seq, reason: 'wrong patient', witness: pic, by: nurse })
      }
      if (batched) await L.batch(script)
      else await script()
      expect((await verifyLedger(s)).ok).toBe(true)
      const all = (sql: string) => s.database.prepare(sql).all()
      return {
        entries: all('SELECT * FROM ledger_entry ORDER BY seq'), projection: all('SELECT * FROM projection ORDER BY kind, key'),
        history: all('SELECT * FROM projection_history ORDER BY kind, key, seq'),
      }
    } finally {
      await s.close()
    }
  }

  it('given the same appends made one transaction each and as one batch (a retried request id, a correction, a count sheet read mid-batch), then every table holds the same rows', async () => {
    const single = await writeScript(false)
    expect(single.entries.length).toBe(sample.head.seq + 10)
    expect(await writeScript(true)).toEqual(single)
  })

  it('given a write open on a one-connection store (:memory:), when the store is read meanwhile, then the read sees what the write has made so far', async () => {
    const mem = await openSqliteStore(':memory:', { create: true })
    try {
      const L = new Ledger({ store: mem, kdf: TEST_KDF, clock: fixedClock('2026-11-03T10:00:00.000Z') })
      await L.init({ registrant: 'Memory Clinic', address: '1 Main St', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: SAMPLE_PASSPHRASE, ledgerId: 'mem' })
      const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
      await L.batch(async () => {
        await L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic })
        expect((await mem.read().head())!.seq).toBe(2)
        expect(await mem.read().get('location', 'FRIDGE-3')).toEqual({ code: 'FRIDGE-3', name: 'Fridge' })
        expect((await mem.read().list('location')).map((l) => l.code)).toEqual(['FRIDGE-3'])
        const rows: number[] = []
        for await (const r of mem.entryRows()) rows.push(r.seq)
        expect(rows).toEqual([1, 2])
      })
    } finally {
      await mem.close()
    }
  })

  it('given queued writes SQLite refuses when they reach it (a request id already used), when the caller catches that error and returns, then the transaction still rolls back', async () => {
    const before = snapshot(store)
    const head = (await store.read().head())!
    const used = (store.database.prepare('SELECT request_id FROM ledger_entry WHERE request_id IS NOT NULL LIMIT 1').get() as { request_id: string } | undefined)?.request_id
    const requestId = used ?? 'taken'
    if (!used) await ledger(store).addLocation({ code: 'SHELF-9', name: 'Shelf', by: await ledger(store).authenticate('pic', SAMPLE_PASSPHRASE) }, { requestId })
    const tip = (await store.read().head())!
    const entry = {
      kind: 'location', occurred_at: '2026-11-03T10:00:00.000Z', actor: 'pic', data: { code: 'FRIDGE-3', name: 'Fridge' }, request_id: requestId,
      format: 1, ledger_id: tip.ledger_id, seq: tip.seq + 1, prev_hash: tip.hash, recorded_at: '2026-11-03T10:00:00.000Z',
    } as Entry
    const after = used ? before : snapshot(store)
    let caught: unknown
    const result = store.writeTransaction(async (tx) => {
      await tx.insertEntry({ entry, ...hashEntry(entry) }) // queued: it continues the chain
      try {
        void store.database // hands the queue to SQLite, where the trigger refuses the reused request id
      } catch (err) {
        caught = err
      }
      return 'the caller carries on'
    })
    await expect(result).rejects.toMatchObject({ code: 'APPEND_REJECTED' })
    expect(caught).toMatchObject({ code: 'APPEND_REJECTED' })
    expect(snapshot(store)).toEqual(after)
    expect((await store.read().head())!.seq).toBe(used ? head.seq : head.seq + 1)
  })

  it('given a batch longer than the queue holds (1,000 entries), then it is written in parts and the ledger verifies', async () => {
    const L = ledger(store)
    const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
    await L.batch(async () => {
      for (let i = 1; i <= 1005; i++) await L.addLocation({ code: `BIN-${i}`, name: `Bin ${i}`, by: pic })
    })
    expect((await store.read().head())!.seq).toBe(sample.head.seq + 1005)
    expect((await store.read().list('location')).length).toBe(2 + 1005)
    expect((await verifyLedger(store)).ok).toBe(true)
  })

  it('given a transaction handle kept after its transaction ended, when it is written to, then the write goes straight to SQLite as it always did', async () => {
    let kept!: Parameters<Parameters<SqliteLedgerStore['writeTransaction']>[0]>[0]
    await store.writeTransaction(async (tx) => { kept = tx })
    await kept.putProjections(1, [{ kind: 'location', key: 'FRIDGE-3', value: { code: 'FRIDGE-3', name: 'Fridge' } }])
    expect(await store.read().get('location', 'FRIDGE-3')).toEqual({ code: 'FRIDGE-3', name: 'Fridge' })
  })
})
