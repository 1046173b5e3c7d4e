import type { Entry, StoredEntry } from '@csledger/ledger-core'

/**
 * One ledger entry as a store streams it: the columns a report filters on, and the exact hashed
 * bytes. `EntryRow` from the store port (`store.entryRows()`) is one, so a store can feed a report
 * without parsing entries the report does not need.
 */
export interface SourceRow {
  readonly seq: number
  readonly kind: string
  readonly occurred_at: string
  readonly hash: string
  /** The canonical JSON of the entry (RFC 8785), exactly as hashed. */
  readonly canonical: string
}

/**
 * Where a report reads the ledger from. `rows()` is called once per pass and must start at the
 * first entry each time, in seq order; a report makes a few passes instead of holding the ledger
 * in memory.
 */
export interface AuditSource {
  rows(): AsyncIterable<SourceRow>
}

/**
 * A source over a store's entry rows (the SQLite and PostgreSQL stores page through the table).
 *
 * @example
 * const source = sourceFromStore(await openSqliteStore('clinic.db', { readonly: true }))
 */
export function sourceFromStore(store: { entryRows(): AsyncIterable<SourceRow> }): AuditSource {
  return { rows: () => store.entryRows() }
}

/**
 * A source over entries held in memory (tests, small exports).
 *
 * @example
 * const source = sourceFromEntries(storedEntries)
 */
export function sourceFromEntries(entries: readonly StoredEntry[]): AuditSource {
  return {
    async *rows() {
      for (const s of entries) yield { seq: s.entry.seq, kind: s.entry.kind, occurred_at: s.entry.occurred_at, hash: s.hash, canonical: s.canonical }
    },
  }
}

/**
 * A source over an exported chain (`csledger export`): JSONL lines `{"entry":<canonical>,"hash":"<hex>"}`.
 * `lines()` is called once per pass.
 *
 * @example
 * const source = sourceFromJsonl(() => readline.createInterface({ input: createReadStream('chain.jsonl') }))
 */
export function sourceFromJsonl(lines: () => AsyncIterable<string>): AuditSource {
  return {
    async *rows() {
      for await (const raw of lines()) {
        const line = raw.trim()
        if (line === '') continue
        const m = /^\{"entry":(.*),"hash":"([0-9a-f]{64})"\}$/.exec(line)
        if (!m) throw new SyntaxError('not a csledger export line: {"entry":…,"hash":"…"}')
        const canonical = m[1]!
        const entry = JSON.parse(canonical) as Entry
        yield { seq: entry.seq, kind: entry.kind, occurred_at: entry.occurred_at, hash: m[2]!, canonical }
      }
    },
  }
}

/** Parses a row's entry. */
export function parseEntry(row: SourceRow): Entry {
  return JSON.parse(row.canonical) as Entry
}
