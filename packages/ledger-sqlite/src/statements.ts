import type BetterSqlite3 from 'better-sqlite3'

/**
 * The prepared statements of the SQLite store, in one place. The write path runs them
 * synchronously through better-sqlite3 (see docs/adr/0003-sqlite-write-path.md): an append is a
 * handful of sub-millisecond statements inside BEGIN IMMEDIATE, with no promise hops in between.
 */
/**
 * The open containers, through the partial index of migration 0005. Named with INDEXED BY: without
 * statistics SQLite's planner prefers the primary key (kind, key) and would read every emptied
 * container too (~200 ms at 1M entries).
 */
export const OPEN_CONTAINERS_SQL =
  "SELECT value FROM projection INDEXED BY projection_open_container WHERE kind = 'container' AND json_extract(value, '$.status') = 'open' ORDER BY key"

export function prepareStatements(db: BetterSqlite3.Database) {
  return {
    head: db.prepare<[], { seq: number; hash: string; ledger_id: string }>('SELECT seq, hash, ledger_id FROM ledger_entry ORDER BY seq DESC LIMIT 1'),
    entryBySeq: db.prepare<[number], { canonical: string; hash: string }>('SELECT canonical, hash FROM ledger_entry WHERE seq = ?'),
    entryByRequest: db.prepare<[string], { canonical: string; hash: string }>('SELECT canonical, hash FROM ledger_entry WHERE request_id = ?'),
    insertEntry: db.prepare(
      'INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    getProjection: db.prepare<[string, string], { value: string }>('SELECT value FROM projection WHERE kind = ? AND key = ?'),
    listProjection: db.prepare<[string], { value: string }>('SELECT value FROM projection WHERE kind = ? ORDER BY key'),
    listOpenContainers: db.prepare<[], { value: string }>(OPEN_CONTAINERS_SQL),
    // As of seq N: a container last written at or before N is as it is now (open ones through the
    // index); one written since is as its history stood at N (absent if opened after N).
    openContainersUnchangedSince: db.prepare<[number], { value: string }>(OPEN_CONTAINERS_SQL.replace(' ORDER BY key', ' AND seq <= ? ORDER BY key')),
    openContainersChangedSince: db.prepare<[number, number], { value: string }>(
      `SELECT value FROM (SELECT p.key, (SELECT h.value FROM projection_history h WHERE h.kind = p.kind AND h.key = p.key AND h.seq <= ? ORDER BY h.seq DESC LIMIT 1) AS value
         FROM projection p WHERE p.kind = 'container' AND p.seq > ?)
       WHERE value IS NOT NULL AND json_extract(value, '$.status') = 'open' ORDER BY key`,
    ),
    upsertProjection: db.prepare(
      'INSERT INTO projection (kind, key, seq, value) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET seq = excluded.seq, value = excluded.value',
    ),
    insertHistory: db.prepare('INSERT INTO projection_history (kind, key, seq, value) VALUES (?, ?, ?, ?)'),
    projectionsAt: db.prepare<[number, string], { value: string | null }>(
      `SELECT (SELECT h.value FROM projection_history h WHERE h.kind = p.kind AND h.key = p.key AND h.seq <= ? ORDER BY h.seq DESC LIMIT 1) AS value
       FROM projection p WHERE p.kind = ? ORDER BY p.key`,
    ),
    allProjections: db.prepare<[], { kind: string; key: string; value: string }>('SELECT kind, key, value FROM projection ORDER BY kind, key'),
    seqAtTime: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM ledger_entry WHERE recorded_at <= ?'),
    credential: db.prepare<[string], { username: string; passphrase_hash: string; updated_at: string; sealed_key: string | null }>('SELECT username, passphrase_hash, updated_at, sealed_key FROM credential WHERE username = ?'),
    putCredential: db.prepare(
      'INSERT INTO credential (username, passphrase_hash, updated_at, sealed_key) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET passphrase_hash = excluded.passphrase_hash, updated_at = excluded.updated_at, sealed_key = excluded.sealed_key',
    ),
    insertSignature: db.prepare('INSERT INTO entry_signature (seq, role, signer, signature) VALUES (?, ?, ?, ?)'),
    insertCheckpoint: db.prepare('INSERT INTO checkpoint (size, root, note, created_at) VALUES (?, ?, ?, ?)'),
  }
}
export type Statements = ReturnType<typeof prepareStatements>
