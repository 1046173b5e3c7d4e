import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock, verifyLedger } from '@csledger/ledger-core'
import { migratePostgres, openPostgresStore } from '@csledger/ledger-postgres'
import { START, initClinic, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { postgresEnv, query, tryEach, uniqueName } from './pg-test-env.ts'

const env = postgresEnv()

function inDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** Runs a PostgreSQL client tool as the owner role (password from the URL, through PGPASSWORD). */
function ownerTool(tool: string, args: string[]): void {
  const u = new URL(env!.ownerUrl)
  execFileSync(tool, ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username), ...args], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

// docs/deploy-postgres.md §5: a logical dump restores into a new database with its chains,
// policies and triggers, and the restored ledgers verify against the heads recorded before.
describe.skipIf(!env)('PostgreSQL backup and restore (pg_dump / pg_restore)', () => {
  const databases: string[] = []
  let dir: string
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'csledger-pgdump-')) })
  afterAll(async () => {
    for (const db of databases) await query(env!.ownerUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
    rmSync(dir, { recursive: true, force: true })
  })

  it('given a database with a signed ledger, when it is dumped and restored into a new database, then the ledger, its signatures and checkpoint verify against the recorded head and stay append-only', async () => {
    const [source, restored] = [uniqueName('csl_dump'), uniqueName('csl_restore')]
    for (const db of [source, restored]) {
      await query(env!.ownerUrl, `CREATE DATABASE ${db} ENCODING 'UTF8' TEMPLATE template0`)
      databases.push(db)
    }
    await migratePostgres(inDatabase(env!.ownerUrl, source))
    const store = await openPostgresStore(inDatabase(env!.appUrl, source), { create: true, poolSize: 1 })
    const clinic = await initClinic(store, store.ledgerId, fixedClock(START), { signing: true })
    await runClinicDay(clinic)
    await clinic.ledger.checkpoint({ by: clinic.pic })
    const head = (await store.read().head())!
    const signed = (await verifyLedger(store)).signatures!.verified
    await store.close()

    const file = join(dir, 'csledger.dump')
    ownerTool('pg_dump', ['-Fc', '-d', source, '-f', file])
    ownerTool('pg_restore', ['-d', restored, '--exit-on-error', file])

    const back = await openPostgresStore(inDatabase(env!.appUrl, restored), { ledgerId: head.ledger_id, poolSize: 1 })
    try {
      const report = await verifyLedger(back, { expectedHead: { seq: head.seq, hash: head.hash } })
      expect(report.findings).toEqual([])
      expect(report).toMatchObject({ ok: true, entries: 12, head: { seq: head.seq, hash: head.hash }, signatures: { verified: signed } })
      expect(signed).toBeGreaterThan(12)
      expect(report.checkpoints?.map((c) => [c.status, c.size])).toEqual([['ok', 12]])
      expect((await back.credential('nurse'))?.sealed_key).toMatch(/^sealed-ed25519-v1\$/)
    } finally {
      await back.close()
    }
    const refused = await tryEach(inDatabase(env!.ownerUrl, restored), [
      { text: "UPDATE ledger_entry SET actor = 'mallory' WHERE seq = 2" },
      { text: "UPDATE entry_signature SET signer = 'mallory' WHERE seq = 2" },
      { text: 'DELETE FROM checkpoint' },
    ])
    expect(refused.map((e) => e?.code)).toEqual(['CL001', 'CL001', 'CL001'])
  })
})
