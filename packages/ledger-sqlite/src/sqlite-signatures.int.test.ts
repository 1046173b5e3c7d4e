import { copyFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Entry, Ledger, RuleViolation, appendEntry, fixedClock, verifyLedger } from '@csledger/ledger-core'
import { SAMPLE_PASSPHRASE, TEST_KDF, buildSampleLedger, scriptSampleLedger, tickingClock } from '../../../test/support/build-sample-ledger.ts'
import { makeTempDir } from '../../../test/support/make-temp-dir.ts'
import { openSqliteStore } from './open-sqlite-store.ts'

// Signature and checkpoint storage on real SQLite files (migration 0004): what the store keeps,
// what the database refuses, and a ledger written before signing existed opened by this version.

const tmp = makeTempDir('sqlite-signatures')
let signed: string
let legacy: string
let n = 0
const copy = (from: string) => { const f = tmp.file(`case-${++n}.db`); copyFileSync(from, f); return f }

beforeAll(async () => {
  signed = tmp.file('signed.db')
  const store = await openSqliteStore(signed, { create: true })
  try {
    await scriptSampleLedger(new Ledger({ store, kdf: TEST_KDF, clock: tickingClock('2026-11-02T09:00:00.000Z'), signing: true }), crypto.randomUUID())
    const L = new Ledger({ store, kdf: TEST_KDF, signing: true })
    await L.checkpoint({ by: await L.authenticate('pic', SAMPLE_PASSPHRASE) })
  } finally {
    await store.close()
  }
  legacy = tmp.file('legacy.db')
  await buildSampleLedger(legacy)
})
afterAll(() => tmp.remove())

const all = (file: string, sql: string) => { const db = new Database(file, { readonly: true }); try { return db.prepare(sql).all() } finally { db.close() } }

describe('a ledger written with signing on', () => {
  it('given the file reopened, then every entry\'s signatures, the checkpoint and the sealed keys are there, and it verifies', async () => {
    const file = copy(signed)
    const store = await openSqliteStore(file)
    try {
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.signatures?.verified).toBeGreaterThan(report.entries)
      expect(report.checkpoints).toEqual([expect.objectContaining({ status: 'ok', signed_by: ['pic'], size: report.entries })])
      const actors = new Set<number>()
      for await (const s of store.signatureRows()) if (s.role === 'actor') actors.add(s.seq)
      expect(actors.size).toBe(report.entries)
    } finally {
      await store.close()
    }
    const creds = all(file, 'SELECT username, sealed_key FROM credential ORDER BY username') as Array<{ username: string; sealed_key: string }>
    expect(creds.map((c) => [c.username, c.sealed_key.split('$')[0]])).toEqual([['doc', 'sealed-ed25519-v1'], ['nina', 'sealed-ed25519-v1'], ['nurse', 'sealed-ed25519-v1'], ['pic', 'sealed-ed25519-v1']])
  })

  it('given signatureRows with a range, then only those seqs come back, in (seq, role) order', async () => {
    const store = await openSqliteStore(copy(signed))
    try {
      const got = []
      for await (const s of store.signatureRows({ fromSeq: 9, toSeq: 13 })) got.push(`${s.seq}:${s.role}`)
      expect(got[0]).toMatch(/^9:/)
      expect(got.at(-1)).toMatch(/^13:/)
      expect([...got].sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]) || a.localeCompare(b))).toEqual(got)
    } finally {
      await store.close()
    }
  })

  it.each([
    ['change a signature', "UPDATE entry_signature SET signer = 'eve' WHERE seq = 3", 'entry_signature is append-only'],
    ['delete a signature', 'DELETE FROM entry_signature WHERE seq = 3', 'entry_signature is append-only'],
    ['add a signature to an old entry', "INSERT INTO entry_signature (seq, role, signer, signature) VALUES (3, 'witness', 'eve', '" + 'A'.repeat(86) + "==')", 'never added later'],
    ['change a checkpoint', "UPDATE checkpoint SET size = 1", 'checkpoint is append-only'],
    ['delete a checkpoint', 'DELETE FROM checkpoint', 'checkpoint is append-only'],
  ])('given the guards, when someone tries to %s, then the database refuses', (_what, sql, message) => {
    const db = new Database(copy(signed))
    try {
      expect(() => db.exec(sql)).toThrow(message)
    } finally {
      db.close()
    }
  })

  it('given an append refused after signing, then neither the entry nor its signatures are kept', async () => {
    const file = copy(signed)
    const store = await openSqliteStore(file)
    const before = all(file, 'SELECT * FROM entry_signature')
    try {
      const head = await store.read().head()
      await expect(appendEntry(store, {
        clock: fixedClock('2026-11-04T10:00:00.000Z'),
        decide: async () => ({ draft: { kind: 'location', occurred_at: '2026-11-04T10:00:00.000Z', actor: 'pic', data: { code: 'SAFE-9', name: 'x' } } }),
        sign: async (_tx, stored) => { void stored; throw new RuleViolation('NO_KEY', 'refused after hashing') },
      })).rejects.toMatchObject({ code: 'NO_KEY' })
      await expect(appendEntry(store, {
        clock: fixedClock('2026-11-04T10:00:00.000Z'),
        decide: async () => ({ draft: { kind: 'location', occurred_at: '2026-11-04T10:00:00.000Z', actor: 'pic', data: { code: 'SAFE-9', name: 'x' } } }),
        sign: async (_tx, stored) => [{ seq: stored.entry.seq, role: 'actor', signer: 'pic', signature: 'not 88 characters' }],
      })).rejects.toThrow()
      expect(await store.read().head()).toEqual(head)
    } finally {
      await store.close()
    }
    expect(all(file, 'SELECT * FROM entry_signature')).toEqual(before)
  })
})

describe('a ledger written before signing existed (migrations 0001-0003 only)', () => {
  it('given it opened by this version, then 0004 is applied, nothing recorded changes, and it verifies without signature findings', async () => {
    const file = copy(legacy)
    const db = new Database(file)
    db.exec("DROP TABLE entry_signature; DROP TABLE checkpoint; DROP INDEX projection_open_container; DELETE FROM kysely_migration WHERE name IN ('0004-signatures-and-checkpoints', '0005-open-container-index')")
    db.exec('ALTER TABLE credential DROP COLUMN sealed_key')
    const entriesBefore = db.prepare('SELECT * FROM ledger_entry ORDER BY seq').all()
    db.close()
    const store = await openSqliteStore(file)
    try {
      expect(all(file, 'SELECT * FROM ledger_entry ORDER BY seq')).toEqual(entriesBefore)
      expect(all(file, 'SELECT count(*) AS n FROM credential WHERE sealed_key IS NOT NULL')).toEqual([{ n: 0 }])
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.signatures).toBeUndefined()
      // Opened as the CLI opens it: new users get keys, a legacy user enrols one with a user_key entry.
      const L = new Ledger({ store, kdf: TEST_KDF, signing: true, clock: fixedClock('2026-11-05T09:00:00.000Z') })
      const { enrolled } = await L.changePassphrase({ username: 'pic', passphrase: SAMPLE_PASSPHRASE, newPassphrase: 'the new passphrase' })
      expect((enrolled?.stored.entry as Entry<'user_key'>).data.username).toBe('pic')
      const pic = await L.authenticate('pic', 'the new passphrase')
      await L.addUser({ username: 'rdiaz', name: 'Rosa Diaz', role: 'nurse', passphrase: SAMPLE_PASSPHRASE, by: pic })
      const after = await verifyLedger(store)
      expect(after.findings).toEqual([])
      expect(after.signatures).toMatchObject({ verified: 2, keyed_users: 2 })
      expect(all(file, `SELECT * FROM ledger_entry WHERE seq <= ${entriesBefore.length} ORDER BY seq`)).toEqual(entriesBefore)
    } finally {
      await store.close()
    }
  })
})
