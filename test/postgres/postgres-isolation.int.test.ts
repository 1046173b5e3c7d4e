import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock, verifyLedger } from '@csledger/ledger-core'
import { type PostgresLedgerStore, openPostgresStore } from '@csledger/ledger-postgres'
import { START, initClinic, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { createAppRole, dropRole, postgresEnv, query, tryEach } from './pg-test-env.ts'

const env = postgresEnv()

// Two registrants in one database, each logging in with its own role (a member of csledger_app).
describe.skipIf(!env)('PostgreSQL tenant isolation', () => {
  const roles: string[] = []
  let a: { role: string; url: string }
  let b: { role: string; url: string }
  let storeA: PostgresLedgerStore
  let storeB: PostgresLedgerStore

  beforeAll(async () => {
    a = await createAppRole(env!, 'csl_clinic_a')
    b = await createAppRole(env!, 'csl_clinic_b')
    roles.push(a.role, b.role)
    storeA = await openPostgresStore(a.url, { create: true, poolSize: 1 })
    storeB = await openPostgresStore(b.url, { create: true, poolSize: 1 })
    // A signs, as the CLI does: its ledger has entry signatures, a checkpoint and sealed keys to hide.
    const clinicA = await initClinic(storeA, storeA.ledgerId, fixedClock(START), { signing: true })
    await runClinicDay(clinicA)
    await clinicA.ledger.checkpoint({ by: clinicA.pic })
    await initClinic(storeB, storeB.ledgerId)
  })
  afterAll(async () => {
    await storeA?.close()
    await storeB?.close()
    for (const r of roles) await dropRole(env!, r)
  })

  it("given registrant B's role, when it opens without naming a ledger, then it gets its own ledger and only that", async () => {
    const store = await openPostgresStore(b.url, { poolSize: 1 })
    try {
      expect(store.ledgerId).toBe(storeB.ledgerId)
      expect((await verifyLedger(store)).entries).toBe(5)
    } finally {
      await store.close()
    }
  })

  it("given registrant B's role, when it names A's ledger, then the store refuses to open it", async () => {
    await expect(openPostgresStore(b.url, { ledgerId: storeA.ledgerId })).rejects.toMatchObject({ code: 'NO_LEDGER' })
    await expect(openPostgresStore(`${b.url}?ledger=${storeA.ledgerId}`)).rejects.toMatchObject({ code: 'NO_LEDGER' })
  })

  it("given B's role with its session pointed at A's ledger, when it reads every table directly, then it sees none of A's rows", async () => {
    const statements = ['ledger_entry', 'projection', 'projection_history', 'credential', 'entry_signature', 'checkpoint'].map((t) => `SELECT count(*)::int AS n FROM ${t}`)
    const client = await import('pg').then((m) => new m.default.Client({ connectionString: b.url }))
    await client.connect()
    try {
      await client.query("SELECT set_config('csledger.ledger_id', $1, false)", [storeA.ledgerId])
      for (const s of statements) expect((await client.query(s)).rows[0].n, s).toBe(0)
      expect((await client.query('SELECT count(*)::int AS n FROM ledger_entry WHERE ledger_id = $1', [storeA.ledgerId])).rows[0].n).toBe(0)
      expect((await client.query('SELECT ledger_id FROM ledger')).rows).toEqual([{ ledger_id: storeB.ledgerId }])
      expect((await client.query('SELECT ledger_id FROM ledger_access')).rows).toEqual([{ ledger_id: storeB.ledgerId }])
    } finally {
      await client.end()
    }
    // The same queries as A, for contrast: the rows exist.
    const n = await query<{ n: number; s: number; c: number; k: number }>(a.url, `SELECT set_config('csledger.ledger_id', $1, false), (SELECT count(*)::int FROM ledger_entry) AS n,
      (SELECT count(*)::int FROM entry_signature) AS s, (SELECT count(*)::int FROM checkpoint) AS c, (SELECT count(sealed_key)::int FROM credential) AS k`, [storeA.ledgerId])
    expect(n.rows[0]).toMatchObject({ n: 12, c: 1, k: 3 })
    expect(n.rows[0]!.s).toBeGreaterThan(12)
  })

  it("given B's role, when it tries to write into A's ledger, then row-level security and the functions refuse every way in", async () => {
    const setA = { text: "SELECT set_config('csledger.ledger_id', $1, false)", params: [storeA.ledgerId] }
    const results = await tryEach(b.url, [
      setA,
      { text: "INSERT INTO credential (ledger_id, username, passphrase_hash, updated_at) VALUES ($1, 'mallory', 'scrypt$x', 'now')", params: [storeA.ledgerId] },
      { text: "INSERT INTO projection (ledger_id, kind, key, seq, value) VALUES ($1, 'user', 'mallory', 1, '{}')", params: [storeA.ledgerId] },
      { text: "UPDATE credential SET passphrase_hash = 'scrypt$x' WHERE ledger_id = $1 RETURNING 1", params: [storeA.ledgerId] },
      { text: 'SELECT * FROM csledger_lock_ledger($1)', params: [storeA.ledgerId] },
      { text: 'SELECT csledger_create_ledger($1)', params: [storeA.ledgerId] },
      { text: "INSERT INTO ledger_access (ledger_id, role_name) VALUES ($1, current_user)", params: [storeA.ledgerId] },
      { text: `INSERT INTO entry_signature (ledger_id, seq, role, signer, signature) VALUES ($1, 12, 'actor', 'mallory', '${'A'.repeat(86)}==')`, params: [storeA.ledgerId] },
      { text: `INSERT INTO checkpoint (ledger_id, size, root, note, created_at) VALUES ($1, 1, '${'0'.repeat(64)}', 'forged', 'now')`, params: [storeA.ledgerId] },
      {
        text: `INSERT INTO ledger_entry (ledger_id, seq, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical)
          VALUES ($1, 999, '${'0'.repeat(64)}', '${'0'.repeat(64)}', 'location', 'x', 'x', 'mallory', NULL, '{}')`,
        params: [storeA.ledgerId],
      },
    ])
    expect(results[0]).toBeUndefined()
    for (const [i, err] of results.slice(1, 3).entries()) expect(err?.message, `statement ${i + 1}`).toMatch(/row-level security/)
    expect(results[3]).toBeUndefined() // the UPDATE matches no visible row: nothing changes
    expect(results[4]?.code).toBe('42501')
    expect(results[5]?.message).toMatch(/belongs to another registrant/)
    expect(results[6]?.message).toMatch(/permission denied/)
    // The entry, signature and checkpoint guards refuse a ledger the role may not use before they
    // look at it, so the error tells nothing about A's ledger (not its head, not its size).
    for (const err of results.slice(7)) expect([err?.code, err?.message]).toEqual(['42501', `no ledger ${storeA.ledgerId} for role ${b.role}`])
    expect((await storeA.credential('pic'))?.passphrase_hash).toMatch(/^scrypt\$1024\$/)
    const report = await verifyLedger(storeA)
    expect(report.findings).toEqual([])
    expect(report.checkpoints).toHaveLength(1)
  })

  it('given a role granted both ledgers (a group auditor), then it must name one, and each store sees only its own ledger', async () => {
    const auditor = await createAppRole(env!, 'csl_auditor')
    roles.push(auditor.role)
    await query(env!.ownerUrl, 'INSERT INTO ledger_access (ledger_id, role_name) VALUES ($1, $3), ($2, $3)', [storeA.ledgerId, storeB.ledgerId, auditor.role])
    await expect(openPostgresStore(auditor.url)).rejects.toMatchObject({ code: 'AMBIGUOUS_LEDGER' })
    const viewA = await openPostgresStore(auditor.url, { ledgerId: storeA.ledgerId, readonly: true, poolSize: 1 })
    const viewB = await openPostgresStore(`${auditor.url}?ledger=${storeB.ledgerId}`, { readonly: true, poolSize: 1 })
    try {
      expect(await verifyLedger(viewA)).toMatchObject({ ok: true, entries: 12, ledger_id: storeA.ledgerId })
      expect(await verifyLedger(viewB)).toMatchObject({ ok: true, entries: 5, ledger_id: storeB.ledgerId })
    } finally {
      await viewA.close()
      await viewB.close()
    }
  })
})
