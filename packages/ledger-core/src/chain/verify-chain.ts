import { ENTRY_FORMAT, GENESIS_PREV_HASH, hashCanonical } from './hash-entry.ts'
import { canonicalJson } from './canonical-json.ts'
import type { Entry } from '../model/entry.ts'
import type { EntryRow } from '../store/ledger-store.ts'
import type { Finding } from './finding.ts'

/** A head (seq and hash) exported earlier, to catch a truncated or rewritten tail. */
export interface ExpectedHead { readonly seq: number; readonly hash: string }

const COLUMNS = ['ledger_id', 'prev_hash', 'kind', 'recorded_at', 'occurred_at', 'actor'] as const

/**
 * Checks a chain row by row in storage order, in constant memory. For each row: the stored bytes
 * are canonical, hash to the stored hash, agree with the row's columns, carry the seq of their
 * position, and link to the previous entry's hash. Findings say what kind of tampering explains
 * them: edited, deleted (gap), inserted, reordered, truncated.
 *
 * @example
 * const v = new ChainVerifier()
 * for await (const row of store.entryRows()) v.push(row)
 * const findings = v.finish({ seq: 120, hash: 'ab12…' })
 */
export class ChainVerifier {
  readonly #findings: Finding[] = []
  readonly #limit: number
  #prev: { seq: number; hash: string; contentSeq: number | null } | null = null
  #ledgerId: string | null = null
  #count = 0
  #hashesBySeq: Map<number, string> | null

  constructor(options: { limit?: number; keepHashes?: boolean } = {}) {
    this.#limit = options.limit ?? 50
    this.#hashesBySeq = options.keepHashes ? new Map() : null
  }

  /** Entries checked so far. */
  get count(): number { return this.#count }
  /** The last row seen: the chain's head as stored. */
  get head(): { seq: number; hash: string } | null { return this.#prev ? { seq: this.#prev.seq, hash: this.#prev.hash } : null }
  get ledgerId(): string | null { return this.#ledgerId }

  /** Checks one row; returns the parsed entry when its bytes parse. */
  push(row: EntryRow): Entry | undefined {
    this.#count++
    const expectedSeq = (this.#prev?.seq ?? 0) + 1
    let entry: Entry | undefined
    // The hash is checked whatever the bytes are: replacing an entry with `null` is an edit too.
    const hash = hashCanonical(row.canonical)
    if (hash !== row.hash) {
      this.#add({ code: 'HASH_MISMATCH', seq: row.seq, message: `entry ${row.seq} was edited: its content hashes to ${short(hash)} but the stored hash is ${short(row.hash)}`, expected: row.hash, found: hash })
    }
    try {
      const parsed: unknown = JSON.parse(row.canonical)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Entry
      else this.#add({ code: 'MALFORMED', seq: row.seq, message: `entry ${row.seq} is not an entry object: its stored bytes were edited` })
    } catch {
      this.#add({ code: 'MALFORMED', seq: row.seq, message: `entry ${row.seq} is not valid JSON: its stored bytes were edited` })
    }
    if (entry) {
      if (canonicalJson(entry) !== row.canonical) {
        this.#add({ code: 'NOT_CANONICAL', seq: row.seq, message: `entry ${row.seq} is not in canonical form: its stored bytes were edited` })
      }
      if (entry.format !== ENTRY_FORMAT) {
        this.#add({ code: 'UNKNOWN_FORMAT', seq: row.seq, message: `entry ${row.seq} has format ${String(entry.format)}; this verifier knows format ${ENTRY_FORMAT}` })
      }
      if (entry.seq !== row.seq) {
        const why = entry.seq === this.#prev?.contentSeq
          ? `it repeats entry ${entry.seq}: an entry was inserted before it and the rows renumbered`
          : `entries were reordered or renumbered`
        this.#add({ code: 'REORDERED', seq: row.seq, message: `the row at seq ${row.seq} holds entry ${String(entry.seq)}: ${why}`, expected: String(row.seq), found: String(entry.seq) })
      }
      for (const col of COLUMNS) {
        if (String(entry[col]) !== String(row[col])) {
          this.#add({ code: 'COLUMN_MISMATCH', seq: row.seq, message: `entry ${row.seq} column ${col} was edited: the row says ${clip(String(row[col]))}, the hashed entry says ${clip(String(entry[col]))}`, expected: String(entry[col]), found: String(row[col]) })
        }
      }
      if ((entry.request_id ?? null) !== row.request_id) {
        this.#add({ code: 'COLUMN_MISMATCH', seq: row.seq, message: `entry ${row.seq} column request_id was edited`, expected: String(entry.request_id ?? null), found: String(row.request_id) })
      }
      if (this.#ledgerId === null) this.#ledgerId = entry.ledger_id
      else if (entry.ledger_id !== this.#ledgerId) {
        this.#add({ code: 'FOREIGN_ENTRY', seq: row.seq, message: `entry ${row.seq} belongs to ledger ${entry.ledger_id}, not ${this.#ledgerId}: it was copied in from another ledger`, expected: this.#ledgerId, found: entry.ledger_id })
      }
    }
    let gap = false
    if (row.seq > expectedSeq) {
      gap = true
      const missing = row.seq - 1 === expectedSeq ? `entry ${expectedSeq} is missing` : `entries ${expectedSeq}-${row.seq - 1} are missing`
      this.#add({ code: 'SEQ_GAP', seq: expectedSeq, message: `expected seq ${expectedSeq} but found ${row.seq}: ${missing} (deleted)`, expected: String(expectedSeq), found: String(row.seq) })
    } else if (row.seq < expectedSeq) {
      this.#add({ code: 'DUPLICATE_SEQ', seq: row.seq, message: `seq ${row.seq} appears again after ${expectedSeq - 1}: an entry was inserted`, expected: String(expectedSeq), found: String(row.seq) })
    }
    const expectedPrev = this.#prev?.hash ?? GENESIS_PREV_HASH
    const prevInContent = entry?.prev_hash ?? row.prev_hash
    if (!gap && prevInContent !== expectedPrev) {
      const message = this.#prev
        ? `entry ${row.seq} does not follow entry ${this.#prev.seq}: its prev_hash is ${short(prevInContent)} but entry ${this.#prev.seq} hashes to ${short(expectedPrev)} (entry ${this.#prev.seq} was edited or replaced, or entry ${row.seq} was inserted)`
        : `the first entry's prev_hash must be 64 zeros but is ${short(prevInContent)}: the start of the chain is missing or forged`
      this.#add({ code: 'PREV_MISMATCH', seq: row.seq, message, expected: expectedPrev, found: prevInContent })
    }
    this.#prev = { seq: row.seq, hash: row.hash, contentSeq: entry?.seq ?? null }
    this.#hashesBySeq?.set(row.seq, row.hash)
    return entry
  }

  /**
   * Ends the check. With `expected`, a head exported earlier: the chain must still contain that
   * entry with that hash (else it was truncated or rewritten).
   */
  finish(expected?: ExpectedHead, hashAt?: (seq: number) => string | undefined): Finding[] {
    if (expected) {
      const tip = this.#prev?.seq ?? 0
      if (tip < expected.seq) {
        this.#add({ code: 'TRUNCATED', seq: tip + 1, message: `the ledger ends at seq ${tip} but a head exported earlier is at seq ${expected.seq}: entries ${tip + 1}-${expected.seq} were removed (truncated)`, expected: String(expected.seq), found: String(tip) })
      } else {
        const have = hashAt?.(expected.seq) ?? this.#hashesBySeq?.get(expected.seq) ?? (expected.seq === this.#prev?.seq ? this.#prev.hash : undefined)
        if (have !== undefined && have !== expected.hash) {
          this.#add({ code: 'HEAD_MISMATCH', seq: expected.seq, message: `entry ${expected.seq} hashes to ${short(have)} but the head exported earlier says ${short(expected.hash)}: history up to ${expected.seq} was rewritten`, expected: expected.hash, found: have })
        }
      }
    }
    return [...this.#findings]
  }

  #add(f: Finding): void {
    if (this.#findings.length < this.#limit) this.#findings.push(f)
  }
}

function short(h: string): string { return h.length > 16 ? `${h.slice(0, 12)}…` : h }
function clip(s: string): string { return s.length > 60 ? `${s.slice(0, 60)}…` : s }
