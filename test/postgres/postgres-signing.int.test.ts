import { Kysely, PostgresDialect } from 'kysely'
import { Migrator } from 'kysely/migration'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EntryRow, type EntrySignature, Ledger, createInMemoryLedgerStore, fixedClock, signEntryHash, verifyLedger } from '@csledger/ledger-core'
import { type PostgresLedgerStore, migratePostgres, openPostgresStore } from '@csledger/ledger-postgres'
import { POSTGRES_MIGRATION_NAMES, postgresMigrationProvider } from '@csledger/migrations/postgres'
import { type Clinic, PASS, START, TEST_KDF, initClinic, ledgerOn, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { postgresEnv, query, tryEach, uniqueName } from './pg-test-env.ts'

const env = postgresEnv()

async function signatures(store: PostgresLedgerStore, range?: { fromSeq?: number; toSeq?: number }): Promise<EntrySignature[]> {
  const out: EntrySignature[] = []
  for await (const x of store.signatureRows(range)) out.push(x)
  return out
}

function inDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

// What PostgreSQL adds to the store contract's signing tests (test/store-contract): guards that
// only a server with many writers needs, privileges, paging, and upgrading a database of 0003.
describe.skipIf(!env)('signing on PostgreSQL', () => {
  let store: PostgresLedgerStore
  let clinic: Clinic
  let id: string
  beforeAll(async () => {
    store = await openPostgresStore(env!.appUrl, { create: true, poolSize: 2 })
    id = store.ledgerId
    clinic = await initClinic(store, id, fixedClock(START), { signing: true })
    await runClinicDay(clinic)
    await clinic.ledger.checkpoint({ by: clinic.pic })
  })
  afterAll(async () => { await store?.close() })

  it("given an entry appended without signatures, when a later transaction signs it, then the database refuses, though it is the head: signatures are written by their entry's own transaction", async () => {
    const before = await signatures(store)
    // A library caller with signing off and a principal without a key writes an unsigned entry.
    const unsigned = await ledgerOn(store, fixedClock('2026-03-02T20:00:00.000Z')).ledger.addLocation({ code: 'SAFE-9', name: 'Vault', by: { username: 'pic' } })
    const { seq } = unsigned.stored.entry
    expect((await store.read().head())?.seq).toBe(seq)
    const late = { seq, role: 'actor' as const, signer: 'pic', signature: signEntryHash(clinic.pic.signingKey!, 'actor', unsigned.stored.hash) }
    await expect(store.writeTransaction((tx) => tx.putSignatures!([late]))).rejects.toMatchObject({ code: 'APPEND_REJECTED', message: expect.stringMatching(/never added later/) })
    const [asOwner] = await tryEach(env!.ownerUrl, [{ text: 'INSERT INTO entry_signature (ledger_id, seq, role, signer, signature) VALUES ($1, $2, $3, $4, $5)', params: [id, late.seq, late.role, late.signer, late.signature] }])
    expect([asOwner?.code, asOwner?.message]).toEqual(['CL002', expect.stringMatching(/never added later/)])
    expect(await signatures(store)).toEqual(before)
    // verify names the entry: pic has a key, and the entry carries no signature.
    expect((await verifyLedger(store)).findings).toEqual([expect.objectContaining({ code: 'UNSIGNED', seq })])
  })

  it('given a checkpoint that covers more entries than the ledger holds, then the database refuses it', async () => {
    const head = (await store.read().head())!
    const [stored] = await (async () => { const out = []; for await (const c of store.checkpointRows()) out.push(c); return out })()
    await expect(store.writeTransaction((tx) => tx.putCheckpoint!({ ...stored!, size: head.seq + 1 }))).rejects.toMatchObject({ code: 'APPEND_REJECTED', message: expect.stringMatching(/covers \d+ entries but the ledger holds/) })
  })

  it('given the application role, when it tries to change or remove signatures or checkpoints, then PostgreSQL refuses for lack of privilege; the owner is refused by the triggers', async () => {
    const attempts = [
      "UPDATE entry_signature SET signer = 'mallory'",
      'DELETE FROM entry_signature',
      'TRUNCATE entry_signature',
      'UPDATE checkpoint SET size = 1',
      'DELETE FROM checkpoint',
      'TRUNCATE checkpoint',
    ]
    const asApp = await tryEach(env!.appUrl, [{ text: "SELECT set_config('csledger.ledger_id', $1, false)", params: [id] }, ...attempts.map((text) => ({ text }))])
    expect(asApp.map((e) => e?.code)).toEqual([undefined, ...attempts.map(() => '42501')])
    const asOwner = await tryEach(env!.ownerUrl, attempts.map((text) => ({ text: text.startsWith('TRUNCATE') ? `${text} CASCADE` : `${text} WHERE ledger_id = '${id}'` })))
    expect(asOwner.map((e) => e?.code)).toEqual(attempts.map(() => 'CL001'))
    expect(asOwner[0]?.message).toMatch(/entry_signature is append-only: UPDATE refused/)
    const n = await query<{ s: number; c: number }>(env!.ownerUrl, 'SELECT (SELECT count(*)::int FROM entry_signature WHERE ledger_id = $1) AS s, (SELECT count(*)::int FROM checkpoint WHERE ledger_id = $1) AS c', [id])
    expect(n.rows[0]!.c).toBe(1)
    expect(n.rows[0]!.s).toBe((await signatures(store)).length)
  })

  it('given pages smaller than the signatures, when they are streamed, then the pages join into the same rows in (seq, role) order, ranges included', async () => {
    const paged = await openPostgresStore(env!.appUrl, { ledgerId: id, pageSize: 2, poolSize: 1 })
    try {
      expect(await signatures(paged)).toEqual(await signatures(store))
      expect(await signatures(paged, { fromSeq: 10, toSeq: 12 })).toEqual((await signatures(store)).filter((x) => x.seq >= 10 && x.seq <= 12))
      const listed = []
      for await (const c of paged.checkpointRows()) listed.push(c)
      const all = []
      for await (const c of store.checkpointRows()) all.push(c)
      expect(listed).toEqual(all)
    } finally {
      await paged.close()
    }
  })
})

describe.skipIf(!env)('upgrading a PostgreSQL database written before signing existed (0001-0003) to 0004', () => {
  let database: string
  beforeAll(async () => {
    database = uniqueName('csl_sign_up')
    await query(env!.ownerUrl, `CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`)
  })
  afterAll(async () => { await query(env!.ownerUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) })

  it('given a ledger written at 0003, when migrate runs, then its entries are untouched and verify as before; opened with signing on, a user enrols a key and new entries are signed', async () => {
    const ownerUrl = inDatabase(env!.ownerUrl, database)
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: ownerUrl, max: 1 }) }) })
    try {
      const { error } = await new Migrator({ db, provider: postgresMigrationProvider }).migrateTo('0003-tenant-isolation')
      expect(error).toBeUndefined()
    } finally {
      await db.destroy()
    }
    // A store of this version refuses the old schema until it is migrated explicitly.
    await expect(openPostgresStore(inDatabase(env!.appUrl, database), { create: true })).rejects.toMatchObject({ code: 'NEEDS_MIGRATION', message: expect.stringContaining('0004-signatures-and-checkpoints') })
    // Written the way 0003's csledger wrote it: plain SQL through an application role, as the old store did.
    const legacyId = await writeLegacyLedger(inDatabase(env!.appUrl, database))
    const entriesBefore = (await query<EntryRow>(ownerUrl, 'SELECT * FROM ledger_entry WHERE ledger_id = $1 ORDER BY seq', [legacyId])).rows

    expect((await migratePostgres(ownerUrl)).applied).toEqual(POSTGRES_MIGRATION_NAMES.slice(POSTGRES_MIGRATION_NAMES.indexOf('0004-signatures-and-checkpoints')))
    const store = await openPostgresStore(inDatabase(env!.appUrl, database), { ledgerId: legacyId, poolSize: 1 })
    try {
      expect((await query(ownerUrl, 'SELECT * FROM ledger_entry WHERE ledger_id = $1 ORDER BY seq', [legacyId])).rows).toEqual(entriesBefore)
      expect((await store.credential('pic'))?.sealed_key).toBeUndefined()
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.signatures).toBeUndefined()
      // Opened as the CLI opens it (signing: canSign(store)): the PIC enrols a key, a new nurse gets one.
      const L = new Ledger({ store, kdf: TEST_KDF, signing: true, clock: fixedClock('2026-03-05T09:00:00.000Z') })
      const { enrolled } = await L.changePassphrase({ username: 'pic', passphrase: PASS, newPassphrase: 'the new passphrase' })
      expect(enrolled?.stored.entry).toMatchObject({ kind: 'user_key', actor: 'pic' })
      expect((await store.credential('pic'))?.sealed_key).toMatch(/^sealed-ed25519-v1\$/)
      const pic = await L.authenticate('pic', 'the new passphrase')
      await L.addUser({ username: 'rdiaz', name: 'Rosa Diaz', role: 'nurse', passphrase: PASS, by: pic })
      const after = await verifyLedger(store)
      expect(after.findings).toEqual([])
      expect(after.signatures).toMatchObject({ verified: 2, keyed_users: 2 })
      expect(await signatures(store)).toEqual([
        expect.objectContaining({ seq: entriesBefore.length + 1, role: 'actor', signer: 'pic' }),
        expect.objectContaining({ seq: entriesBefore.length + 2, role: 'actor', signer: 'pic' }),
      ])
    } finally {
      await store.close()
    }
  })
})

/**
 * Writes a small unsigned ledger into a database at schema 0003 without this version's store
 * (which refuses that schema): the entries an in-memory ledger made, inserted as rows through the
 * application role, with the projections and credentials the store of 0003 wrote beside them.
 * Returns the ledger id.
 */
async function writeLegacyLedger(appUrl: string): Promise<string> {
  const memory = createInMemoryLedgerStore()
  const ledgerId = crypto.randomUUID()
  await initClinic(memory, ledgerId)
  const client = new pg.Client({ connectionString: appUrl })
  await client.connect()
  try {
    await client.query('BEGIN')
    await client.query("SELECT set_config('csledger.ledger_id', $1, true)", [ledgerId])
    await client.query('SELECT csledger_create_ledger($1)', [ledgerId])
    for await (const r of memory.entryRows()) {
      await client.query('INSERT INTO ledger_entry (ledger_id, seq, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [ledgerId, r.seq, r.prev_hash, r.hash, r.kind, r.recorded_at, r.occurred_at, r.actor, r.request_id, r.canonical])
    }
    const lastChange = new Map<string, number>()
    for await (const h of memory.projectionHistoryRows()) {
      await client.query('INSERT INTO projection_history (ledger_id, kind, key, seq, value) VALUES ($1, $2, $3, $4, $5)', [ledgerId, h.kind, h.key, h.seq, h.value])
      lastChange.set(`${h.kind}\u0000${h.key}`, h.seq)
    }
    for (const p of await memory.projectionRows()) {
      await client.query('INSERT INTO projection (ledger_id, kind, key, seq, value) VALUES ($1, $2, $3, $4, $5)', [ledgerId, p.kind, p.key, lastChange.get(`${p.kind}\u0000${p.key}`), p.value])
    }
    for (const username of ['pic', 'nurse', 'doc']) {
      const c = (await memory.credential(username))!
      await client.query('INSERT INTO credential (ledger_id, username, passphrase_hash, updated_at) VALUES ($1, $2, $3, $4)', [ledgerId, c.username, c.passphrase_hash, c.updated_at])
    }
    await client.query('COMMIT')
  } finally {
    await client.end()
  }
  return ledgerId
}
