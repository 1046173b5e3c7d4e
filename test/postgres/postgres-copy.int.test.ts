import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type EntryRow, type LedgerStore, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { copyLedger, openPostgresStore } from '@csledger/ledger-postgres'
import { PASS, initClinic, ledgerOn, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { postgresEnv } from './pg-test-env.ts'

const env = postgresEnv()

async function rows(store: LedgerStore): Promise<EntryRow[]> {
  const out: EntryRow[] = []
  for await (const r of store.entryRows()) out.push(r)
  return out
}

describe.skipIf(!env)('copying a clinic ledger from SQLite to PostgreSQL', () => {
  let dir: string
  let sqliteFile: string
  let source: LedgerStore
  let ledgerId: string
  const opened: LedgerStore[] = []

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csledger-copy-'))
    sqliteFile = join(dir, 'clinic.db')
    source = await openSqliteStore(sqliteFile, { create: true })
    ledgerId = randomUUID()
    const clinic = await initClinic(source, ledgerId)
    await runClinicDay(clinic)
    await clinic.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: clinic.pic }, { requestId: 'req-copy-1' })
  })
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close()
    await source.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function target(id = ledgerId): Promise<LedgerStore> {
    const store = await openPostgresStore(env!.appUrl, { ledgerId: id, create: true, poolSize: 2 })
    opened.push(store)
    return store
  }

  it('given a verified SQLite ledger, when it is copied, then every row arrives byte for byte with its hash, the projections and passphrases come along, and both sides verify', async () => {
    const to = await target()
    const report = await copyLedger({ from: source, to })
    expect(report).toMatchObject({ ledger_id: ledgerId, entries: 13, credentials: 3, source: { ok: true }, target: { ok: true, entries: 13 } })
    expect(await rows(to)).toEqual(await rows(source))
    expect(await to.projectionRows()).toEqual(await source.projectionRows())
    for (const user of ['pic', 'nurse', 'doc']) expect(await to.credential(user)).toEqual(await source.credential(user))
    for (const seq of [0, 6, 9, 13]) expect(await to.projectionsAt('stock', seq)).toEqual(await source.projectionsAt('stock', seq))

    // The clinic carries on on the server: same users, same passphrases, the chain continues.
    const { ledger } = ledgerOn(to)
    const nurse = await ledger.authenticate('nurse', PASS)
    const next = await ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
    expect(next.stored.entry).toMatchObject({ seq: report.head.seq + 1, prev_hash: report.head.hash })
    expect((await verifyLedger(to)).ok).toBe(true)
  })

  it('given a target that already holds entries, when copying into it, then the copy is refused and the target is unchanged', async () => {
    const to = await target()
    await copyLedger({ from: source, to })
    const before = await rows(to)
    await expect(copyLedger({ from: source, to })).rejects.toMatchObject({ code: 'TARGET_NOT_EMPTY' })
    expect(await rows(to)).toEqual(before)
  })

  it('given a source that fails verification (an entry edited in the file), when copying, then nothing is copied', async () => {
    const db = new Database(sqliteFile)
    db.exec('DROP TRIGGER ledger_entry_no_update')
    db.prepare("UPDATE ledger_entry SET canonical = replace(canonical, 'P-1042', 'P-9999') WHERE seq = 9").run()
    db.close()
    const to = await target()
    await expect(copyLedger({ from: source, to })).rejects.toMatchObject({ code: 'SOURCE_INVALID' })
    expect(await to.read().head()).toBeNull()
  })

  it('given a target bound to another ledger id, when copying, then it is refused before anything is written (the id is part of every hash)', async () => {
    const to = await target(randomUUID())
    await expect(copyLedger({ from: source, to })).rejects.toMatchObject({ code: 'LEDGER_MISMATCH' })
    expect(await to.read().head()).toBeNull()
  })

  it('given a ledger on PostgreSQL, when it is copied back to a new SQLite file, then the rows are identical there too', async () => {
    const onServer = await target()
    await copyLedger({ from: source, to: onServer })
    const back = await openSqliteStore(join(dir, 'back.db'), { create: true })
    try {
      const report = await copyLedger({ from: onServer, to: back })
      expect(report.target.ok).toBe(true)
      expect(await rows(back)).toEqual(await rows(source))
    } finally {
      await back.close()
    }
  })
})
