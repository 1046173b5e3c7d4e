import { copyFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Entry, type ExpectedHead, type VerifyReport, Ledger, canonicalJson, hashCanonical, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { type SampleLedger, buildSampleLedger } from '../support/build-sample-ledger.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { DROP_GUARD_TRIGGERS_SQL, runSqliteShell, sqlText } from '../support/run-sqlite-shell.ts'

// A real ledger file written by the library, its head exported, then edited behind csledger's back
// by the sqlite3 shell in another process (after dropping the triggers, as a tamperer would).
// Each tampering must be found by verifyLedger, and the first finding must say what and where.

const tmp = makeTempDir('tamper')
let base: string
let sample: SampleLedger
let exported: ExpectedHead
let n = 0
/** The middle entry most tamperings aim at: the first dose (an administration). */
let M: number

beforeAll(async () => {
  base = tmp.file('base.db')
  sample = await buildSampleLedger(base)
  exported = { seq: sample.head.seq, hash: sample.head.hash }
  M = sample.seqs.dose
})
afterAll(() => tmp.remove())

/** A fresh copy of the untampered ledger. */
function copyOfLedger(): string {
  const file = tmp.file(`case-${++n}.db`)
  copyFileSync(base, file)
  return file
}

/** Edits the copy with the sqlite3 shell after dropping the append-only triggers. */
function tamper(file: string, sql: string): void {
  runSqliteShell(file, `${DROP_GUARD_TRIGGERS_SQL}\n${sql}`)
}

/** Verifies the file through the library, read-only. */
async function verifyFile(file: string, expectedHead?: ExpectedHead): Promise<VerifyReport> {
  const store = await openSqliteStore(file, { readonly: true })
  try {
    return await verifyLedger(store, expectedHead ? { expectedHead } : {})
  } finally {
    await store.close()
  }
}

type Row = { seq: number; hash: string; prev_hash: string; canonical: string }
function readRow(file: string, seq: number): Row {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT seq, hash, prev_hash, canonical FROM ledger_entry WHERE seq = ?').get(seq) as Row
  } finally {
    db.close()
  }
}

function expectFirstFinding(report: VerifyReport, code: string, seq: number | null): void {
  expect(report.ok).toBe(false)
  expect(report.findings[0], report.findings.map((f) => `${f.code}@${String(f.seq)}: ${f.message}`).join('\n')).toMatchObject({ code, seq })
  if (seq !== null) expect(report.findings[0]!.message).toContain(String(seq))
}

describe('the untampered ledger', () => {
  it('given the file as the library wrote it, when verified with and without the exported head, then it is ok', async () => {
    const file = copyOfLedger()
    expect(await verifyFile(file)).toMatchObject({ ok: true, entries: exported.seq, head: exported, findings: [] })
    expect((await verifyFile(file, exported)).ok).toBe(true)
  })

  it('given the triggers in place, when another process (the sqlite3 shell) tries to edit an entry, then the database refuses', () => {
    const file = copyOfLedger()
    const r = runSqliteShell(file, `UPDATE ledger_entry SET actor = 'eve' WHERE seq = ${M};`, { allowFailure: true })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('ledger_entry is append-only')
  })
})

describe('tampering with the entries', () => {
  it('(a) given one field inside `canonical` edited without fixing the hash, then HASH_MISMATCH names that entry', async () => {
    const file = copyOfLedger()
    tamper(file, `UPDATE ledger_entry SET canonical = replace(canonical, '"patient":"P-1042"', '"patient":"P-1043"') WHERE seq = ${M};`)
    expect(readRow(file, M).canonical).toContain('"patient":"P-1043"')
    expectFirstFinding(await verifyFile(file), 'HASH_MISMATCH', M)
  })

  it('(b) given a field edited and that entry\'s hash recomputed, then only the link to the next entry breaks: PREV_MISMATCH names the next entry', async () => {
    const file = copyOfLedger()
    const canonical = readRow(file, M).canonical.replace('"given_mg":"35"', '"given_mg":"25"')
    expect(canonicalJson(JSON.parse(canonical))).toBe(canonical) // still canonical: only the value moved
    tamper(file, `UPDATE ledger_entry SET canonical = ${sqlText(canonical)}, hash = '${hashCanonical(canonical)}' WHERE seq = ${M};`)
    const report = await verifyFile(file)
    expectFirstFinding(report, 'PREV_MISMATCH', M + 1)
    expect(report.findings.filter((f) => f.seq === M)).toEqual([]) // the edited entry is self-consistent
  })

  it.each([
    ['actor', "'nina'"],
    ['kind', "'waste'"],
    ['occurred_at', "'2026-11-01T08:00:00.000Z'"],
    ['recorded_at', "'2026-11-01T08:00:00.000Z'"],
    ['request_id', "'forged-request'"],
  ])('(c) given only the indexed column %s edited, then COLUMN_MISMATCH names that entry', async (column, value) => {
    const file = copyOfLedger()
    tamper(file, `UPDATE ledger_entry SET ${column} = ${value} WHERE seq = ${M};`)
    const report = await verifyFile(file)
    expectFirstFinding(report, 'COLUMN_MISMATCH', M)
    expect(report.findings[0]!.message).toContain(column)
  })

  it('(d) given a middle row deleted, then SEQ_GAP names the missing seq', async () => {
    const file = copyOfLedger()
    tamper(file, `DELETE FROM ledger_entry WHERE seq = ${M};`)
    const report = await verifyFile(file)
    expectFirstFinding(report, 'SEQ_GAP', M)
    expect(report.findings[0]!.message).toContain('missing')
  })

  describe('(e) a forged entry inserted in the middle', () => {
    /** A forged administration for seq M that links correctly to entry M-1. */
    function forge(file: string): { canonical: string; hash: string; entry: Entry } {
      const original = JSON.parse(readRow(file, M).canonical) as Entry<'administration'>
      const entry = { ...original, seq: M, prev_hash: readRow(file, M - 1).hash, data: { ...original.data, patient: 'P-7777' } } as Entry
      const canonical = canonicalJson(entry)
      return { entry, canonical, hash: hashCanonical(canonical) }
    }
    const renumberTail = () => `UPDATE ledger_entry SET seq = seq + 1000000 WHERE seq >= ${M};\nUPDATE ledger_entry SET seq = seq - 999999 WHERE seq >= 1000000;`
    const insert = (f: { canonical: string; hash: string; entry: Entry }) =>
      `INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (${M}, '${f.entry.ledger_id}', '${f.entry.prev_hash}', '${f.hash}', '${f.entry.kind}', '${f.entry.recorded_at}', '${f.entry.occurred_at}', '${f.entry.actor}', NULL, ${sqlText(f.canonical)});`

    it('given the tail renumbered and a forged entry linked to its predecessor, when inserted as is, then UNIQUE(prev_hash) refuses it even with the triggers dropped', () => {
      const file = copyOfLedger()
      const r = runSqliteShell(file, `${DROP_GUARD_TRIGGERS_SQL}\n${renumberTail()}\n${insert(forge(file))}`, { allowFailure: true })
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain('UNIQUE constraint failed: ledger_entry.prev_hash')
    })

    it('given the tail renumbered, the displaced row\'s prev_hash column pointed at the forgery and the forged entry inserted, then REORDERED names the row after the forgery', async () => {
      const file = copyOfLedger()
      const forged = forge(file)
      tamper(file, `${renumberTail()}\nUPDATE ledger_entry SET prev_hash = '${forged.hash}' WHERE seq = ${M + 1};\n${insert(forged)}`)
      expect(readRow(file, M).hash).toBe(forged.hash)
      const report = await verifyFile(file)
      expectFirstFinding(report, 'REORDERED', M + 1)
      expect(report.findings[0]!.message).toContain('inserted')
      expect(report.findings.filter((f) => f.seq === M)).toEqual([]) // the forgery itself is well-formed
    })
  })

  it('(f) given two rows\' contents swapped, then REORDERED names the first of them', async () => {
    const file = copyOfLedger()
    const other = sample.seqs.voidedDose
    tamper(file, [
      `CREATE TEMP TABLE swap AS SELECT * FROM ledger_entry WHERE seq IN (${M}, ${other});`,
      `DELETE FROM ledger_entry WHERE seq IN (${M}, ${other});`,
      `INSERT INTO ledger_entry SELECT CASE seq WHEN ${M} THEN ${other} ELSE ${M} END, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical FROM swap;`,
    ].join('\n'))
    expect(JSON.parse(readRow(file, M).canonical).seq).toBe(other)
    expectFirstFinding(await verifyFile(file), 'REORDERED', M)
  })

  describe('(g) the tail truncated (last 3 rows deleted)', () => {
    const truncate = () => `DELETE FROM ledger_entry WHERE seq > ${exported.seq - 3};`
    // What a careful tamperer adds: the projections and their history rolled back to the new tip.
    const rollBackProjections = () => [
      `DELETE FROM projection_history WHERE seq > ${exported.seq - 3};`,
      'DELETE FROM projection;',
      'INSERT INTO projection (kind, key, seq, value) SELECT kind, key, seq, value FROM projection_history h WHERE seq = (SELECT max(seq) FROM projection_history WHERE kind = h.kind AND key = h.key);',
    ].join('\n')

    it('given only the rows deleted, then the stale projections give it away even without a head, and the exported head names the first missing seq', async () => {
      const file = copyOfLedger()
      tamper(file, truncate())
      expectFirstFinding(await verifyFile(file), 'PROJECTION_MISMATCH', null)
      expectFirstFinding(await verifyFile(file, exported), 'TRUNCATED', exported.seq - 2)
    })

    it('given the rows deleted and the projections rolled back to match, then only the previously exported head reveals it: TRUNCATED names the first missing seq', async () => {
      const file = copyOfLedger()
      tamper(file, `${truncate()}\n${rollBackProjections()}`)
      // A consistent truncation is a valid shorter ledger: without an anchor kept elsewhere, nothing can tell.
      expect(await verifyFile(file)).toMatchObject({ ok: true, entries: exported.seq - 3 })
      const report = await verifyFile(file, exported)
      expectFirstFinding(report, 'TRUNCATED', exported.seq - 2)
      expect(report.findings[0]!.message).toContain(`entries ${exported.seq - 2}-${exported.seq} were removed`)
    })
  })
})

describe('tampering with the projections', () => {
  it('(h) given a projection value edited (sealed stock 2 -> 3), then PROJECTION_MISMATCH names the projection, with the value the entries give and the value found', async () => {
    const file = copyOfLedger()
    tamper(file, `UPDATE projection SET value = replace(value, '"sealed":2', '"sealed":3') WHERE kind = 'stock' AND key = 'SAFE-1|KET-50|K2417A';`)
    const report = await verifyFile(file)
    expectFirstFinding(report, 'PROJECTION_MISMATCH', null)
    expect(report.findings[0]).toMatchObject({ message: expect.stringContaining('stock SAFE-1|KET-50|K2417A'), expected: expect.stringContaining('"sealed":2'), found: expect.stringContaining('"sealed":3') })
    expect(report.findings).toHaveLength(1)
  })

  const editHistory = (file: string) =>
    tamper(file, `UPDATE projection_history SET value = replace(value, '"sealed":3', '"sealed":30') WHERE kind = 'stock' AND key = 'SAFE-1|KET-50|K2417A' AND seq = ${sample.seqs.transfer};`)

  it('given a projection_history row edited, when a balance is asked as of that seq, then it reports the edited figure (so the history needs checking too)', async () => {
    const file = copyOfLedger()
    editHistory(file)
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const { rows } = await new Ledger({ store }).balance({ asOf: sample.seqs.transfer })
      expect(rows.find((r) => r.location === 'SAFE-1' && r.product === 'KET-50')?.sealed).toBe(30)
    } finally {
      await store.close()
    }
  })

  // BUG (packages/ledger-core/src/verify-ledger.ts:45): verify compares the current projections
  // with a rebuild but never the projection_history rows behind `balance --as-of`, so an edited
  // history row passes verification while past balances are falsified. See the report.
  it('given a projection_history row edited, when verified, then it is not ok', async () => {
    const file = copyOfLedger()
    editHistory(file)
    expect((await verifyFile(file)).ok).toBe(false)
  })
})
