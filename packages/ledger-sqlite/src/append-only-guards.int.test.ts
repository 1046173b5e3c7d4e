import { copyFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConflictError, type Entry, type StoredEntry, hashEntry } from '@csledger/ledger-core'
import { type SampleLedger, buildSampleLedger } from '../../../test/support/build-sample-ledger.ts'
import { makeTempDir } from '../../../test/support/make-temp-dir.ts'
import { openSqliteStore } from './open-sqlite-store.ts'
import type { SqliteLedgerStore } from './sqlite-ledger-store.ts'

// The database guards of migration 0002 and UNIQUE(prev_hash), exercised on a real ledger file
// written by the library: they must refuse what the library would never write.

const tmp = makeTempDir('guards')
let base: string
let sample: SampleLedger
let n = 0
let store: SqliteLedgerStore

beforeAll(async () => {
  base = tmp.file('base.db')
  sample = await buildSampleLedger(base)
})
afterAll(() => tmp.remove())
beforeEach(async () => {
  const file = tmp.file(`case-${++n}.db`)
  copyFileSync(base, file)
  store = await openSqliteStore(file)
})
afterEach(async () => { await store.close() })

type Row = { seq: number; hash: string; prev_hash: string; actor: string; canonical: string }
const rows = (): Row[] => store.database.prepare('SELECT seq, hash, prev_hash, actor, canonical FROM ledger_entry ORDER BY seq').all() as Row[]

/** The error a statement throws (fails the test if it does not throw). */
function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (err) {
    return err as { code: string; message: string }
  }
  throw new Error('expected the statement to be refused')
}

/** An entry that would be the valid next one (a new location), with `patch` applied, hashed. */
async function nextEntry(patch: Partial<Record<keyof Entry, unknown>> = {}): Promise<StoredEntry> {
  const head = (await store.read().head())!
  const entry = {
    kind: 'location', occurred_at: '2026-11-03T09:00:00.000Z', actor: 'pic', data: { code: 'FRIDGE-3', name: 'Fridge' },
    format: 1, ledger_id: head.ledger_id, seq: head.seq + 1, prev_hash: head.hash, recorded_at: '2026-11-03T09:00:00.000Z',
    ...patch,
  } as Entry
  return { entry, ...hashEntry(entry) }
}

/** Inserts through the store's own write path, then rolls back: only whether the insert passes matters. */
async function tryInsert(stored: StoredEntry): Promise<unknown> {
  const rolledBack = new Error('rolled back on purpose')
  try {
    await store.writeTransaction(async (tx) => { await tx.insertEntry(stored); throw rolledBack })
  } catch (err) {
    return err === rolledBack ? undefined : err
  }
  throw new Error('unreachable')
}

describe('append-only triggers on ledger_entry', () => {
  it('given a stored entry, when it is UPDATEd, then the trigger aborts and the row is unchanged', () => {
    const before = rows()
    const err = errorOf(() => store.database.prepare("UPDATE ledger_entry SET actor = 'eve' WHERE seq = ?").run(sample.seqs.dose))
    expect(err.code).toBe('SQLITE_CONSTRAINT_TRIGGER')
    expect(err.message).toBe('ledger_entry is append-only')
    expect(rows()).toEqual(before)
  })

  it('given stored entries, when one is DELETEd (or all are), then the trigger aborts and every row is kept', () => {
    const before = rows()
    for (const sql of [`DELETE FROM ledger_entry WHERE seq = ${sample.seqs.dose}`, 'DELETE FROM ledger_entry']) {
      const err = errorOf(() => store.database.exec(sql))
      expect(err.code).toBe('SQLITE_CONSTRAINT_TRIGGER')
      expect(err.message).toBe('ledger_entry is append-only')
    }
    expect(rows()).toEqual(before)
  })

  it('given stored entries, when an upsert that continues the chain collides with an old entry\'s hash (ON CONFLICT DO UPDATE), then a trigger aborts it', () => {
    const before = rows()
    const head = before.at(-1)!
    const err = errorOf(() => store.database.exec(
      `INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical)
       SELECT ${head.seq + 1}, ledger_id, '${head.hash}', hash, kind, recorded_at, occurred_at, actor, request_id, canonical FROM ledger_entry WHERE seq = 3
       ON CONFLICT (hash) DO UPDATE SET actor = 'eve'`,
    ))
    // The continuity trigger (migration 0003) refuses the colliding insert before the upsert's
    // update branch runs; without it the update trigger would.
    expect(err.code).toBe('SQLITE_CONSTRAINT_TRIGGER')
    expect(err.message).toMatch(/^ledger_entry (is append-only|continuity)/)
    expect(rows()).toEqual(before)
  })

  // INSERT OR REPLACE resolves a UNIQUE conflict by deleting the old row, and SQLite does not fire
  // DELETE triggers for REPLACE deletions; migration 0003 makes the continuity trigger refuse any
  // insert that collides with a stored entry.
  it('given stored entries, when INSERT OR REPLACE reuses a middle entry\'s hash, then no entry is deleted', () => {
    const before = rows()
    const head = before.at(-1)!
    try {
      store.database.exec(`INSERT OR REPLACE INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical)
        SELECT ${head.seq + 1}, ledger_id, '${head.hash}', hash, kind, recorded_at, occurred_at, actor, request_id, canonical FROM ledger_entry WHERE seq = 5`)
    } catch {
      // refused: what the guard should do
    }
    expect(rows().map((r) => r.seq)).toEqual(before.map((r) => r.seq))
  })
})

describe('continuity trigger', () => {
  it('given the valid next entry, when inserted, then it is accepted (control for the refusals below)', async () => {
    expect(await tryInsert(await nextEntry())).toBeUndefined()
  })

  it.each([
    ['a gap (seq skips one)', async () => nextEntry({ seq: sample.head.seq + 2 })],
    ['a repeated seq', async () => nextEntry({ seq: sample.head.seq })],
    ['a stale prev_hash (the hash of the entry before the head)', async () => nextEntry({ prev_hash: rows().at(-2)!.hash })],
    ['a second genesis (prev_hash of 64 zeros)', async () => nextEntry({ prev_hash: '0'.repeat(64) })],
    ['a foreign ledger_id', async () => nextEntry({ ledger_id: crypto.randomUUID() })],
  ])('given %s, when inserted through the store, then the trigger refuses it as APPEND_REJECTED', async (_what, make) => {
    const before = rows()
    const err = await tryInsert(await make())
    expect(err).toBeInstanceOf(ConflictError)
    expect((err as ConflictError).code).toBe('APPEND_REJECTED')
    const cause = (err as ConflictError).cause as { code: string; message: string }
    expect(cause.code).toBe('SQLITE_CONSTRAINT_TRIGGER')
    expect(cause.message).toMatch(/^ledger_entry continuity/)
    expect(rows()).toEqual(before)
  })
})

describe('UNIQUE(prev_hash)', () => {
  it('given the continuity trigger is gone, when a fork of the head is inserted (same prev_hash as the head), then UNIQUE(prev_hash) refuses it', async () => {
    store.database.exec('DROP TRIGGER ledger_entry_continuity')
    const before = rows()
    const fork = await nextEntry({ prev_hash: before.at(-1)!.prev_hash })
    const err = await tryInsert(fork)
    expect(err).toBeInstanceOf(ConflictError)
    const cause = (err as ConflictError).cause as { code: string; message: string }
    expect(cause.code).toBe('SQLITE_CONSTRAINT_UNIQUE')
    expect(cause.message).toBe('UNIQUE constraint failed: ledger_entry.prev_hash')
    expect(rows()).toEqual(before)
  })

  it('given the continuity trigger is gone, when a second genesis is inserted, then UNIQUE(prev_hash) refuses it', async () => {
    store.database.exec('DROP TRIGGER ledger_entry_continuity')
    const err = await tryInsert(await nextEntry({ prev_hash: '0'.repeat(64) }))
    expect(((err as ConflictError).cause as { message: string }).message).toBe('UNIQUE constraint failed: ledger_entry.prev_hash')
  })
})
