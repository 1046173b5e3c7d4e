import { createHash } from 'node:crypto'
import type { EntryRow } from '../store/ledger-store.ts'
import type { Finding } from './finding.ts'
import { ENTRY_HASH_DOMAIN_V1, GENESIS_PREV_HASH } from './hash-entry.ts'

const PREFIX = Buffer.concat([Buffer.from(ENTRY_HASH_DOMAIN_V1, 'ascii'), Buffer.from([0])])

/**
 * The hash chain alone, as fast as SHA-256 allows: every row's stored bytes hash to its stored
 * hash, each entry's `prev_hash` is the previous hash and `seq` counts up from 1. It does not
 * parse entries or check canonical form and columns (ChainVerifier and verifyLedger do): the
 * link fields are read straight from the canonical text, where top-level keys are sorted, so
 * `prev_hash` and `seq` are the last occurrences of their keys (no entry kind has data fields of
 * those names, and a JSON string cannot contain an unescaped quote).
 *
 * @example
 * const v = new ChainLinkVerifier(); for await (const r of store.entryRows()) v.push(r); v.finish()
 */
export class ChainLinkVerifier {
  readonly #findings: Finding[] = []
  #prevHash = GENESIS_PREV_HASH
  #expectedSeq = 1
  count = 0

  push(row: EntryRow): void {
    this.count++
    const hash = createHash('sha256').update(PREFIX).update(row.canonical, 'utf8').digest('hex')
    const text = row.canonical
    const p = text.lastIndexOf('"prev_hash":"')
    const prev = p < 0 ? '' : text.slice(p + 13, p + 13 + 64)
    const s = text.lastIndexOf('"seq":')
    const seq = s < 0 ? Number.NaN : Number.parseInt(text.slice(s + 6, s + 22), 10)
    if (this.#findings.length < 50) {
      if (hash !== row.hash) this.#findings.push({ code: 'HASH_MISMATCH', seq: row.seq, message: `entry ${row.seq} was edited: its content no longer hashes to its stored hash`, expected: row.hash, found: hash })
      if (seq !== this.#expectedSeq || row.seq !== this.#expectedSeq) this.#findings.push({ code: 'SEQ_MISMATCH', seq: row.seq, message: `expected seq ${this.#expectedSeq} but found ${Number.isNaN(seq) ? '(none)' : seq} (deleted, inserted or reordered entries)`, expected: String(this.#expectedSeq), found: String(seq) })
      if (prev !== this.#prevHash) this.#findings.push({ code: 'PREV_MISMATCH', seq: row.seq, message: `entry ${row.seq} does not link to the entry before it`, expected: this.#prevHash, found: prev })
    }
    this.#prevHash = row.hash
    this.#expectedSeq = row.seq + 1
  }

  finish(): Finding[] {
    return [...this.#findings]
  }
}
