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
  const entry = JSON.parse(row.canonical) as Entry
  hashes.set(entry, row.hash)
  return entry
}

/** The stored hash of each entry parsed from a source row, kept beside it (not in it: an entry is exactly what was hashed). */
const hashes = new WeakMap<Entry, string>()

/**
 * The hash of an entry read by {@link parseEntry}: each audit row carries its entry's seq and hash,
 * so a row in a CSV file can be matched to the chain (docs/reports.md).
 */
export function entryHash(entry: Entry): string {
  const hash = hashes.get(entry)
  if (hash === undefined) throw new Error(`entry ${entry.seq} was not read through parseEntry, so its hash is not known`)
  return hash
}
