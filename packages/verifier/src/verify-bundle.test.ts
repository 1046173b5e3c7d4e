import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyBundle, type VerifyReport } from './verify-bundle.ts'
import { ORIGIN, checkpointNote, codeOf, hashOf, line, makeEntries, rechain, rootOf, testKey, writeBundle, type BuiltEntry } from './testing/build-bundle.ts'

const pic = testKey(ORIGIN)
const director = testKey(`${ORIGIN}/medical-director`)
const stranger = testKey('someone.example/else')
const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function bundle(entries: readonly BuiltEntry[], checkpoints: Record<string, string> = {}, keys = [pic.verifierKey, director.verifierKey], lines = entries.map(line)): string {
  const dir = writeBundle({ lines, keys, checkpoints })
  dirs.push(dir)
  return dir
}
const codes = (r: VerifyReport, severity = 'error') => r.findings.filter((f) => f.severity === severity).map((f) => f.code)

describe('verifyBundle on an honest bundle', () => {
  it('given 20 entries and checkpoints at 5, 13 and 20 (the last countersigned), then the bundle is verified', async () => {
    const e = makeEntries(20)
    const dir = bundle(e, { '0005.txt': checkpointNote(e, 5, [pic]), '0013.txt': checkpointNote(e, 13, [pic]), '0020.txt': checkpointNote(e, 20, [pic, director]) })
    const r = await verifyBundle(dir, { codes: [codeOf(e, 13)] })
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(r.status).toBe('verified')
    expect(r.entries).toBe(20)
    expect(r.ledgerId).toBe(e[0]!.entry.ledger_id)
    expect(r.head).toEqual({ seq: 20, hash: e[19]!.hash })
    expect(r.checkpoints.map((c) => [c.file, c.size, c.status])).toEqual([['checkpoints/0005.txt', 5, 'ok'], ['checkpoints/0013.txt', 13, 'ok'], ['checkpoints/0020.txt', 20, 'ok']])
    expect(r.checkpoints[2]!.signedBy).toHaveLength(2)
    expect(r.checkpoints[1]!.code).toBe(codeOf(e, 13))
    expect(codes(r, 'info')).toEqual(['CODE_MATCHES'])
    expect(r.verdict).toMatch(/^VERIFIED: 20 entries of ledger 7d0e4f0a-.*3 signed checkpoints match; latest 20 [A-Z2-7-]+ signed by /)
  })

  it('given entries past the last checkpoint, then they are reported as not yet covered, and the bundle still verifies', async () => {
    const e = makeEntries(9)
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 6, [pic]) }))
    expect(r.status).toBe('verified')
    expect(r.findings).toEqual([expect.objectContaining({ code: 'UNCOVERED_TAIL', severity: 'info', message: 'entries 7-9 are not yet covered by a signed checkpoint' })])
  })

  it('given a signature by a key nobody trusts next to the PIC signature, then it is ignored', async () => {
    const e = makeEntries(4)
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 4, [pic, stranger]) }))
    expect(r.status).toBe('verified')
    expect(r.checkpoints[0]!.unknownSigners).toEqual([expect.stringMatching(/^someone\.example\/else\+[0-9a-f]{8}$/)])
  })
})

describe('verifyBundle on tampered bundles', () => {
  it('given an entry edited in place (hash left as it was), then HASH_MISMATCH names it first and the covering checkpoint no longer matches', async () => {
    const e = makeEntries(12)
    const cps = { 'a.txt': checkpointNote(e, 4, [pic]), 'b.txt': checkpointNote(e, 12, [pic]) }
    const edited = e.map((x) => ({ ...x, entry: { ...x.entry } }))
    ;(edited[6]!.entry.data as Record<string, unknown>) = { ...(edited[6]!.entry.data as object), given_mg: '250' }
    const r = await verifyBundle(bundle(edited, cps))
    expect(r.status).toBe('failed')
    expect(codes(r)).toEqual(['HASH_MISMATCH', 'ROOT_MISMATCH'])
    expect(r.findings[0]).toMatchObject({ seq: 7, file: 'entries.jsonl', line: 7, expected: e[6]!.hash, found: hashOf(edited[6]!.entry) })
    expect(r.verdict).toMatch(/^FAILED: entry 7 was edited/)
    expect(r.checkpoints.map((c) => c.status)).toEqual(['ok', 'root-mismatch'])
  })

  it('given history rewritten and re-chained from seq 7 (every hash recomputed), then the chain looks intact but the signed checkpoint catches it', async () => {
    const e = makeEntries(12)
    const cps = { 'a.txt': checkpointNote(e, 12, [pic]) }
    const forged = e.map((x) => ({ ...x, entry: { ...x.entry } }))
    forged[6]!.entry.actor = 'someone-else'
    const rewritten = rechain(forged, 6)
    const r = await verifyBundle(bundle(rewritten, cps))
    expect(codes(r)).toEqual(['ROOT_MISMATCH'])
    expect(r.verdict).toBe('FAILED: entries 1-12 do not hash to the root signed in checkpoints/a.txt: history up to seq 12 was changed after it was signed')
  })

  it('given the newest entries cut off after they were checkpointed, then TRUNCATED says which are missing', async () => {
    const e = makeEntries(10)
    const r = await verifyBundle(bundle(e.slice(0, 7), { 'a.txt': checkpointNote(e, 10, [pic]) }))
    expect(codes(r)).toEqual(['TRUNCATED'])
    expect(r.findings[0]!.message).toBe('checkpoints/a.txt was signed when the ledger had 10 entries, but the bundle holds 7: entries 8-10 are removed')
  })

  it('given an entry deleted from the middle, then SEQ_GAP names it and the checkpoint over it fails', async () => {
    const e = makeEntries(8)
    const r = await verifyBundle(bundle(e.filter((_, i) => i !== 4), { 'a.txt': checkpointNote(e, 7, [pic]) }))
    expect(codes(r)[0]).toBe('SEQ_GAP')
    expect(r.findings[0]!.message).toBe('expected seq 5 at entries.jsonl:5 but found 6: entry 5 is missing (deleted)')
    expect(codes(r)).toContain('ROOT_MISMATCH')
  })

  it('given an entry re-serialised with spaces or reordered keys, then NOT_CANONICAL names the line', async () => {
    const e = makeEntries(3)
    const lines = e.map(line)
    lines[1] = `{"entry":${JSON.stringify(e[1]!.entry, null, 1)},"hash":"${e[1]!.hash}"}`.replace(/\n/g, '')
    const r = await verifyBundle(bundle(e, {}, [pic.verifierKey], lines))
    expect(codes(r)).toEqual(['NOT_CANONICAL'])
    expect(r.findings[0]).toMatchObject({ line: 2, seq: 2 })
  })

  it('given a line that is not JSON, then MALFORMED_LINE names it and later lines are still checked', async () => {
    const e = makeEntries(4)
    const lines = e.map(line)
    lines[1] = lines[1]!.slice(0, 40)
    lines[3] = lines[3]!.replace('"actor":"nkim"', '"actor":"mallory"')
    const r = await verifyBundle(bundle(e, {}, [], lines))
    expect(codes(r)).toEqual(['MALFORMED_LINE', 'HASH_MISMATCH'])
  })

  it('given a forged genesis or an entry of another ledger, then PREV_MISMATCH and FOREIGN_ENTRY are reported', async () => {
    const e = makeEntries(3)
    const forged = rechain([{ entry: { ...e[0]!.entry, prev_hash: 'ab'.repeat(32) }, hash: '' }, ...e.slice(1)], 1)
    forged[0]!.hash = hashOf(forged[0]!.entry)
    const fixed = rechain(forged, 1)
    const r1 = await verifyBundle(bundle(fixed))
    expect(codes(r1)).toEqual(['PREV_MISMATCH'])
    expect(r1.findings[0]!.message).toMatch(/first entry's prev_hash must be 64 zeros/)
    const foreign = rechain(e.map((x, i) => (i === 2 ? { entry: { ...x.entry, ledger_id: 'other-ledger' }, hash: x.hash } : x)), 2)
    expect(codes(await verifyBundle(bundle(foreign)))).toEqual(['FOREIGN_ENTRY'])
  })

  it('given a checkpoint whose size was edited after signing, then BAD_SIGNATURE names the key and the file', async () => {
    const e = makeEntries(6)
    const note = checkpointNote(e, 6, [pic]).replace('\n6\n', '\n5\n')
    const r = await verifyBundle(bundle(e, { 'a.txt': note }))
    expect(codes(r)).toEqual(['BAD_SIGNATURE'])
    expect(r.findings[0]!.file).toBe('checkpoints/a.txt')
    expect(r.checkpoints[0]!.status).toBe('bad-signature')
  })

  it('given a checkpoint signed only by a key not in keys.txt, then NO_VERIFIED_SIGNATURE', async () => {
    const e = makeEntries(3)
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 3, [stranger]) }))
    expect(codes(r)).toEqual(['NO_VERIFIED_SIGNATURE'])
  })

  it('given the director is required but only the PIC signed, then MISSING_SIGNER', async () => {
    const e = makeEntries(3)
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 3, [pic]) }), { require: [director.name] })
    expect(codes(r)).toEqual(['MISSING_SIGNER'])
  })

  it('given history rewritten between two signed checkpoints, then the older one fails and is shown inconsistent with the newer', async () => {
    const honest = makeEntries(10)
    const old = checkpointNote(honest, 6, [pic])
    const forged = honest.map((x) => ({ ...x, entry: { ...x.entry } }))
    forged[2]!.entry.actor = 'someone-else'
    const rewritten = rechain(forged, 2)
    const r = await verifyBundle(bundle(rewritten, { '1-old.txt': old, '2-new.txt': checkpointNote(rewritten, 10, [pic]) }))
    expect(codes(r)).toEqual(['ROOT_MISMATCH', 'INCONSISTENT_CHECKPOINTS'])
    expect(r.findings[1]!.message).toBe('checkpoints/1-old.txt (size 6) is not a prefix of checkpoints/2-new.txt (size 10): both are validly signed, so the first 6 entries were rewritten between the two signatures')
  })

  it('given two signed checkpoints of one size with different roots, then CHECKPOINT_FORK', async () => {
    const e = makeEntries(5)
    const other = rechain(e.map((x, i) => (i === 0 ? { entry: { ...x.entry, actor: 'x' }, hash: x.hash } : x)))
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 5, [pic]), 'b.txt': checkpointNote(other, 5, [pic]) }))
    expect(codes(r)).toContain('CHECKPOINT_FORK')
  })

  it('given an entry repeated (inserted again) or of an unknown format, then SEQ_OUT_OF_ORDER and UNKNOWN_FORMAT', async () => {
    const e = makeEntries(4)
    const lines = e.map(line)
    const repeated = [...lines.slice(0, 3), lines[2]!, lines[3]!]
    expect(codes(await verifyBundle(bundle(e, {}, [], repeated)))).toEqual(['SEQ_OUT_OF_ORDER'])
    const v2 = rechain(e.map((x, i) => (i === 1 ? { entry: { ...x.entry, format: 2 }, hash: x.hash } : x)), 1)
    expect(codes(await verifyBundle(bundle(v2)))).toEqual(['UNKNOWN_FORMAT'])
  })

  it('given validly signed checkpoints of two origins, then ORIGIN_MISMATCH names the stray one', async () => {
    const e = makeEntries(4)
    const otherKey = testKey('csledger.invalid/other-ledger')
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 4, [pic]), 'b.txt': checkpointNote(e, 4, [otherKey], { origin: 'csledger.invalid/other-ledger' }) }, [pic.verifierKey, otherKey.verifierKey]))
    expect(codes(r)).toEqual(['ORIGIN_MISMATCH'])
    expect(r.findings[0]!.file).toBe('checkpoints/b.txt')
    expect(r.checkpoints.map((c) => c.status)).toEqual(['ok', 'other-origin'])
  })

  it('given a checkpoint of another ledger, then ORIGIN_LEDGER_MISMATCH', async () => {
    const e = makeEntries(3)
    const r = await verifyBundle(bundle(e, { 'a.txt': checkpointNote(e, 3, [pic], { origin: 'csledger.invalid/another-ledger' }) }))
    expect(codes(r)).toEqual(['ORIGIN_LEDGER_MISMATCH'])
  })

  it('given a code copied from a count sheet but the checkpoint file removed, then the code alone still catches a rewrite', async () => {
    const e = makeEntries(8)
    const printed = codeOf(e, 8)
    const forged = e.map((x) => ({ ...x, entry: { ...x.entry } }))
    forged[3]!.entry.actor = 'someone-else'
    const r = await verifyBundle(bundle(rechain(forged, 3)), { codes: [printed.toLowerCase()] })
    expect(codes(r)).toEqual(['CODE_MISMATCH'])
    const ok = await verifyBundle(bundle(e), { codes: [printed] })
    expect(ok.status).toBe('verified')
    expect(codes(await verifyBundle(bundle(e.slice(0, 6)), { codes: [printed] }))).toEqual(['CODE_TRUNCATED'])
  })
})

describe('verifyBundle on incomplete bundles', () => {
  it('given no checkpoint at all, then the chain is intact but the bundle is unanchored', async () => {
    const r = await verifyBundle(bundle(makeEntries(3)))
    expect(r.status).toBe('unanchored')
    expect(codes(r, 'warning')).toEqual(['NO_CHECKPOINT'])
    expect(r.verdict).toMatch(/^UNANCHORED: 3 entries form an intact chain, but the bundle has no checkpoint/)
  })

  it('given no entries.jsonl or no folder, then the bundle is unreadable', async () => {
    const dir = bundle(makeEntries(1))
    rmSync(join(dir, 'entries.jsonl'))
    expect((await verifyBundle(dir)).status).toBe('unreadable')
    expect((await verifyBundle(join(dir, 'nope'))).status).toBe('unreadable')
  })

  it('given a bad line in keys.txt and an empty entries.jsonl, then both are errors', async () => {
    const dir = bundle([], {}, ['not-a-key'])
    writeFileSync(join(dir, 'entries.jsonl'), '')
    const r = await verifyBundle(dir)
    expect(codes(r)).toEqual(['BAD_KEY', 'NO_ENTRIES'])
    expect(r.findings[0]).toMatchObject({ file: 'keys.txt', line: 2 })
  })

  it('given no leaves, then the test builder\'s recursive root is SHA-256 of nothing (RFC 6962 empty tree)', () => {
    const e = makeEntries(3)
    expect(rootOf(e, 0).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
})
