import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CheckpointRecord, type EntryRow, type EntrySignature, type LedgerStore, type WriteTransaction, fixedClock, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { copyLedger, openPostgresStore } from '@csledger/ledger-postgres'
import { PASS, START, initClinic, ledgerOn, runClinicDay } from '../store-contract/clinic-scenario.ts'
import { postgresEnv } from './pg-test-env.ts'

const env = postgresEnv()

async function rows(store: LedgerStore): Promise<EntryRow[]> {
  const out: EntryRow[] = []
  for await (const r of store.entryRows()) out.push(r)
  return out
}

async function signatures(store: LedgerStore): Promise<EntrySignature[]> {
  const out: EntrySignature[] = []
  for await (const x of store.signatureRows!()) out.push(x)
  return out
}

async function checkpoints(store: LedgerStore): Promise<CheckpointRecord[]> {
  const out: CheckpointRecord[] = []
  for await (const c of store.checkpointRows!()) out.push(c)
  return out
}

/** The same store without the signing capability (a store written before signing existed). */
function withoutSigning(store: LedgerStore): LedgerStore {
  const unsigned = (tx: WriteTransaction): WriteTransaction => {
    const { putSignatures: _signatures, putCheckpoint: _checkpoint, ...rest } = tx
    return rest
  }
  return {
    writeTransaction: (fn) => store.writeTransaction((tx) => fn(unsigned(tx))),
    read: () => store.read(),
    entryRows: (range) => store.entryRows(range),
    projectionRows: () => store.projectionRows(),
    projectionHistoryRows: () => store.projectionHistoryRows(),
    projectionsAt: (kind, seq) => store.projectionsAt(kind, seq),
    seqAtTime: (iso) => store.seqAtTime(iso),
    credential: (username) => store.credential(username),
    close: async () => {},
  }
}

describe.skipIf(!env)('copying a clinic ledger from SQLite to PostgreSQL', () => {
  let dir: string
  let sqliteFile: string
  let source: LedgerStore
  let ledgerId: string
  const opened: LedgerStore[] = []

  // A ledger as the CLI writes it: signing on, so every entry is signed and each user has a sealed
  // key; two checkpoints given out (the second co-signed by the physician).
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csledger-copy-'))
    sqliteFile = join(dir, 'clinic.db')
    source = await openSqliteStore(sqliteFile, { create: true })
    ledgerId = randomUUID()
    const clinic = await initClinic(source, ledgerId, fixedClock(START), { signing: true })
    await runClinicDay(clinic)
    await clinic.ledger.checkpoint({ by: clinic.pic })
    await clinic.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: clinic.pic }, { requestId: 'req-copy-1' })
    await clinic.ledger.checkpoint({ by: clinic.pic, cosigners: [clinic.doc] })
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

  it('given a verified, signed SQLite ledger, when it is copied, then every row arrives byte for byte with its hash, signatures, checkpoints, passphrases and sealed keys come along, and both sides verify', async () => {
    const to = await target()
    const report = await copyLedger({ from: source, to })
    const signed = await signatures(source)
    expect(signed.length).toBeGreaterThan(13)
    expect(report).toMatchObject({
      ledger_id: ledgerId, entries: 13, credentials: 3, signatures: signed.length, checkpoints: 2, sealed_keys: 3,
      source: { ok: true, signatures: { verified: signed.length } }, target: { ok: true, entries: 13, signatures: { verified: signed.length } },
    })
    expect(report.target.checkpoints?.map((c) => [c.status, c.size, c.signed_by])).toEqual([['ok', 12, ['pic']], ['ok', 13, ['pic', 'doc']]])
    expect(await rows(to)).toEqual(await rows(source))
    expect(await signatures(to)).toEqual(signed)
    expect(await checkpoints(to)).toEqual(await checkpoints(source))
    expect(await to.projectionRows()).toEqual(await source.projectionRows())
    for (const user of ['pic', 'nurse', 'doc']) {
      expect((await to.credential(user))?.sealed_key).toMatch(/^sealed-ed25519-v1\$/)
      expect(await to.credential(user)).toEqual(await source.credential(user))
    }
    for (const seq of [0, 6, 9, 13]) expect(await to.projectionsAt('stock', seq)).toEqual(await source.projectionsAt('stock', seq))

    // The clinic carries on on the server: same users, same passphrases and keys; the chain continues, signed.
    const { ledger } = ledgerOn(to, fixedClock('2026-03-03T09:00:00.000Z'), { signing: true })
    const nurse = await ledger.authenticate('nurse', PASS)
    expect(nurse.signingKey).toBeDefined()
    const next = await ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
    expect(next.stored.entry).toMatchObject({ seq: report.head.seq + 1, prev_hash: report.head.hash })
    const after = await verifyLedger(to)
    expect(after.findings).toEqual([])
    expect(after.signatures?.verified).toBe(signed.length + 1)
  })

  it('given a ledger written before signing existed, when it is copied, then it copies as before, with no signatures, checkpoints or sealed keys', async () => {
    const legacyFile = join(dir, 'legacy.db')
    const legacy = await openSqliteStore(legacyFile, { create: true })
    try {
      const id = randomUUID()
      await runClinicDay(await initClinic(legacy, id))
      const to = await target(id)
      const report = await copyLedger({ from: legacy, to })
      expect(report).toMatchObject({ entries: 12, credentials: 3, signatures: 0, checkpoints: 0, sealed_keys: 0, target: { ok: true } })
      expect(report.target.signatures).toBeUndefined()
      expect(await to.credential('nurse')).toEqual(await legacy.credential('nurse'))
      expect((await to.credential('nurse'))?.sealed_key).toBeUndefined()
    } finally {
      await legacy.close()
    }
  })

  it('given a signed source and a target that cannot keep signatures, when copying, then it is refused with CANNOT_SIGN before anything is written', async () => {
    const to = await target()
    await expect(copyLedger({ from: source, to: withoutSigning(to) })).rejects.toMatchObject({ code: 'CANNOT_SIGN', message: expect.stringMatching(/entry signatures.*nothing was copied/) })
    expect(await to.read().head()).toBeNull()
  })

  it('given a source whose stored signature was replaced (the file edited with its guards dropped), when copying, then it fails verification and nothing is copied', async () => {
    const db = new Database(sqliteFile)
    db.exec('DROP TRIGGER entry_signature_no_update')
    db.prepare("UPDATE entry_signature SET signature = (SELECT signature FROM entry_signature WHERE seq = 8 AND role = 'actor') WHERE seq = 9 AND role = 'actor'").run()
    db.close()
    const to = await target()
    await expect(copyLedger({ from: source, to })).rejects.toMatchObject({ code: 'SOURCE_INVALID', message: expect.stringMatching(/signature on entry 9/) })
    expect(await to.read().head()).toBeNull()
    expect(await signatures(to)).toEqual([])
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

  it('given a ledger on PostgreSQL, when it is copied back to a new SQLite file, then the rows, signatures, checkpoints and sealed keys are identical there too', async () => {
    const onServer = await target()
    await copyLedger({ from: source, to: onServer })
    const back = await openSqliteStore(join(dir, 'back.db'), { create: true })
    try {
      const report = await copyLedger({ from: onServer, to: back })
      expect(report).toMatchObject({ checkpoints: 2, sealed_keys: 3, target: { ok: true } })
      expect(await rows(back)).toEqual(await rows(source))
      expect(await signatures(back)).toEqual(await signatures(source))
      expect(await checkpoints(back)).toEqual(await checkpoints(source))
      for (const user of ['pic', 'nurse', 'doc']) expect(await back.credential(user)).toEqual(await source.credential(user))
    } finally {
      await back.close()
    }
  })
})
