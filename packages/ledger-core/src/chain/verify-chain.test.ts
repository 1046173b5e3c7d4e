import { describe, expect, it } from 'vitest'
import type { Entry } from '../model/entry.ts'
import type { EntryRow } from '../store/ledger-store.ts'
import type { Finding } from './finding.ts'
import { GENESIS_PREV_HASH, hashCanonical, hashEntry } from './hash-entry.ts'
import { type ExpectedHead, ChainVerifier } from './verify-chain.ts'

// Hand-made rows, tampered the way someone with the database file could: edit bytes or columns,
// delete, insert, reorder, copy in, truncate, rewrite. Each finding must name the right seq.
const LEDGER = '3f0c9a52-7d1e-4c4b-9a38-5b2d6e1f0a11'
const OTHER_LEDGER = 'c1a4e2b0-0000-4000-8000-00000000beef'

/** A clean chain of `n` entries: a day of locations, receipts and doses, as rows. */
function chain(n: number, ledgerId = LEDGER): EntryRow[] {
  const rows: EntryRow[] = []
  for (let seq = 1; seq <= n; seq++) rows.push(place(draftFor(seq), { seq, prev: rows.at(-1)?.hash ?? GENESIS_PREV_HASH, ledgerId }))
  return rows
}

function draftFor(seq: number): Omit<Entry, 'format' | 'ledger_id' | 'seq' | 'prev_hash' | 'recorded_at'> {
  const occurred_at = `2026-11-26T${String(8 + seq).padStart(2, '0')}:00:00.000Z`
  return seq % 2 === 1
    ? { kind: 'location', occurred_at, actor: 'pkim', data: { code: `SAFE-${seq}`, name: `Safe ${seq}` } }
    : { kind: 'cosign', occurred_at, actor: 'drlee', data: { waste: seq - 1 } }
}

/** Places a draft at `seq` after `prev`, hashed as the append algorithm does, and returns its row. */
function place(draft: ReturnType<typeof draftFor>, at: { seq: number; prev: string; ledgerId?: string; requestId?: string }): EntryRow {
  const entry = {
    ...draft, ...(at.requestId ? { request_id: at.requestId } : {}),
    format: 1, ledger_id: at.ledgerId ?? LEDGER, seq: at.seq, prev_hash: at.prev, recorded_at: draft.occurred_at.replace('00.000Z', '07.500Z'),
  } as Entry
  const { canonical, hash } = hashEntry(entry)
  return { seq: entry.seq, ledger_id: entry.ledger_id, prev_hash: entry.prev_hash, hash, kind: entry.kind, recorded_at: entry.recorded_at, occurred_at: entry.occurred_at, actor: entry.actor, request_id: entry.request_id ?? null, canonical }
}

function verify(rows: readonly EntryRow[], expected?: ExpectedHead, options: { keepHashes?: boolean; limit?: number } = {}): Finding[] {
  const v = new ChainVerifier(options)
  for (const r of rows) v.push(r)
  return v.finish(expected)
}

const where = (findings: readonly Finding[]) => findings.map((f) => `${f.code}@${f.seq}`)

describe('ChainVerifier on a clean chain', () => {
  it('finds nothing, and reports count, head and ledger id', () => {
    const rows = chain(5)
    const v = new ChainVerifier({ keepHashes: true })
    for (const r of rows) v.push(r)
    expect(v.finish({ seq: 3, hash: rows[2]!.hash })).toEqual([])
    expect({ count: v.count, head: v.head, ledgerId: v.ledgerId }).toEqual({ count: 5, head: { seq: 5, hash: rows[4]!.hash }, ledgerId: LEDGER })
  })

  it('an empty chain has no head and nothing to find', () => {
    const v = new ChainVerifier()
    expect(v.finish()).toEqual([])
    expect(v.head).toBeNull()
  })
})

describe('ChainVerifier finds tampering and names the seq', () => {
  it('edited content: the bytes no longer hash to the stored hash (HASH_MISMATCH)', () => {
    const rows = chain(5)
    const r = rows[2]!
    rows[2] = { ...r, canonical: r.canonical.replace('"name":"Safe 3"', '"name":"Safe 8"') }
    const findings = verify(rows)
    expect(findings).toEqual([expect.objectContaining({ code: 'HASH_MISMATCH', seq: 3, expected: r.hash, found: hashCanonical(rows[2]!.canonical) })])
  })

  it('edited content and re-hashed: the next entry no longer links to it (PREV_MISMATCH)', () => {
    const rows = chain(5)
    const canonical = rows[2]!.canonical.replace('"name":"Safe 3"', '"name":"Safe 8"')
    rows[2] = { ...rows[2]!, canonical, hash: hashCanonical(canonical) }
    expect(where(verify(rows))).toEqual(['PREV_MISMATCH@4'])
  })

  it.each([
    ['actor', 'nlopez'],
    ['kind', 'receipt'],
    ['occurred_at', '2026-11-25T09:00:00.000Z'],
    ['recorded_at', '2026-11-27T09:00:00.000Z'],
    ['ledger_id', OTHER_LEDGER],
    ['request_id', 'rq-1'],
  ] as const)('edited column %s: the row disagrees with the hashed entry (COLUMN_MISMATCH)', (column, value) => {
    const rows = chain(5)
    rows[1] = { ...rows[1]!, [column]: value }
    const findings = verify(rows)
    expect(where(findings)).toEqual(['COLUMN_MISMATCH@2'])
    expect(findings[0]!.message).toContain(`column ${column}`)
  })

  it('edited prev_hash column: the row disagrees with the hashed entry (COLUMN_MISMATCH)', () => {
    const rows = chain(4)
    rows[2] = { ...rows[2]!, prev_hash: 'a'.repeat(64) }
    expect(where(verify(rows))).toEqual(['COLUMN_MISMATCH@3'])
  })

  it('deleted entry: a gap in seq names the missing entry (SEQ_GAP)', () => {
    const rows = chain(5)
    const findings = verify([...rows.slice(0, 2), ...rows.slice(3)])
    expect(findings).toEqual([expect.objectContaining({ code: 'SEQ_GAP', seq: 3, expected: '3', found: '4' })])
    expect(findings[0]!.message).toMatch(/entry 3 is missing/)
  })

  it('deleted run of entries: the gap names the whole run', () => {
    const rows = chain(6)
    const findings = verify([...rows.slice(0, 2), ...rows.slice(4)])
    expect(where(findings)).toEqual(['SEQ_GAP@3'])
    expect(findings[0]!.message).toMatch(/entries 3-4 are missing/)
  })

  it('reordered: the rows at seq 3 and 4 hold each other’s entries (REORDERED)', () => {
    const rows = chain(5)
    const [third, fourth] = [rows[2]!, rows[3]!]
    rows[2] = { ...fourth, seq: 3 }
    rows[3] = { ...third, seq: 4 }
    const findings = verify(rows)
    expect(findings.filter((f) => f.code === 'REORDERED')).toEqual([
      expect.objectContaining({ seq: 3, expected: '3', found: '4' }),
      expect.objectContaining({ seq: 4, expected: '4', found: '3' }),
    ])
    expect(where(findings).filter((w) => w.startsWith('PREV_MISMATCH'))).toEqual(['PREV_MISMATCH@3', 'PREV_MISMATCH@4', 'PREV_MISMATCH@5'])
  })

  it('forged insert, later rows renumbered: the row after the forgery repeats its entry (REORDERED, inserted)', () => {
    const rows = chain(5)
    const forged = place({ kind: 'cosign', occurred_at: '2026-11-26T10:30:00.000Z', actor: 'drpatel', data: { waste: 1 } }, { seq: 3, prev: rows[1]!.hash })
    const tampered = [...rows.slice(0, 2), forged, ...rows.slice(2).map((r) => ({ ...r, seq: r.seq + 1 }))]
    const findings = verify(tampered)
    expect(findings[0]).toEqual(expect.objectContaining({ code: 'REORDERED', seq: 4, expected: '4', found: '3' }))
    expect(findings[0]!.message).toMatch(/repeats entry 3: an entry was inserted before it/)
    expect(where(findings)).toContain('PREV_MISMATCH@4')
    expect(where(findings).some((w) => /@[123]$/.test(w))).toBe(false)
  })

  it('forged insert under an existing seq: the seq appears twice (DUPLICATE_SEQ)', () => {
    const rows = chain(5)
    const forged = place({ kind: 'cosign', occurred_at: '2026-11-26T10:30:00.000Z', actor: 'drpatel', data: { waste: 1 } }, { seq: 3, prev: rows[1]!.hash })
    const findings = verify([...rows.slice(0, 3), forged, ...rows.slice(3)])
    expect(findings[0]).toEqual(expect.objectContaining({ code: 'DUPLICATE_SEQ', seq: 3, expected: '4', found: '3' }))
    expect(where(findings)).toEqual(['DUPLICATE_SEQ@3', 'PREV_MISMATCH@3', 'PREV_MISMATCH@4'])
  })

  it('an entry of another ledger, copied in and re-linked, is foreign (FOREIGN_ENTRY)', () => {
    const rows = chain(2)
    const foreign = place(draftFor(3), { seq: 3, prev: rows[1]!.hash, ledgerId: OTHER_LEDGER })
    rows.push(foreign, place(draftFor(4), { seq: 4, prev: foreign.hash }))
    expect(verify(rows)).toEqual([expect.objectContaining({ code: 'FOREIGN_ENTRY', seq: 3, expected: LEDGER, found: OTHER_LEDGER })])
  })

  it('a chain that does not start at genesis is forged or cut at the start (PREV_MISMATCH at 1)', () => {
    const first = place(draftFor(1), { seq: 1, prev: 'b'.repeat(64) })
    expect(verify([first])).toEqual([expect.objectContaining({ code: 'PREV_MISMATCH', seq: 1, expected: GENESIS_PREV_HASH })])
  })

  it('stored bytes that parse but are not canonical are flagged even when the hash matches them (NOT_CANONICAL)', () => {
    const rows = chain(3)
    const spaced = rows[1]!.canonical.replace(/,/g, ', ')
    rows[1] = { ...rows[1]!, canonical: spaced, hash: hashCanonical(spaced) }
    expect(where(verify(rows))).toEqual(['NOT_CANONICAL@2', 'PREV_MISMATCH@3'])
  })

  it.each([['null'], ['0'], ['false'], ['""']])('stored bytes replaced by the bare JSON value %s are still an edit (HASH_MISMATCH at that seq)', (bare) => {
    const rows = chain(4)
    rows[1] = { ...rows[1]!, canonical: bare }
    expect(where(verify(rows))).toContain('HASH_MISMATCH@2')
  })

  it('stored bytes that are not JSON are flagged (MALFORMED)', () => {
    const rows = chain(3)
    rows[1] = { ...rows[1]!, canonical: rows[1]!.canonical.slice(0, -1) }
    const found = where(verify(rows))
    expect(found).toContain('MALFORMED@2')
    expect(found.every((w) => w.endsWith('@2')), 'only entry 2 is named').toBe(true)
  })
})

describe('ChainVerifier against a head exported earlier', () => {
  it('truncated: the chain ends before the exported head (TRUNCATED names the first missing seq)', () => {
    const rows = chain(5)
    const findings = verify(rows.slice(0, 3), { seq: 5, hash: rows[4]!.hash })
    expect(findings).toEqual([expect.objectContaining({ code: 'TRUNCATED', seq: 4, expected: '5', found: '3' })])
    expect(findings[0]!.message).toMatch(/entries 4-5 were removed/)
  })

  it('truncated to nothing: every entry is missing', () => {
    const rows = chain(2)
    expect(verify([], { seq: 2, hash: rows[1]!.hash })).toEqual([expect.objectContaining({ code: 'TRUNCATED', seq: 1 })])
  })

  it('rewritten: the history up to the exported head was replaced and re-linked (HEAD_MISMATCH)', () => {
    const original = chain(5)
    const rewritten = chain(5)
    const edited = place({ kind: 'location', occurred_at: '2026-11-26T11:00:00.000Z', actor: 'pkim', data: { code: 'SAFE-3', name: 'Safe 3 (moved)' } }, { seq: 3, prev: rewritten[1]!.hash })
    rewritten[2] = edited
    rewritten[3] = place(draftFor(4), { seq: 4, prev: edited.hash })
    rewritten[4] = place(draftFor(5), { seq: 5, prev: rewritten[3]!.hash })
    expect(verify(rewritten), 'the rewritten chain is internally consistent').toEqual([])
    const findings = verify(rewritten, { seq: 3, hash: original[2]!.hash }, { keepHashes: true })
    expect(findings).toEqual([expect.objectContaining({ code: 'HEAD_MISMATCH', seq: 3, expected: original[2]!.hash, found: edited.hash })])
  })

  it('rewritten, checked against the current tip: found without keepHashes (the verifier holds the tip hash)', () => {
    const original = chain(3)
    const rewritten = chain(3, OTHER_LEDGER)
    expect(verify(rewritten, { seq: 3, hash: original[2]!.hash })).toEqual([expect.objectContaining({ code: 'HEAD_MISMATCH', seq: 3, expected: original[2]!.hash, found: rewritten[2]!.hash })])
  })

  it('rewritten, with hashes looked up by the caller instead of kept', () => {
    const original = chain(4)
    const rewritten = chain(4, OTHER_LEDGER)
    const v = new ChainVerifier()
    for (const r of rewritten) v.push(r)
    const findings = v.finish({ seq: 2, hash: original[1]!.hash }, (seq) => rewritten[seq - 1]?.hash)
    expect(where(findings)).toEqual(['HEAD_MISMATCH@2'])
  })

  it('keeps at most `limit` findings', () => {
    const rows = chain(10).map((r) => ({ ...r, actor: 'mallory' }))
    expect(verify(rows, undefined, { limit: 3 })).toHaveLength(3)
    expect(verify(rows)).toHaveLength(10)
  })
})
