import { type Kysely, type Transaction, sql } from 'kysely'
import {
  type ChainHead, type CheckpointRecord, type ContainerState, type CredentialRecord, type Entry, type EntryRow, type EntrySignature, type LedgerStore,
  type ProjectionKind, type Projections, type ReadView, type StoredEntry, type WriteTransaction, InputError, canonicalJson,
} from '@csledger/ledger-core'
import { mapPostgresError } from './postgres-errors.ts'
import { type PgDatabase, toSafeInteger } from './schema.ts'

type Executor = Kysely<PgDatabase> | Transaction<PgDatabase>

/** Settings of one store, fixed when it is opened. */
export interface PostgresStoreSettings {
  /** The ledger this store reads and writes; every query names it. */
  readonly ledgerId: string
  /** The server and ledger as printed in messages (password masked). */
  readonly display: string
  /** Rows per page when streaming entries. */
  readonly pageSize: number
  /**
   * True when the ledger does not exist yet: the first write transaction creates it (and grants
   * it to the session's role) before its first append, so a failed `init` leaves nothing behind.
   */
  readonly createOnFirstWrite?: boolean
}

/**
 * LedgerStore on one ledger of a shared PostgreSQL database. A write transaction first locks
 * the ledger's row (`csledger_lock_ledger`, SELECT … FOR UPDATE), so appends to this ledger
 * queue while appends to other ledgers go on; the insert trigger checks continuity and the
 * hash again, and UNIQUE (ledger_id, prev_hash) refuses a fork. Every query names the ledger, and
 * row-level security confines the connection to it as well (the `csledger.ledger_id` setting,
 * honoured only for roles granted that ledger).
 *
 * It can sign (docs/signatures.md §6.1): entry signatures are stored in the append's transaction
 * (the database accepts them for that transaction's entry only), checkpoints and sealed keys beside
 * the chain, all per ledger (migration 0004).
 */
export class PostgresLedgerStore implements LedgerStore {
  readonly #db: Kysely<PgDatabase>
  readonly #settings: PostgresStoreSettings
  #exists: boolean

  constructor(db: Kysely<PgDatabase>, settings: PostgresStoreSettings) {
    this.#db = db
    this.#settings = Object.freeze({ ...settings })
    this.#exists = !settings.createOnFirstWrite
  }

  /** The ledger this store is bound to. */
  get ledgerId(): string { return this.#settings.ledgerId }
  /** The server and ledger, password masked (for messages). */
  get display(): string { return this.#settings.display }
  /** The underlying kysely instance (backups, tests). */
  get kysely(): Kysely<PgDatabase> { return this.#db }

  async writeTransaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    try {
      const result = await this.#db.transaction().execute(async (trx) => {
        if (!this.#exists) await sql`SELECT csledger_create_ledger(${this.ledgerId})`.execute(trx)
        await sql`SELECT csledger_lock_ledger(${this.ledgerId})`.execute(trx)
        return fn(this.#writer(trx))
      })
      this.#exists = true
      return result
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
  }

  read(): ReadView { return this.#reader(this.#db) }

  #writer(trx: Transaction<PgDatabase>): WriteTransaction {
    const id = this.ledgerId
    return {
      ...this.#reader(trx),
      entryByRequestId: async (requestId) => {
        const r = await trx.selectFrom('ledger_entry').select(['canonical', 'hash']).where('ledger_id', '=', id).where('request_id', '=', requestId).executeTakeFirst()
        return r ? { entry: JSON.parse(r.canonical) as Entry, canonical: r.canonical, hash: r.hash } : undefined
      },
      insertEntry: async (s: StoredEntry) => {
        const e = s.entry
        if (e.ledger_id !== id) {
          throw new InputError('LEDGER_MISMATCH', `entry ${e.seq} belongs to ledger ${e.ledger_id}, but this store is bound to ledger ${id}`, {
            hint: 'open the store on the entry\'s ledger (?ledger=<id> in --db, or { ledgerId })',
          })
        }
        await trx.insertInto('ledger_entry').values({
          ledger_id: id, seq: e.seq, prev_hash: e.prev_hash, hash: s.hash, kind: e.kind, recorded_at: e.recorded_at,
          occurred_at: e.occurred_at, actor: e.actor, request_id: e.request_id ?? null, canonical: s.canonical,
        }).execute()
      },
      putProjections: async (seq, changes) => {
        if (changes.length === 0) return
        const rows = changes.map((c) => ({ ledger_id: id, kind: c.kind, key: c.key, seq, value: canonicalJson(c.value) }))
        // One round trip: the history rows go in through a data-modifying WITH.
        await trx.with('history', (db) => db.insertInto('projection_history').values(rows))
          .insertInto('projection').values(rows)
          .onConflict((oc) => oc.columns(['ledger_id', 'kind', 'key']).doUpdateSet((eb) => ({ seq: eb.ref('excluded.seq'), value: eb.ref('excluded.value') })))
          .execute()
      },
      putCredential: async (c: CredentialRecord) => {
        // The whole record is replaced, sealed key included (as SQLite does): a passphrase change
        // writes the same key sealed under the new passphrase, next to the new hash.
        await trx.insertInto('credential').values({ ledger_id: id, username: c.username, passphrase_hash: c.passphrase_hash, updated_at: c.updated_at, sealed_key: c.sealed_key ?? null })
          .onConflict((oc) => oc.columns(['ledger_id', 'username']).doUpdateSet((eb) => ({
            passphrase_hash: eb.ref('excluded.passphrase_hash'), updated_at: eb.ref('excluded.updated_at'), sealed_key: eb.ref('excluded.sealed_key'),
          })))
          .execute()
      },
      putSignatures: async (signatures: readonly EntrySignature[]) => {
        if (signatures.length === 0) return
        // The insert trigger accepts a signature only for the entry this transaction just appended.
        await trx.insertInto('entry_signature')
          .values(signatures.map((x) => ({ ledger_id: id, seq: x.seq, role: x.role, signer: x.signer, signature: x.signature })))
          .execute()
      },
      putCheckpoint: async (c: CheckpointRecord) => {
        await trx.insertInto('checkpoint').values({ ledger_id: id, size: c.size, root: c.root, note: c.note, created_at: c.created_at }).execute()
      },
    }
  }

  #reader(ex: Executor): ReadView {
    const id = this.ledgerId
    const guard = <T>(run: () => Promise<T>): Promise<T> => run().catch((err: unknown) => { throw mapPostgresError(err, this.display) })
    return {
      get: <K extends ProjectionKind>(kind: K, key: string) => guard(async () => {
        const r = await ex.selectFrom('projection').select('value').where('ledger_id', '=', id).where('kind', '=', kind).where('key', '=', key).executeTakeFirst()
        return r ? (JSON.parse(r.value) as Projections[K]) : undefined
      }),
      list: <K extends ProjectionKind>(kind: K) => guard(async () => {
        const rows = await ex.selectFrom('projection').select('value').where('ledger_id', '=', id).where('kind', '=', kind).orderBy('key').execute()
        return rows.map((r) => JSON.parse(r.value) as Projections[K])
      }),
      // The predicate of the partial index projection_open_container (migration 0006), verbatim.
      openContainers: () => guard(async () => {
        const { rows } = await sql<{ value: string }>`SELECT value FROM projection
          WHERE ledger_id = ${id} AND kind = 'container' AND (value::jsonb ->> 'status') = 'open' ORDER BY key`.execute(ex)
        return rows.map((r) => JSON.parse(r.value) as ContainerState)
      }),
      head: () => guard(async (): Promise<ChainHead | null> => {
        const r = await ex.selectFrom('ledger_entry').select(['seq', 'hash', 'ledger_id']).where('ledger_id', '=', id).orderBy('seq', 'desc').limit(1).executeTakeFirst()
        return r ? { seq: toSafeInteger(r.seq, 'ledger_entry.seq'), hash: r.hash, ledger_id: r.ledger_id } : null
      }),
      entry: (seq: number) => guard(async () => {
        const r = await ex.selectFrom('ledger_entry').select('canonical').where('ledger_id', '=', id).where('seq', '=', seq).executeTakeFirst()
        return r ? (JSON.parse(r.canonical) as Entry) : undefined
      }),
    }
  }

  async *entryRows(range: { fromSeq?: number; toSeq?: number } = {}): AsyncIterable<EntryRow> {
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER
    let next = range.fromSeq ?? 1
    // Keyset pages: no cursor stays open across a yield, and each page is one indexed range scan.
    while (next <= to) {
      let rows
      try {
        rows = await this.#db.selectFrom('ledger_entry')
          .select(['seq', 'ledger_id', 'prev_hash', 'hash', 'kind', 'recorded_at', 'occurred_at', 'actor', 'request_id', 'canonical'])
          .where('ledger_id', '=', this.ledgerId).where('seq', '>=', next).where('seq', '<=', to)
          .orderBy('seq').limit(this.#settings.pageSize).execute()
      } catch (err) {
        throw mapPostgresError(err, this.display)
      }
      if (rows.length === 0) return
      for (const r of rows) yield { ...r, seq: toSafeInteger(r.seq, 'ledger_entry.seq') }
      next = toSafeInteger(rows.at(-1)!.seq, 'ledger_entry.seq') + 1
    }
  }

  async projectionRows(): Promise<Array<{ kind: ProjectionKind; key: string; value: string }>> {
    try {
      const rows = await this.#db.selectFrom('projection').select(['kind', 'key', 'value']).where('ledger_id', '=', this.ledgerId).orderBy('kind').orderBy('key').execute()
      return rows as Array<{ kind: ProjectionKind; key: string; value: string }>
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
  }

  async *projectionHistoryRows(): AsyncIterable<{ seq: number; kind: ProjectionKind; key: string; value: string }> {
    // Keyset pages in (seq, kind, key) order, the order verify replays in (keys sort as "C").
    let after: { seq: number; kind: string; key: string } = { seq: 0, kind: '', key: '' }
    for (;;) {
      let rows: Array<{ seq: string | number; kind: string; key: string; value: string }>
      try {
        ({ rows } = await sql<{ seq: string | number; kind: string; key: string; value: string }>`
          SELECT seq, kind, key, value FROM projection_history
          WHERE ledger_id = ${this.ledgerId} AND (seq, kind, key) > (${after.seq}, ${after.kind}, ${after.key})
          ORDER BY seq, kind, key LIMIT ${this.#settings.pageSize}`.execute(this.#db))
      } catch (err) {
        throw mapPostgresError(err, this.display)
      }
      if (rows.length === 0) return
      for (const r of rows) yield { seq: toSafeInteger(r.seq, 'projection_history.seq'), kind: r.kind as ProjectionKind, key: r.key, value: r.value }
      const last = rows.at(-1)!
      after = { seq: toSafeInteger(last.seq, 'projection_history.seq'), kind: last.kind, key: last.key }
    }
  }

  async projectionsAt<K extends ProjectionKind>(kind: K, seq: number): Promise<ReadonlyArray<Projections[K]>> {
    try {
      const { rows } = await sql<{ value: string }>`
        SELECT h.value FROM projection p
        CROSS JOIN LATERAL (
          SELECT value FROM projection_history h
          WHERE h.ledger_id = p.ledger_id AND h.kind = p.kind AND h.key = p.key AND h.seq <= ${seq}
          ORDER BY h.seq DESC LIMIT 1) h
        WHERE p.ledger_id = ${this.ledgerId} AND p.kind = ${kind}
        ORDER BY p.key`.execute(this.#db)
      return rows.map((r) => JSON.parse(r.value) as Projections[K])
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
  }

  /** The containers open right after entry `seq`, in key order (balance as of): see the SQLite store. */
  async openContainersAt(seq: number): Promise<ReadonlyArray<ContainerState>> {
    try {
      const { rows } = await sql<{ key: string; value: string }>`
        SELECT key, value FROM projection
          WHERE ledger_id = ${this.ledgerId} AND kind = 'container' AND (value::jsonb ->> 'status') = 'open' AND seq <= ${seq}
        UNION ALL
        SELECT p.key, h.value FROM projection p
        CROSS JOIN LATERAL (
          SELECT value FROM projection_history h
          WHERE h.ledger_id = p.ledger_id AND h.kind = p.kind AND h.key = p.key AND h.seq <= ${seq}
          ORDER BY h.seq DESC LIMIT 1) h
        WHERE p.ledger_id = ${this.ledgerId} AND p.kind = 'container' AND p.seq > ${seq} AND (h.value::jsonb ->> 'status') = 'open'
        ORDER BY key`.execute(this.#db)
      return rows.map((r) => JSON.parse(r.value) as ContainerState)
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
  }

  async seqAtTime(iso: string): Promise<number> {
    try {
      const r = await this.#db.selectFrom('ledger_entry').select((eb) => eb.fn.max('seq').as('seq'))
        .where('ledger_id', '=', this.ledgerId).where('recorded_at', '<=', iso).executeTakeFirst()
      return r?.seq === null || r?.seq === undefined ? 0 : toSafeInteger(r.seq, 'max(seq)')
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
  }

  async credential(username: string): Promise<CredentialRecord | undefined> {
    let row
    try {
      row = await this.#db.selectFrom('credential').select(['username', 'passphrase_hash', 'updated_at', 'sealed_key'])
        .where('ledger_id', '=', this.ledgerId).where('username', '=', username).executeTakeFirst()
    } catch (err) {
      throw mapPostgresError(err, this.display)
    }
    if (!row) return undefined
    // sealed_key only for users with a signing key: a credential of before signing has the shape it had.
    const { sealed_key, ...rest } = row
    return sealed_key === null ? rest : { ...rest, sealed_key }
  }

  async *signatureRows(range: { fromSeq?: number; toSeq?: number } = {}): AsyncIterable<EntrySignature> {
    const to = range.toSeq ?? Number.MAX_SAFE_INTEGER
    // Keyset pages in (seq, role) order ("actor" before "witness", role is COLLATE "C"), as entryRows pages entries.
    let after: { seq: number; role: string } | null = null
    for (;;) {
      const from = after ? sql`(seq, role) > (${after.seq}, ${after.role})` : sql`seq >= ${range.fromSeq ?? 1}`
      let rows: Array<{ seq: string | number; role: EntrySignature['role']; signer: string; signature: string }>
      try {
        ({ rows } = await sql<{ seq: string | number; role: EntrySignature['role']; signer: string; signature: string }>`
          SELECT seq, role, signer, signature FROM entry_signature
          WHERE ledger_id = ${this.ledgerId} AND ${from} AND seq <= ${to}
          ORDER BY seq, role LIMIT ${this.#settings.pageSize}`.execute(this.#db))
      } catch (err) {
        throw mapPostgresError(err, this.display)
      }
      if (rows.length === 0) return
      for (const r of rows) yield { seq: toSafeInteger(r.seq, 'entry_signature.seq'), role: r.role, signer: r.signer, signature: r.signature }
      const last = rows.at(-1)!
      after = { seq: toSafeInteger(last.seq, 'entry_signature.seq'), role: last.role }
    }
  }

  async *checkpointRows(): AsyncIterable<CheckpointRecord> {
    let after: string | number = 0
    for (;;) {
      let rows
      try {
        rows = await this.#db.selectFrom('checkpoint').select(['id', 'size', 'root', 'note', 'created_at'])
          .where('ledger_id', '=', this.ledgerId).where('id', '>', after).orderBy('id').limit(this.#settings.pageSize).execute()
      } catch (err) {
        throw mapPostgresError(err, this.display)
      }
      if (rows.length === 0) return
      for (const r of rows) yield { size: toSafeInteger(r.size, 'checkpoint.size'), root: r.root, note: r.note, created_at: r.created_at }
      after = rows.at(-1)!.id
    }
  }

  async close(): Promise<void> {
    await this.#db.destroy()
  }

}
