import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppendResult, type EntryRow, Ledger, type LedgerStore, fixedClock, verifyLedger } from '@csledger/ledger-core'
import { type PostgresLedgerStore, openPostgresStore } from '@csledger/ledger-postgres'
import { PASS, START, TEST_KDF, initClinic } from '../store-contract/clinic-scenario.ts'
import { postgresEnv } from './pg-test-env.ts'

const env = postgresEnv()
const CLIENTS_PER_LEDGER = 4
const ROUNDS = 12

async function rows(store: LedgerStore): Promise<EntryRow[]> {
  const out: EntryRow[] = []
  for await (const r of store.entryRows()) out.push(r)
  return out
}

/** One workstation: its own store (own connection), receiving two vials and opening one, ROUNDS times, signed as the CLI signs. */
async function workstation(url: string, ledgerId: string, n: number): Promise<AppendResult[]> {
  const store = await openPostgresStore(url, { ledgerId, poolSize: 1 })
  const ledger = new Ledger({ store, kdf: TEST_KDF, signing: true })
  const nurse = await ledger.authenticate('nurse', PASS)
  const acknowledged: AppendResult[] = []
  try {
    for (let i = 0; i < ROUNDS; i++) {
      acknowledged.push(await ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 2, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: `INV-${n}-${i}`, by: nurse }))
      acknowledged.push(await ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse }))
    }
  } finally {
    await store.close()
  }
  return acknowledged
}

describe.skipIf(!env)('PostgreSQL concurrent appends', () => {
  const stores: PostgresLedgerStore[] = []
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const store = await openPostgresStore(env!.appUrl, { create: true, poolSize: 1 })
      const c = await initClinic(store, store.ledgerId, fixedClock(START), { signing: true })
      // 21 CFR 1304.11(b): the zero initial inventory comes before the first receipt.
      await c.ledger.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await store.read().head())!.seq, items: [], by: c.pic, witness: c.nurse })
      stores.push(store)
    }
  })
  afterAll(async () => { for (const s of stores) await s.close() })

  it('given 8 clients appending to 2 ledgers at once, then each ledger is one unbroken chain holding every acknowledged entry and nothing else', async () => {
    const [a, b] = stores as [PostgresLedgerStore, PostgresLedgerStore]
    const runs = Array.from({ length: 2 * CLIENTS_PER_LEDGER }, (_, n) => workstation(env!.appUrl, (n % 2 === 0 ? a : b).ledgerId, n))
    const settled = await Promise.allSettled(runs)
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([])
    const results = settled.map((s) => (s as PromiseFulfilledResult<AppendResult[]>).value)

    for (const [index, store] of [a, b].entries()) {
      const acknowledged = results.filter((_, n) => n % 2 === index).flat()
      expect(acknowledged).toHaveLength(CLIENTS_PER_LEDGER * ROUNDS * 2)
      expect(acknowledged.every((r) => !r.replayed && r.stored.entry.ledger_id === store.ledgerId)).toBe(true)

      const chain = await rows(store)
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.entries).toBe(6 + acknowledged.length) // set-up (5) + initial inventory (1)
      // Each entry signed in its own transaction: set-up 5, the inventory 2 (counter and witness), one per append.
      expect(report.signatures).toMatchObject({ verified: 7 + acknowledged.length, unsigned_without_key: 0 })
      expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1))
      // Every acknowledged entry is in the chain, at the seq and with the hash it was acknowledged with.
      const bySeq = new Map(chain.map((r) => [r.seq, r.hash]))
      for (const r of acknowledged) expect(bySeq.get(r.stored.entry.seq)).toBe(r.stored.hash)
      expect(new Set(acknowledged.map((r) => r.stored.entry.seq)).size).toBe(acknowledged.length)

      // The projections saw every append once: vials received - opened, and distinct container ids.
      const opened = acknowledged.filter((r) => r.stored.entry.kind === 'container_opening').map((r) => (r.stored.entry.data as { container: string }).container)
      expect(new Set(opened).size).toBe(CLIENTS_PER_LEDGER * ROUNDS)
      expect(await store.read().get('stock', 'SAFE-1|KET-50|K2417A')).toMatchObject({ sealed: CLIENTS_PER_LEDGER * ROUNDS })
      expect(await store.read().get('counter', 'container')).toEqual({ value: CLIENTS_PER_LEDGER * ROUNDS })
    }
    // The workstations of each ledger really did interleave: no client's entries form one block.
    for (const client of results) {
      const seqs = client.map((r) => r.stored.entry.seq)
      expect(seqs.at(-1)! - seqs[0]! + 1).toBeGreaterThan(seqs.length)
    }
  })

  it("given a writer holding one ledger's lock, then appends to the other ledger go through, and a second writer on the held ledger waits until its lock timeout (BUSY)", async () => {
    const [a, b] = stores as [PostgresLedgerStore, PostgresLedgerStore]
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    let signalLocked!: () => void
    const locked = new Promise<void>((resolve) => { signalLocked = resolve })
    const holder = a.writeTransaction(async () => { signalLocked(); await held })
    await locked

    const other = await new Ledger({ store: b }).addLocation({ code: 'SAFE-B', name: 'Safe B', by: { username: 'pic' } })
    expect(other.stored.entry.ledger_id).toBe(b.ledgerId)

    const impatient = await openPostgresStore(env!.appUrl, { ledgerId: a.ledgerId, poolSize: 1, lockTimeoutMs: 200 })
    try {
      const headBefore = await impatient.read().head()
      await expect(new Ledger({ store: impatient }).addLocation({ code: 'SAFE-A', name: 'Safe A', by: { username: 'pic' } })).rejects.toMatchObject({ code: 'BUSY' })
      release()
      await holder
      expect(await impatient.read().head()).toEqual(headBefore)
      const later = await new Ledger({ store: impatient }).addLocation({ code: 'SAFE-A', name: 'Safe A', by: { username: 'pic' } })
      expect(later.stored.entry.seq).toBe(headBefore!.seq + 1)
    } finally {
      release()
      await impatient.close()
    }
  })
})
