import { AsyncLocalStorage } from 'node:async_hooks'
import BetterSqlite3 from 'better-sqlite3'
import {
  type ChainHead, type ContainerState, type CredentialRecord, type Entry, type EntryRow, type LedgerStore, type ProjectionKind, type Projections,
  type ReadView, type StoredEntry, type WriteTransaction, type Finding, type EntrySignature, type CheckpointRecord, ConflictError, GENESIS_PREV_HASH, canonicalJson,
} from '@csledger/ledger-core'
import { mapSqliteError } from './sqlite-errors.ts'
import { type Statements, prepareStatements } from './statements.ts'
import { PENDING_LIMIT, TxState, deepFreeze, writeQueued } from './write-queue.ts'

/**
 * LedgerStore on one SQLite file. Every write runs in BEGIN IMMEDIATE (the file's write lock,
 * waited for up to the busy timeout), so concurrent processes queue rather than fork the chain;
 * the triggers and UNIQUE(prev_hash) refuse anything that slips past. Within one process,
 * writes are serialised by a promise chain. Inside a write, the rows of the entries and their
 * projections are queued and reach SQLite together, before the commit or any read that could
 * see them (see {@link TxState}).
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly #db: BetterSqlite3.Database
  readonly #file: string
  readonly #st: Statements
  #queue: Promise<unknown> = Promise.resolve()
  readonly #inBatch = new AsyncLocalStorage<{ failed: unknown }>()
  readonly #readPath: string | null
  #readDb: { db: BetterSqlite3.Database; st: Statements } | null = null
  /** The open write transaction's handle and what it has read or written (see {@link TxState}); null outside one. */
  #tx: { handle: WriteTransaction; state: TxState } | null = null

  /**
   * @param readPath when given, reads outside a write go through a second, read-only connection
   *   on this file, so they see committed entries only (never another caller's open batch).
   */
  constructor(db: BetterSqlite3.Database, file: string, readPath: string | null = null) {
    this.#db = db
    this.#file = file
    this.#st = prepareStatements(db)
    this.#readPath = readPath
  }

  /**
   * The underlying better-sqlite3 handle (backups, tests). Inside a write transaction, what it has
   * written so far is handed to SQLite first, so SQL on this handle sees it.
   */
  get database(): BetterSqlite3.Database {
    this.#writePending()
    return this.#db
  }
  get file(): string { return this.#file }

  writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    const batch = this.#inBatch.getStore()
    if (batch) return this.#runInBatch(batch, fn)
    const run = this.#queue.then(() => this.#runWrite(fn))
    this.#queue = run.catch(() => undefined)
    return run
  }

  /**
   * Runs many appends in one BEGIN IMMEDIATE transaction: one durable commit at the end. All or
   * nothing: if any append inside fails, the batch is poisoned (later appends are refused, even if
   * the caller caught the error) and everything rolls back. For bulk loads, imports and
   * benchmarks; a clinical write commits on its own. (A SAVEPOINT per append would let one fail
   * alone, but costs ~80 µs per append, more than the insert itself.)
   */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.writeTransaction(async () => {
      const state = { failed: undefined as unknown }
      const result = await this.#inBatch.run(state, fn)
      if (state.failed !== undefined) throw state.failed
      return result
    })
  }

  async #runInBatch<T>(batch: { failed: unknown }, fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    if (batch.failed !== undefined) throw new ConflictError('BATCH_ABORTED', 'an earlier append in this batch failed; the whole batch will roll back', { hint: 'fix the failing entry and run the batch again' })
    try {
      return await fn(this.#tx!.handle)
    } catch (err) {
      batch.failed = mapSqliteError(err, this.#file)
      throw batch.failed
    }
  }

  async #runWrite<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    try {
      this.#db.exec('BEGIN IMMEDIATE')
    } catch (err) {
      throw mapSqliteError(err, this.#file)
    }
    const state = new TxState()
    this.#tx = { handle: this.#writer(state), state }
    try {
      const result = await fn(this.#tx.handle)
      this.#writePending()
      if (state.failed !== undefined) throw state.failed
      this.#db.exec('COMMIT')
      return result
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
      throw mapSqliteError(err, this.#file)
    } finally {
      // Whatever was cached described this transaction only: the next one reads afresh.
      this.#tx = null
    }
  }

  /**
   * The handle of one write transaction. Reads are served from `state` where it knows the answer;
   * writes to the chain and the projections are queued in `state` and handed to SQLite together
   * (see {@link TxState}): before the commit, before any SQL read that could see them, and every
   * {@link PENDING_LIMIT} entries.
   */
  #writer(state: TxState): WriteTransaction {
    const st = this.#st
    const g = <T>(fn: () => T) => this.#guard(fn)
    const read = this.#reader(st)
    // A handle used after its transaction ended writes straight through, as it always did.
    const queueing = () => this.#tx?.state === state
    const head = async (): Promise<ChainHead | null> => {
      if (state.head === undefined) state.head = g(() => st.head.get()) ?? null
      return state.head === null ? null : { ...state.head }
    }
    return {
      ...read,
      get: async <K extends ProjectionKind>(kind: K, key: string) => {
        const id = `${kind}\u0000${key}`
        let cached = state.projections.get(id)
        if (cached === undefined) {
          cached = { text: g(() => st.getProjection.get(kind, key))?.value ?? null }
          state.projections.set(id, cached)
        }
        if (cached.text === null) return undefined
        return (cached.value ??= deepFreeze(JSON.parse(cached.text))) as Projections[K]
      },
      list: async (kind) => {
        this.#writePending()
        return read.list(kind)
      },
      openContainers: async () => {
        this.#writePending()
        return read.openContainers!()
      },
      head,
      entry: async (seq) => {
        const queued = state.entryBySeq.get(seq)
        return queued ? (JSON.parse(queued.stored.canonical) as Entry) : read.entry(seq)
      },
      entryByRequestId: async (id) => {
        const queued = state.entryByRequest.get(id)
        const r = queued ? queued.stored : st.entryByRequest.get(id)
        return r ? { entry: JSON.parse(r.canonical) as Entry, canonical: r.canonical, hash: r.hash } : undefined
      },
      insertEntry: async (s: StoredEntry) => {
        const e = s.entry
        const tip = await head()
        // The continuity trigger checks this when the row reaches SQLite; an entry that would fail
        // it is written now, so the append fails here with the trigger's own error.
        const continues = e.seq === (tip?.seq ?? 0) + 1 && e.prev_hash === (tip?.hash ?? GENESIS_PREV_HASH) && (tip === null || e.ledger_id === tip.ledger_id)
        if (!continues || !queueing()) {
          this.#writePending()
          st.insertEntry.run(e.seq, e.ledger_id, e.prev_hash, s.hash, e.kind, e.recorded_at, e.occurred_at, e.actor, e.request_id ?? null, s.canonical)
        } else {
          const queued = { stored: s, signatures: [] }
          state.entries.push(queued)
          state.entryBySeq.set(e.seq, queued)
          if (e.request_id !== undefined) state.entryByRequest.set(e.request_id, queued)
        }
        state.head = { seq: e.seq, hash: s.hash, ledger_id: e.ledger_id }
      },
      putProjections: async (seq, changes) => {
        for (const c of changes) {
          const value = canonicalJson(c.value)
          const id = `${c.kind}\u0000${c.key}`
          if (queueing()) {
            const row = { kind: c.kind, key: c.key, seq, value }
            state.history.push(row)
            state.latest.set(id, row)
          } else {
            st.upsertProjection.run(c.kind, c.key, seq, value)
            st.insertHistory.run(c.kind, c.key, seq, value)
          }
          state.projections.set(id, { text: value })
        }
        if (state.entries.length >= PENDING_LIMIT) this.#writePending()
      },
      putCredential: async (c: CredentialRecord) => { st.putCredential.run(c.username, c.passphrase_hash, c.updated_at, c.sealed_key ?? null) },
      putSignatures: async (sigs: readonly EntrySignature[]) => {
        // With their entry while it is queued (the trigger wants them right after it); else now, as before.
        const last = state.entries.at(-1)
        if (queueing() && last && sigs.every((x) => x.seq === last.stored.entry.seq)) {
          last.signatures.push(...sigs.map((x) => ({ ...x })))
          return
        }
        this.#writePending()
        for (const x of sigs) st.insertSignature.run(x.seq, x.role, x.signer, x.signature)
      },
      putCheckpoint: async (c: CheckpointRecord) => {
        this.#writePending()
        st.insertCheckpoint.run(c.size, c.root, c.note, c.created_at)
      },
    }
  }

  /** Hands the open transaction's queued writes to SQLite (see writeQueued); a failure leaves the transaction unable to commit. */
  #writePending(): void {
    const state = this.#tx?.state
    if (!state) return
    try {
      writeQueued(state, this.#st)
    } catch (err) {
      state.failed = mapSqliteError(err, this.#file)
      throw state.failed
    }
  }

  read(): ReadView {
    if (this.#readPath) return this.#reader(this.#readSide().st)
    // One connection: a read made while a write is open sees what it has written so far, as before.
    const sameConnection = this.#reader(this.#st)
    const visible = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
      this.#writePending()
      return f(...args)
    }
    return {
      get: visible(sameConnection.get), list: visible(sameConnection.list), openContainers: visible(sameConnection.openContainers!),
      head: visible(sameConnection.head), entry: visible(sameConnection.entry),
    }
  }

  /**
   * The read-only connection (opened on first use), or the write connection for :memory: and
   * read-only stores (with an open write's queued writes handed to SQLite first, so it sees them).
   */
  #readSide(): { db: BetterSqlite3.Database; st: Statements } {
    if (!this.#readPath) {
      this.#writePending()
      return { db: this.#db, st: this.#st }
    }
    if (!this.#readDb) {
      const db = this.#guard(() => new BetterSqlite3(this.#readPath!, { readonly: true, fileMustExist: true, timeout: 15_000 }))
      this.#readDb = { db, st: prepareStatements(db) }
    }
    return this.#readDb
  }

  /** Runs a read, turning SQLite errors (a damaged page, say) into typed errors that name the file. */
  #guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      throw mapSqliteError(err, this.#file)
    }
  }

  #reader(st: Statements): ReadView {
    const g = <T>(fn: () => T) => this.#guard(fn)
    return {
      get: async <K extends ProjectionKind>(kind: K, key: string) => {
        const text = g(() => st.getProjection.get(kind, key))?.value
        return text === undefined ? undefined : (JSON.parse(text) as Projections[K])
      },
      list: async <K extends ProjectionKind>(kind: K) => g(() => st.listProjection.all(kind)).map((r) => JSON.parse(r.value) as Projections[K]),
      openContainers: async () => g(() => st.listOpenContainers.all()).map((r) => JSON.parse(r.value) as ContainerState),
      head: async (): Promise<ChainHead | null> => g(() => st.head.get()) ?? null,
      entry: async (seq: number) => {
        const r = g(() => st.entryBySeq.get(seq))
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
      const { db } = this.#readSide()
      const rows = this.#guard(() => db.prepare<[number, number, number], EntryRow>(
        'SELECT seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical FROM ledger_entry WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?',
      ).all(next, to, page))
      if (rows.length === 0) return
      for (const r of rows) yield r
      next = rows.at(-1)!.seq + 1
    }
  }

  async projectionRows(): Promise<Array<{ kind: ProjectionKind; key: string; value: string }>> {
    const { st } = this.#readSide()
    return this.#guard(() => st.allProjections.all()) as Array<{ kind: ProjectionKind; key: string; value: string }>
  }

  async *projectionHistoryRows(): AsyncIterable<{ seq: number; kind: ProjectionKind; key: string; value: string }> {
    const { db } = this.#readSide()
    let after = { seq: 0, kind: '', key: '' }
    for (;;) {
      const rows = this.#guard(() => db.prepare<[number, number, string, string, string], { seq: number; kind: ProjectionKind; key: string; value: string }>(
        `SELECT seq, kind, key, value FROM projection_history WHERE seq > ? OR (seq = ? AND (kind > ? OR (kind = ? AND key > ?))) ORDER BY seq, kind, key LIMIT 5000`,
      ).all(after.seq, after.seq, after.kind, after.kind, after.key))
      if (rows.length === 0) return
      for (const r of rows) yield r
      const last = rows.at(-1)!
      after = { seq: last.seq, kind: last.kind, key: last.key }
    }
  }

  async projectionsAt<K extends ProjectionKind>(kind: K, seq: number): Promise<ReadonlyArray<Projections[K]>> {
    const { st } = this.#readSide()
    return this.#guard(() => st.projectionsAt.all(seq, kind)).flatMap((r) => (r.value === null ? [] : [JSON.parse(r.value) as Projections[K]]))
  }

  /** The containers open right after entry `seq`, in key order, without reading the ones emptied before it (balance as of). */
  async openContainersAt(seq: number): Promise<ReadonlyArray<ContainerState>> {
    const { st } = this.#readSide()
    const rows = this.#guard(() => [...st.openContainersUnchangedSince.all(seq), ...st.openContainersChangedSince.all(seq, seq)])
    return rows.map((r) => JSON.parse(r.value) as ContainerState).sort((a, b) => (a.container < b.container ? -1 : a.container > b.container ? 1 : 0))
  }

  async seqAtTime(iso: string): Promise<number> {
    const { st } = this.#readSide()
    return this.#guard(() => st.seqAtTime.get(new Date(iso).toISOString()))?.seq ?? 0
  }

  async credential(username: string): Promise<CredentialRecord | undefined> {
    const { st } = this.#readSide()
    const row = this.#guard(() => st.credential.get(username))
    if (!row) return undefined
    // sealed_key only for users with a signing key: a credential of before signing has the shape it had.
    const { sealed_key, ...rest } = row
    return sealed_key === null ? rest : { ...rest, sealed_key }
  }

  async *signatureRows(range: { fromSeq?: number; toSeq?: number } = {}): AsyncIterable<EntrySignature> {
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER
    let after = { seq: (range.fromSeq ?? 1) - 1, role: '~' }
    for (;;) {
      const { db } = this.#readSide()
      // Keyset pages, so no statement stays open across a yield.
      const rows = this.#guard(() => db.prepare<[number, number, string, number], EntrySignature>(
        `SELECT seq, role, signer, signature FROM entry_signature WHERE (seq > ? OR (seq = ? AND role > ?)) AND seq <= ? ORDER BY seq, role LIMIT 2000`,
      ).all(after.seq, after.seq, after.role, to))
      if (rows.length === 0) return
      for (const r of rows) yield r
      const last = rows.at(-1)!
      after = { seq: last.seq, role: last.role }
    }
  }

  async *checkpointRows(): AsyncIterable<CheckpointRecord> {
    const { db } = this.#readSide()
    const rows = this.#guard(() => db.prepare<[], CheckpointRecord>('SELECT size, root, note, created_at FROM checkpoint ORDER BY id').all())
    yield* rows
  }

  /** SQLite's own structural check (PRAGMA quick_check): damage the hash chain cannot see. */
  async checkStorage(): Promise<Finding[]> {
    const { db } = this.#readSide()
    const rows = this.#guard(() => db.pragma('quick_check') as Array<{ quick_check: string }>)
    return rows.filter((r) => r.quick_check !== 'ok').slice(0, 20).map((r) => ({ code: 'STORAGE_DAMAGED', seq: null, message: `${this.#file}: ${r.quick_check}` }))
  }

  async close(): Promise<void> {
    if (this.#readDb?.db.open) this.#readDb.db.close()
    if (this.#db.open) this.#db.close()
  }
}
