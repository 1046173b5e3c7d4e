import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EntryRow, type LedgerStore, StoreError } from '@csledger/ledger-core'
import { type PostgresLedgerStore, openPostgresStore } from '@csledger/ledger-postgres'
import { PASS, initClinic, ledgerOn, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { createAppRole, dropRole, postgresEnv, query, urlAs } from './pg-test-env.ts'

const env = postgresEnv()

async function rows(store: LedgerStore): Promise<EntryRow[]> {
  const out: EntryRow[] = []
  for await (const r of store.entryRows()) out.push(r)
  return out
}

describe.skipIf(!env)('opening a PostgreSQL store', () => {
  let store: PostgresLedgerStore
  beforeAll(async () => {
    store = await openPostgresStore(env!.appUrl, { create: true, poolSize: 1 })
    await runClinicDay(await initClinic(store, store.ledgerId))
  })
  afterAll(async () => { await store?.close() })

  it('given a wrong password, then the open fails with DB_LOGIN_FAILED and the message does not show the password', async () => {
    const url = urlAs(env!.appUrl, new URL(env!.appUrl).username, 'not-the-password-42')
    const err = await openPostgresStore(url).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject({ code: 'DB_LOGIN_FAILED' })
    expect((err as Error).message).not.toContain('not-the-password-42')
  })

  it('given no server at the address, then the open fails with CANNOT_CONNECT', async () => {
    const u = new URL(env!.appUrl)
    u.port = '1'
    await expect(openPostgresStore(u.toString())).rejects.toMatchObject({ code: 'CANNOT_CONNECT' })
  })

  it('given a database that does not exist, then the open fails with NO_DATABASE', async () => {
    const u = new URL(env!.appUrl)
    u.pathname = '/csledger_no_such_database'
    await expect(openPostgresStore(u.toString())).rejects.toMatchObject({ code: 'NO_DATABASE' })
  })

  it('given a role with no ledger, or with several and none named, then the open says which and how to choose', async () => {
    const lonely = await createAppRole(env!, 'csl_lonely')
    try {
      await expect(openPostgresStore(lonely.url)).rejects.toMatchObject({ code: 'NO_LEDGER', hint: expect.stringContaining('csledger init') })
    } finally {
      await dropRole(env!, lonely.role)
    }
    await expect(openPostgresStore(env!.appUrl)).rejects.toMatchObject({ code: 'AMBIGUOUS_LEDGER', hint: expect.stringContaining('?ledger=') })
  })

  it('given a ledger named both in the URL and in the options, then they must agree', async () => {
    await expect(openPostgresStore(`${env!.appUrl}?ledger=${store.ledgerId}`, { ledgerId: 'another' })).rejects.toMatchObject({ code: 'LEDGER_MISMATCH' })
    const viaUrl = await openPostgresStore(`${env!.appUrl}?application_name=csledger-test&ledger=${store.ledgerId}`, { poolSize: 1 })
    try {
      expect(viaUrl.ledgerId).toBe(store.ledgerId)
      expect(viaUrl.display).not.toContain(new URL(env!.appUrl).password)
    } finally {
      await viaUrl.close()
    }
  })

  it('given a read-only open, then reads work and an append is refused with READ_ONLY', async () => {
    const ro = await openPostgresStore(env!.appUrl, { ledgerId: store.ledgerId, readonly: true, poolSize: 1 })
    try {
      expect((await ro.read().head())?.seq).toBe(12)
      await expect(ro.writeTransaction(async (tx) => tx.putCredential({ username: 'x', passphrase_hash: 'scrypt$', updated_at: 'now' }))).rejects.toMatchObject({ code: 'READ_ONLY' })
    } finally {
      await ro.close()
    }
  })

  it('given pages smaller than the ledger, when entries are streamed, then the pages join into the same rows in seq order', async () => {
    const paged = await openPostgresStore(env!.appUrl, { ledgerId: store.ledgerId, pageSize: 3, poolSize: 1 })
    try {
      expect(await rows(paged)).toEqual(await rows(store))
      const ranged: number[] = []
      for await (const r of paged.entryRows({ fromSeq: 2, toSeq: 8 })) ranged.push(r.seq)
      expect(ranged).toEqual([2, 3, 4, 5, 6, 7, 8])
    } finally {
      await paged.close()
    }
  })

  it('given a new ledger whose init is refused (a malformed DEA number), then no ledger is left behind, and a corrected init creates it', async () => {
    const fresh = await openPostgresStore(env!.appUrl, { create: true, poolSize: 1 })
    try {
      const { ledger } = ledgerOn(fresh)
      const init = { registrant: 'New Clinic', address: '2 Side St', admin: 'pic', adminName: 'Pat Pic', passphrase: PASS, ledgerId: fresh.ledgerId }
      await expect(ledger.init({ ...init, dea: 'NOT-A-DEA' })).rejects.toMatchObject({ code: 'INVALID_DEA_NUMBER' })
      const count = async () => (await query<{ n: number }>(env!.ownerUrl, 'SELECT count(*)::int AS n FROM ledger WHERE ledger_id = $1', [fresh.ledgerId])).rows[0]!.n
      expect(await count()).toBe(0)
      await ledger.init({ ...init, dea: 'BJ6125341' })
      expect(await count()).toBe(1)
      expect((await fresh.read().head())?.seq).toBe(1)
    } finally {
      await fresh.close()
    }
  })

  it("given create with another registrant's ledger id, then the first write is refused and nothing is written there", async () => {
    const other = await createAppRole(env!, 'csl_other')
    try {
      const intruder = await openPostgresStore(other.url, { ledgerId: store.ledgerId, create: true, poolSize: 1 })
      try {
        const { ledger } = ledgerOn(intruder)
        await expect(ledger.init({ registrant: 'Intruder', address: '3 Back St', dea: 'BJ6125341', admin: 'pic', adminName: 'Mallory', passphrase: PASS, ledgerId: store.ledgerId }))
          .rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/belongs to another registrant/) })
      } finally {
        await intruder.close()
      }
    } finally {
      await dropRole(env!, other.role)
    }
    expect((await store.read().head())?.seq).toBe(12)
  })
})
