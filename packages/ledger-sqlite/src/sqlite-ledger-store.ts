import { AsyncLocalStorage } from 'node:async_hooks'
import type BetterSqlite3 from 'better-sqlite3'
import {
  type ChainHead, type CredentialRecord, type Entry, type EntryRow, type LedgerStore, type ProjectionKind, type Projections,
  type ReadView, type StoredEntry, type WriteTransaction, canonicalJson,
} from '@csledger/ledger-core'
import { mapSqliteError } from './sqlite-errors.ts'
import { type Statements, prepareStatements } from './statements.ts'

/**
 * LedgerStore on one SQLite file. Every write runs in BEGIN IMMEDIATE (the file's write lock,
 * waited for up to the busy timeout), so concurrent processes queue rather than fork the chain;
 * the triggers and UNIQUE(prev_hash) refuse anything that slips past. Within one process,
 * writes are serialised by a promise chain.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly #db: BetterSqlite3.Database
  readonly #file: string
  readonly #st: Statements
  #queue: Promise<unknown> = Promise.resolve()
  readonly #inBatch = new AsyncLocalStorage<{ savepoints: number }>()

  constructor(db: BetterSqlite3.Database, file: string) {
    this.#db = db
    this.#file = file
    this.#st = prepareStatements(db)
  }

  /** The underlying better-sqlite3 handle (backups, tests). */
  get database(): BetterSqlite3.Database { return this.#db }
  get file(): string { return this.#file }

  writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    const batch = this.#inBatch.getStore()
    if (batch) return this.#runSavepoint(batch, fn)
    const run = this.#queue.then(() => this.#runWrite(fn))
    this.#queue = run.catch(() => undefined)
    return run
  }

  /**
   * Runs many appends in one BEGIN IMMEDIATE transaction (one fsync at the end): each append
   * inside runs in its own SAVEPOINT, so a refused entry rolls back alone. For bulk loads and
   * imports; a clinical write commits on its own.
   */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.writeTransaction(() => this.#inBatch.run({ savepoints: 0 }, fn))
  }

  async #runSavepoint<T>(batch: { savepoints: number }, fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    const name = `append_${++batch.savepoints}`
    this.#db.exec(`SAVEPOINT ${name}`)
    try {
      const result = await fn(this.#writer())
      this.#db.exec(`RELEASE ${name}`)
      return result
    } catch (err) {
      this.#db.exec(`ROLLBACK TO ${name}`)
      this.#db.exec(`RELEASE ${name}`)
      throw mapSqliteError(err, this.#file)
    }
  }

  async #runWrite<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    try {
      this.#db.exec('BEGIN IMMEDIATE')
    } catch (err) {
      throw mapSqliteError(err, this.#file)
    }
    try {
      const result = await fn(this.#writer())
      this.#db.exec('COMMIT')
      return result
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      throw mapSqliteError(err, this.#file)
    }
  }

  #writer(): WriteTransaction {
    const st = this.#st
    const read = this.#reader()
    const tx: WriteTransaction = {
      ...read,
      entryByRequestId: async (id) => {
        const r = st.entryByRequest.get(id)
        return r ? { entry: JSON.parse(r.canonical) as Entry, canonical: r.canonical, hash: r.hash } : undefined
      },
      insertEntry: async (s: StoredEntry) => {
        const e = s.entry
        st.insertEntry.run(e.seq, e.ledger_id, e.prev_hash, s.hash, e.kind, e.recorded_at, e.occurred_at, e.actor, e.request_id ?? null, s.canonical)
      },
      putProjections: async (seq, changes) => {
        for (const c of changes) {
          const value = canonicalJson(c.value)
          st.upsertProjection.run(c.kind, c.key, seq, value)
          st.insertHistory.run(c.kind, c.key, seq, value)
        }
      },
      putCredential: async (c: CredentialRecord) => { st.putCredential.run(c.username, c.passphrase_hash, c.updated_at) },
    }
    return tx
  }

  read(): ReadView { return this.#reader() }

  #reader(): ReadView {
    const st = this.#st
    return {
      get: async <K extends ProjectionKind>(kind: K, key: string) => {
        const r = st.getProjection.get(kind, key)
        return r ? (JSON.parse(r.value) as Projections[K]) : undefined
      },
      list: async <K extends ProjectionKind>(kind: K) => st.listProjection.all(kind).map((r) => JSON.parse(r.value) as Projections[K]),
      head: async (): Promise<ChainHead | null> => st.head.get() ?? null,
      entry: async (seq: number) => {
        const r = st.entryBySeq.get(seq)
        return r ? (JSON.parse(r.canonical) as Entry) : undefined
      },
    }
  }

  async *entryRows(range: { fromSeq?: number; toSeq?: number } = {}): AsyncIterable<EntryRow> {
    const from = range.fromSeq ?? 1
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER
    // Read in pages so no statement stays open across a yield (other statements may run meanwhile).
    const page = 2000
    let next = from
    while (next <= to) {
      const rows = this.#db.prepare<[number, number, number], EntryRow>(
        'SELECT seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical FROM ledger_entry WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?',
      ).all(next, to, page)
      if (rows.length === 0) return
      for (const r of rows) yield r
      next = rows.at(-1)!.seq + 1
    }
  }

  async projectionRows(): Promise<Array<{ kind: ProjectionKind; key: string; value: string }>> {
    return this.#st.allProjections.all() as Array<{ kind: ProjectionKind; key: string; value: string }>
  }

  async projectionsAt<K extends ProjectionKind>(kind: K, seq: number): Promise<ReadonlyArray<Projections[K]>> {
    return this.#st.projectionsAt.all(seq, kind).flatMap((r) => (r.value === null ? [] : [JSON.parse(r.value) as Projections[K]]))
  }

  async seqAtTime(iso: string): Promise<number> {
    return this.#st.seqAtTime.get(iso)?.seq ?? 0
  }

  async credential(username: string): Promise<CredentialRecord | undefined> {
    return this.#st.credential.get(username)
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close()
  }
}
