import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import type { Entry } from '../model/entry.ts'
import { ENTRY_KINDS } from '../model/entry.ts'
import { dec } from '../model/quantity.ts'
import type { EntryRow } from '../store/ledger-store.ts'
import { canonicalJson } from './canonical-json.ts'
import { ENTRY_HASH_DOMAIN_V1, GENESIS_PREV_HASH, hashCanonical, hashEntry } from './hash-entry.ts'
import { ChainVerifier } from './verify-chain.ts'

interface VectorFile {
  readonly domain: string
  readonly genesis_prev_hash: string
  readonly spellings: ReadonlyArray<{ readonly input: string; readonly dec: string }>
  readonly vectors: ReadonlyArray<{ readonly name: string; readonly entry: Entry; readonly canonical: string; readonly hash: string }>
}

// The committed file is the reference; gen-vectors.ts is never run here.
const FILE: VectorFile = JSON.parse(readFileSync(new URL('./__vectors__/v1.json', import.meta.url), 'utf8'))

/** The format written out independently of hash-entry.ts: SHA-256(tag ‖ 0x00 ‖ UTF-8 bytes). */
function referenceHash(canonical: string): string {
  return createHash('sha256').update(Buffer.concat([Buffer.from('csledger:entry:v1', 'ascii'), Buffer.of(0), Buffer.from(canonical, 'utf8')])).digest('hex')
}

describe('entry hash format 1: known-answer vectors (__vectors__/v1.json)', () => {
  it('covers every entry kind but none twice, and the format constants', () => {
    expect(FILE.vectors.map((v) => v.entry.kind).sort()).toEqual([...ENTRY_KINDS].sort())
    expect(FILE.domain).toBe(ENTRY_HASH_DOMAIN_V1)
    expect(FILE.genesis_prev_hash).toBe(GENESIS_PREV_HASH)
  })

  it.each(FILE.vectors.map((v) => [v.name, v] as const))('%s: canonical JSON and hash recompute exactly', (_name, v) => {
    expect(canonicalJson(v.entry)).toBe(v.canonical)
    expect(hashCanonical(v.canonical)).toBe(v.hash)
    expect(hashEntry(v.entry)).toEqual({ canonical: v.canonical, hash: v.hash })
    expect(referenceHash(v.canonical)).toBe(v.hash)
  })

  it('dec spells decimals as the vectors were hashed', () => {
    for (const s of FILE.spellings) expect(dec(new Decimal(s.input)), s.input).toBe(s.dec)
    const administration = FILE.vectors.find((v) => v.entry.kind === 'administration')!
    expect(administration.canonical).toContain('"given_ml":"0.0000001"')
  })

  it('keeps non-ASCII text as UTF-8, not \\u escapes', () => {
    const registrant = FILE.vectors.find((v) => v.entry.kind === 'registrant')!
    expect(registrant.canonical).toContain('"name":"Clínica Ketamina São José — Ünïcödé ✓"')
    const waste = FILE.vectors.find((v) => v.entry.kind === 'waste')!
    expect(waste.canonical).toContain('"reason":"patient said \\"stop\\" \\\\ dose halted — 停止 🛑"')
  })

  it('the vectors form one valid chain', () => {
    const v = new ChainVerifier()
    for (const { entry, canonical, hash } of FILE.vectors) v.push(rowOf(entry, canonical, hash))
    expect(v.finish({ seq: FILE.vectors.length, hash: FILE.vectors.at(-1)!.hash }, (seq) => FILE.vectors[seq - 1]?.hash)).toEqual([])
    expect(FILE.vectors[0]!.entry.prev_hash).toBe(GENESIS_PREV_HASH)
  })

  it('hashes stored text as the byte-level reference does, even text no canonical form contains (lone surrogates, NUL)', () => {
    // Stored rows are checked with hashCanonical whatever they hold: a lone surrogate becomes
    // U+FFFD's UTF-8 bytes in both, at the start of the text (next to the tag's 0x00) as anywhere.
    for (const text of ['', '{}', '\udc00{"a":1}', '{"a":"\ud800"}', '{"a":"\u0000"}', '\ud83d\ude02', 'é'.repeat(10_000)]) {
      expect(hashCanonical(text)).toBe(referenceHash(text))
    }
  })

  it('one changed character changes the hash', () => {
    const v = FILE.vectors[0]!
    expect(hashCanonical(v.canonical.replace('São', 'Sao'))).not.toBe(v.hash)
    expect(hashCanonical(`${v.canonical} `)).not.toBe(v.hash)
  })
})

function rowOf(entry: Entry, canonical: string, hash: string): EntryRow {
  return {
    seq: entry.seq, ledger_id: entry.ledger_id, prev_hash: entry.prev_hash, hash, kind: entry.kind, recorded_at: entry.recorded_at,
    occurred_at: entry.occurred_at, actor: entry.actor, request_id: entry.request_id ?? null, canonical,
  }
}
