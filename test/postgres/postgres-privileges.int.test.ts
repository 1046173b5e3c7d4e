import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Entry, fixedClock, hashEntry, verifyLedger } from '@csledger/ledger-core'
import { type PostgresLedgerStore, openPostgresStore } from '@csledger/ledger-postgres'
import { START, initClinic, ledgerOn, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { postgresEnv, tryEach } from './pg-test-env.ts'

const env = postgresEnv()

describe.skipIf(!env)('PostgreSQL append-only enforcement', () => {
  let store: PostgresLedgerStore
  let id: string
  beforeAll(async () => {
    store = await openPostgresStore(env!.appUrl, { create: true, poolSize: 1 })
    id = store.ledgerId
    const clinic = await initClinic(store, id, fixedClock(START), { signing: true })
    await runClinicDay(clinic)
    await clinic.ledger.checkpoint({ by: clinic.pic })
  })
  afterAll(async () => { await store?.close() })

  it('given the application role, when it tries to change or remove history, then PostgreSQL refuses for lack of privilege', async () => {
    const setLedger = { text: "SELECT set_config('csledger.ledger_id', $1, false)", params: [id] }
    const attempts = [
      "UPDATE ledger_entry SET actor = 'mallory' WHERE seq = 2",
      'DELETE FROM ledger_entry WHERE seq = 12',
      'TRUNCATE ledger_entry',
      "UPDATE projection_history SET value = '{}'",
      'DELETE FROM projection_history',
      'DELETE FROM projection',
      'DELETE FROM credential',
      "UPDATE entry_signature SET signer = 'mallory'",
      'DELETE FROM entry_signature',
      'TRUNCATE entry_signature',
      'UPDATE checkpoint SET size = 1',
      'DELETE FROM checkpoint',
      "UPDATE ledger SET created_by = 'mallory'",
      'DELETE FROM ledger',
    ]
    const results = await tryEach(env!.appUrl, [setLedger, ...attempts.map((text) => ({ text }))])
    expect(results[0]).toBeUndefined()
    attempts.forEach((text, i) => {
      expect(results[i + 1]?.code, text).toBe('42501')
      expect(results[i + 1]?.message, text).toMatch(/permission denied/)
    })
    expect((await verifyLedger(store)).ok).toBe(true)
  })

  it('given the owner role (no superuser), when it tries to change history, then the PL/pgSQL guards refuse with csledger SQLSTATEs', async () => {
    const last = (await store.read().entry(12))!
    const forged = { ...last, seq: 13, prev_hash: (await store.read().head())!.hash, actor: 'doc' } as Entry
    const { canonical, hash } = hashEntry(forged)
    const insert = 'INSERT INTO ledger_entry (ledger_id, seq, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
    const row = (h: string, actor: string) => [id, 13, forged.prev_hash, h, forged.kind, forged.recorded_at, forged.occurred_at, actor, null, canonical]
    const results = await tryEach(env!.ownerUrl, [
      { text: "UPDATE ledger_entry SET actor = 'mallory' WHERE ledger_id = $1 AND seq = 2", params: [id] },
      { text: 'DELETE FROM ledger_entry WHERE ledger_id = $1 AND seq = 12', params: [id] },
      { text: 'TRUNCATE ledger_entry CASCADE' },
      { text: 'DELETE FROM projection_history WHERE ledger_id = $1', params: [id] },
      { text: "UPDATE entry_signature SET signer = 'mallory' WHERE ledger_id = $1", params: [id] },
      { text: 'DELETE FROM entry_signature WHERE ledger_id = $1', params: [id] },
      { text: 'TRUNCATE entry_signature, checkpoint' },
      { text: 'UPDATE checkpoint SET size = 1 WHERE ledger_id = $1', params: [id] },
      { text: 'DELETE FROM checkpoint WHERE ledger_id = $1', params: [id] },
      { text: "UPDATE ledger SET created_by = 'mallory' WHERE ledger_id = $1", params: [id] },
      { text: "UPDATE ledger SET ledger_id = 'stolen' WHERE ledger_id = $1", params: [id] },
      { text: 'DELETE FROM ledger WHERE ledger_id = $1', params: [id] },
      { text: insert, params: row('f'.repeat(64), forged.actor) },
      { text: insert, params: row(hash, 'pic') },
    ])
    expect(results.map((e) => e?.code)).toEqual([...Array(12).fill('CL001'), 'CL003', 'CL003'])
    expect(results[12]?.message).toMatch(/hash does not match/)
    expect(results[13]?.message).toMatch(/columns do not repeat/)
    const report = await verifyLedger(store)
    expect(report.findings).toEqual([])
    expect(report.checkpoints).toHaveLength(1)
    expect((await store.read().head())?.seq).toBe(12)
  })

  it('given a well-formed entry inserted by the owner outside the store, then the store sees it as the head and continues after it', async () => {
    const head = (await store.read().head())!
    const next = { ...(await store.read().entry(4))!, seq: head.seq + 1, prev_hash: head.hash, data: { code: 'SAFE-9', name: 'Vault' } } as Entry
    const { canonical, hash } = hashEntry(next)
    const results = await tryEach(env!.ownerUrl, [{
      text: 'INSERT INTO ledger_entry (ledger_id, seq, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      params: [id, next.seq, next.prev_hash, hash, next.kind, next.recorded_at, next.occurred_at, next.actor, null, canonical],
    }])
    expect(results).toEqual([undefined])
    expect(await store.read().head()).toEqual({ seq: head.seq + 1, hash, ledger_id: id })
    const { ledger } = ledgerOn(store)
    const after = await ledger.addLocation({ code: 'SAFE-10', name: 'Cabinet', by: { username: 'pic' } })
    expect(after.stored.entry).toMatchObject({ seq: head.seq + 2, prev_hash: hash })
  })
})
