// The proof that docs/ledger-format.md is enough to verify an export without csledger's code:
// verify.py was written from the document alone (Python standard library only). Here it checks
// real exports made by the library, agrees with Ledger.balance() after every entry, and names
// the first failure in exports tampered with in each way the document describes. It also checks the
// hash vectors of ledger-core (v1.json) field by field.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BalanceRow, ENTRY_KINDS, Ledger, canonicalJson, hashCanonical } from '@csledger/ledger-core'
import { type SqliteLedgerStore, openSqliteStore } from '@csledger/ledger-sqlite'
import { type ClinicSeqs, buildClinicLedger, clinicClock } from './build-clinic-ledger.ts'
import { buildWorkedExample } from './build-worked-example.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const VERIFY = join(HERE, 'verify.py')
const FORMAT_DOC = join(HERE, '../../docs/ledger-format.md')
const HASH_VECTORS = join(HERE, '../../packages/ledger-core/src/chain/__vectors__/v1.json')
// Resolve the interpreter once: a version-manager shim on PATH can cost 150 ms per start.
const PYTHON = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim() || 'python3'

interface Report {
  ok: boolean
  entries: number
  ledger_id: string | null
  head: { seq: number; hash: string } | null
  failure: { code: string; seq: number | null; line: number | null; message: string } | null
  replayed: boolean
  unchecked: string[]
  balances?: { as_of_seq: number; rows: BalanceRow[] }
}

function verify(file: string, ...args: string[]): { status: number | null; report: Report } {
  const r = spawnSync(PYTHON, [VERIFY, file, '--json', ...args], { encoding: 'utf8' })
  if (r.error) throw r.error
  if (r.stderr) throw new Error(`verify.py wrote to stderr:\n${r.stderr}`)
  return { status: r.status, report: JSON.parse(r.stdout) as Report }
}

function canonicalizeInPython(lines: readonly string[]): string[] {
  const r = spawnSync(PYTHON, [VERIFY, '--canonicalize'], { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8' })
  if (r.error) throw r.error
  expect(r.status).toBe(0)
  return r.stdout.split('\n').slice(0, -1)
}

type MutableEntry = Record<string, unknown> & { data: Record<string, unknown> }
const parse = (line: string) => JSON.parse(line) as { entry: MutableEntry; hash: string }
const lineOf = (entry: unknown) => {
  const canonical = canonicalJson(entry)
  return `{"entry":${canonical},"hash":"${hashCanonical(canonical)}"}\n`
}

/**
 * What someone holding the file can do: change the entry at `seq`, recompute its hash and, with
 * `tail`, re-link and re-hash every later entry so the chain is whole again.
 */
function rewrite(lines: readonly string[], seq: number, mutate: (e: MutableEntry) => void, opts: { tail: boolean }): string[] {
  const out = [...lines]
  let prev: string | undefined
  for (let i = seq - 1; i < out.length; i++) {
    const { entry } = parse(out[i]!)
    if (i === seq - 1) mutate(entry)
    else if (opts.tail) entry.prev_hash = prev!
    else break
    out[i] = lineOf(entry)
    prev = parse(out[i]!).hash
  }
  return out
}

describe('the independent Python verifier (written from docs/ledger-format.md)', () => {
  let dir: string
  let store: SqliteLedgerStore
  let ledger: Ledger
  let seqs: ClinicSeqs
  let lines: string[]
  let n = 0
  const write = (variant: readonly string[] | string): string => {
    const file = join(dir, `variant-${++n}.jsonl`)
    writeFileSync(file, typeof variant === 'string' ? variant : variant.join(''))
    return file
  }
  const hashAt = (seq: number) => parse(lines[seq - 1]!).hash

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csledger-independent-'))
    store = await openSqliteStore(join(dir, 'clinic.db'), { create: true })
    const clock = clinicClock()
    ledger = new Ledger({ store, clock, kdf: { N: 1024, r: 8, p: 1 } })
    seqs = await buildClinicLedger(ledger, clock)
    lines = []
    for await (const line of ledger.exportJsonl()) lines.push(line)
  })
  afterAll(async () => {
    await store?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  describe('given an untouched export', () => {
    it('when verified, then it passes, names the head and ledger, and its balances equal Ledger.balance()', async () => {
      const { status, report } = verify(write(lines), '--balances')
      expect(report.failure).toBeNull()
      expect(status).toBe(0)
      expect(report).toMatchObject({ ok: true, entries: seqs.head, ledger_id: 'a2b3c4d5-0000-4000-8000-00000000c11c', head: { seq: seqs.head, hash: hashAt(seqs.head) } })
      // The registrant's zone (America/Chicago) was resolved, so business days and local dates were checked too.
      expect(report).toMatchObject({ replayed: true, unchecked: [] })
      const library = await ledger.balance()
      expect(library.rows.length).toBeGreaterThan(0)
      expect(report.balances).toEqual({ as_of_seq: seqs.head, rows: library.rows })
    })

    it('when balances are recomputed as of every seq, then each equals Ledger.balance({ asOf })', async () => {
      const file = write(lines)
      for (let seq = 1; seq <= seqs.head; seq++) {
        const { report } = verify(file, '--as-of', String(seq))
        expect(report.balances, `as of seq ${seq}`).toEqual(await ledger.balance({ asOf: seq }))
      }
    })

    it('when a head given out earlier is checked, then it passes', () => {
      const { status, report } = verify(write(lines), '--head', `20:${hashAt(20)}`)
      expect([status, report.ok]).toEqual([0, true])
    })

    it('when verified in text mode, then the verdict is one OK line naming the head', () => {
      const r = spawnSync(PYTHON, [VERIFY, write(lines)], { encoding: 'utf8' })
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(`OK: ${seqs.head} entries verified, ledger a2b3c4d5-0000-4000-8000-00000000c11c, head ${seqs.head}:${hashAt(seqs.head)}\n`)
    })
  })

  describe('given an export tampered with', () => {
    const expectFailure = (file: string, code: string, seq: number, ...args: string[]) => {
      const { status, report } = verify(file, ...args)
      expect(report.failure, JSON.stringify(report)).toMatchObject({ code, seq })
      expect(status).toBe(1)
      expect(report.ok).toBe(false)
      return report.failure!
    }

    it('when a field is edited in place, then it fails with HASH_MISMATCH at that entry', () => {
      const edited = [...lines]
      const before = edited[seqs.administration - 1]!
      edited[seqs.administration - 1] = before.replace('"given_mg":"35"', '"given_mg":"45"')
      expect(edited[seqs.administration - 1]).not.toBe(before)
      const failure = expectFailure(write(edited), 'HASH_MISMATCH', seqs.administration)
      const text = spawnSync(PYTHON, [VERIFY, write(edited)], { encoding: 'utf8' })
      expect(text.stdout.split('\n')[0]).toBe(`FAIL at seq ${seqs.administration} [HASH_MISMATCH]: ${failure.message}`)
    })

    it('when an edited entry is re-hashed, then the next entry no longer links to it (PREV_MISMATCH)', () => {
      const edited = rewrite(lines, seqs.administration, (e) => { e.data.patient = 'P-9999' }, { tail: false })
      expectFailure(write(edited), 'PREV_MISMATCH', seqs.administration + 1)
    })

    it('when a line is deleted, then it fails with SEQ_GAP naming the missing seq', () => {
      const f = expectFailure(write(lines.filter((_, i) => i !== seqs.doseWaste - 1)), 'SEQ_GAP', seqs.doseWaste)
      expect(f.message).toContain(`entry ${seqs.doseWaste} is missing`)
    })

    it('when two lines are swapped, then it fails with REORDERED at the first of them', () => {
      const swapped = [...lines]
      ;[swapped[seqs.administration - 1], swapped[seqs.administration]] = [swapped[seqs.administration]!, swapped[seqs.administration - 1]!]
      expectFailure(write(swapped), 'REORDERED', seqs.administration)
    })

    it('when a line is repeated, then it fails with DUPLICATE_SEQ where the copy stands', () => {
      const doubled = [...lines.slice(0, seqs.administration), lines[seqs.administration - 1]!, ...lines.slice(seqs.administration)]
      expectFailure(write(doubled), 'DUPLICATE_SEQ', seqs.administration + 1)
    })

    it('when the tail is cut off, then it passes alone but fails with TRUNCATED against the head given out earlier', () => {
      const cut = write(lines.slice(0, 30))
      expect(verify(cut).report.ok).toBe(true)
      const f = expectFailure(cut, 'TRUNCATED', 31, '--head', `${seqs.head}:${hashAt(seqs.head)}`)
      expect(f.message).toContain(`entries 31-${seqs.head} were removed`)
    })

    it('when history is rewritten and every later hash recomputed, then only a head given out earlier catches it (HEAD_MISMATCH)', () => {
      const rewritten = write(rewrite(lines, seqs.containerWaste, (e) => { e.data.reason = 'expired after 28 days' }, { tail: true }))
      expect(verify(rewritten).report.ok).toBe(true)
      expect(verify(rewritten, '--head', `${seqs.containerWaste - 1}:${hashAt(seqs.containerWaste - 1)}`).report.ok).toBe(true)
      expectFailure(rewritten, 'HEAD_MISMATCH', seqs.head, '--head', `${seqs.head}:${hashAt(seqs.head)}`)
    })

    it('when an entry carries another ledger id, then it fails with FOREIGN_ENTRY', () => {
      expectFailure(write(rewrite(lines, 20, (e) => { e.ledger_id = 'another-ledger' }, { tail: true })), 'FOREIGN_ENTRY', 20)
    })

    it('when a line is reformatted (same JSON, other bytes), then it fails with NOT_CANONICAL', () => {
      const { entry, hash } = parse(lines[5]!)
      const pretty = [...lines]
      pretty[5] = `{"entry": ${canonicalJson(entry)}, "hash": "${hash}"}\n`
      expectFailure(write(pretty), 'NOT_CANONICAL', 6)
      const reordered = [...lines]
      reordered[5] = `{"hash":"${hash}","entry":${canonicalJson(entry)}}\n`
      expectFailure(write(reordered), 'NOT_CANONICAL', 6)
    })

    it('when a count is written as a fraction, then it fails with MALFORMED', () => {
      const floaty = [...lines]
      floaty[seqs.receipt - 1] = floaty[seqs.receipt - 1]!.replace('"containers":5', '"containers":5.0')
      expectFailure(write(floaty), 'MALFORMED', seqs.receipt)
    })

    it('when the last line loses its line feed, then it fails with MALFORMED', () => {
      expectFailure(write(lines.join('').slice(0, -1)), 'MALFORMED', seqs.head)
    })

    it('when an optional field is written as null, or a decimal in another spelling, then it fails with INVALID_ENTRY', () => {
      expectFailure(write(rewrite(lines, seqs.administration, (e) => { e.request_id = null }, { tail: true })), 'INVALID_ENTRY', seqs.administration)
      expectFailure(write(rewrite(lines, seqs.administration, (e) => { e.data.given_mg = '35.0' }, { tail: true })), 'INVALID_ENTRY', seqs.administration)
    })

    it('when a receipt is shrunk and the chain re-hashed, then replaying fails where stock goes below zero (IMPOSSIBLE_ENTRY)', () => {
      const f = expectFailure(write(rewrite(lines, seqs.receipt, (e) => { e.data.containers = 1 }, { tail: true })), 'IMPOSSIBLE_ENTRY', seqs.transfer)
      expect(f.message).toContain('not enough sealed containers')
    })

    it('when a correction\'s "before" no longer matches the entry it corrects, then it fails with IMPOSSIBLE_ENTRY', () => {
      const f = expectFailure(write(rewrite(lines, seqs.correction, (e) => { (e.data.before as Record<string, unknown>).given_mg = '40' }, { tail: true })), 'IMPOSSIBLE_ENTRY', seqs.correction)
      expect(f.message).toContain('"before"')
    })

    it('when a waste names its actor as witness, then it fails with RULE_BROKEN', () => {
      expectFailure(write(rewrite(lines, seqs.doseWaste, (e) => { e.witness = e.actor }, { tail: true })), 'RULE_BROKEN', seqs.doseWaste)
    })

    it('when values inside entries are changed at random and the chain re-hashed, then verify.py never crashes and names only documented codes', () => {
      const r = spawnSync(PYTHON, [join(HERE, 'fuzz-verify.py'), write(lines), '300', '20261102'], { encoding: 'utf8' })
      expect(r.stderr).toBe('')
      const { crashes, codes, first_crash: firstCrash } = JSON.parse(r.stdout) as { crashes: number; codes: Record<string, number>; first_crash: unknown }
      expect(firstCrash).toBeNull()
      expect(crashes).toBe(0)
      expect(Object.keys(codes).sort()).toEqual(['IMPOSSIBLE_ENTRY', 'INVALID_ENTRY', 'OK', 'RULE_BROKEN'])
    })

    it('when a dose with waste against it is voided instead of amended, then it fails with RULE_BROKEN', () => {
      const voided = rewrite(lines, seqs.correction, (e) => { e.data.action = 'void'; delete e.data.amended }, { tail: true })
      expect(expectFailure(write(voided), 'RULE_BROKEN', seqs.correction).message).toContain('waste recorded against it')
    })

    it('when an amendment is edited so that its end state goes below zero, then it fails with IMPOSSIBLE_ENTRY', () => {
      // Both vials of K2419B left SAFE-1; lowering the receipt from 2 to 1 would leave SAFE-1 at -1.
      const lowered = rewrite(lines, seqs.endStateAmendment, (e) => { (e.data.amended as Record<string, unknown>).containers = 1 }, { tail: true })
      expect(expectFailure(write(lowered), 'IMPOSSIBLE_ENTRY', seqs.endStateAmendment).message).toContain('below zero')
    })
  })

  describe('given an export whose counts, losses or disposals were tampered with', () => {
    const expectFailure = (file: string, code: string, seq: number) => {
      const { status, report } = verify(file)
      expect(report.failure, JSON.stringify(report)).toMatchObject({ code, seq })
      expect(status).toBe(1)
      return report.failure!
    }
    type Item = Record<string, unknown>

    it('when a reconciliation\'s adjustment is edited and the chain re-hashed, then it fails with RULE_BROKEN at the reconciliation', () => {
      const edited = rewrite(lines, seqs.lossReconciliation, (e) => { (e.data.adjustment as Item).delta = -2 }, { tail: true })
      expect(expectFailure(write(edited), 'RULE_BROKEN', seqs.lossReconciliation).message).toContain('the adjustment must be')
    })

    it('when a count and its reconciliation are rewritten to agree on a bigger loss, then replay fails where sealed stock goes below zero', () => {
      const count = rewrite(lines, seqs.count, (e) => {
        const [first] = e.data.items as Item[]
        const [disc] = e.data.discrepancies as Array<{ item: Item; difference: string }>
        first!.counted = 0
        disc!.item.counted = 0
        disc!.difference = '-2'
      }, { tail: true })
      const both = rewrite(count, seqs.lossReconciliation, (e) => {
        (e.data.adjustment as Item).delta = -2
        const [item] = (e.data.loss as { items: Item[] }).items
        Object.assign(item!, { containers: 2, amount_ml: '20', amount_mg: '1000' })
      }, { tail: true })
      const f = expectFailure(write(both), 'IMPOSSIBLE_ENTRY', seqs.destruction)
      expect(f.message).toContain('not enough sealed containers of KET-50 lot K2417A at SAFE-1')
    })

    it('when a count states an expected value the book did not hold, then it fails with RULE_BROKEN', () => {
      const edited = rewrite(lines, seqs.count, (e) => { Object.assign((e.data.items as Item[])[1]!, { expected: 2, counted: 2 }) }, { tail: true })
      expect(expectFailure(write(edited), 'RULE_BROKEN', seqs.count).message).toContain('but the book held 1')
    })

    it('when the late entry a documentation error links is moved after the count, then it fails with RULE_BROKEN', () => {
      const edited = rewrite(lines, seqs.lateAdministration, (e) => { e.occurred_at = e.recorded_at }, { tail: true })
      expect(expectFailure(write(edited), 'RULE_BROKEN', seqs.documentationReconciliation).message).toContain('after the count')
    })

    it('when a direct loss\'s items are edited, then replay fails where stock goes below zero (IMPOSSIBLE_ENTRY)', () => {
      const edited = rewrite(lines, seqs.directLoss, (e) => { Object.assign((e.data.items as Item[])[0]!, { containers: 12, amount_ml: '24', amount_mg: '24' }) }, { tail: true })
      expect(expectFailure(write(edited), 'IMPOSSIBLE_ENTRY', seqs.directLoss).message).toContain('not enough sealed containers of MDZ-1 lot M88')
    })

    it('when a direct loss no longer removes its items (adjusts_stock false), then it fails with INVALID_ENTRY', () => {
      expectFailure(write(rewrite(lines, seqs.directLoss, (e) => { e.data.adjusts_stock = false }, { tail: true })), 'INVALID_ENTRY', seqs.directLoss)
    })

    it('when a loss\'s notice deadline is moved past the weekend, then it fails with RULE_BROKEN', () => {
      // Discovered Friday 16:45 in Chicago: one business day later is Monday 16:45, not Saturday.
      const edited = rewrite(lines, seqs.directLoss, (e) => { e.data.notice_due = '2026-11-07T22:45:00.000Z' }, { tail: true })
      expect(expectFailure(write(edited), 'RULE_BROKEN', seqs.directLoss).message).toContain('2026-11-09T22:45:00.000Z')
    })

    it('when a disposal takes only part of an open container, then it fails with RULE_BROKEN', () => {
      const edited = rewrite(lines, seqs.destruction, (e) => { Object.assign((e.data.items as Item[])[0]!, { amount_ml: '7', amount_mg: '350' }) }, { tail: true })
      expect(expectFailure(write(edited), 'RULE_BROKEN', seqs.destruction).message).toContain('takes container C-0003 whole')
    })

    it('when the biennial inventory is relabelled initial, then it fails with RULE_BROKEN', () => {
      expectFailure(write(rewrite(lines, seqs.biennialInventory, (e) => { e.data.type = 'initial' }, { tail: true })), 'RULE_BROKEN', seqs.biennialInventory)
    })
  })

  describe('given the hash vectors of ledger-core (v1.json) written as an export', () => {
    it('when verified without replay, then every vector passes the chain and field checks, and they cover every entry kind', () => {
      const { vectors } = JSON.parse(readFileSync(HASH_VECTORS, 'utf8')) as { vectors: Array<{ entry: { kind: string }; canonical: string; hash: string }> }
      expect(new Set(vectors.map((v) => v.entry.kind))).toEqual(new Set(ENTRY_KINDS))
      const file = write(vectors.map((v) => `{"entry":${v.canonical},"hash":"${v.hash}"}\n`))
      const { status, report } = verify(file, '--no-replay')
      expect(report.failure).toBeNull()
      expect([status, report.entries, report.replayed]).toEqual([0, vectors.length, false])
    })
  })

  describe('given the worked example in docs/ledger-format.md', () => {
    let doc = ''
    beforeAll(() => { doc = readFileSync(FORMAT_DOC, 'utf8') })

    it('when the library builds the same ledger, then its export is the document\'s, byte for byte, and verify.py passes it', async () => {
      const block = /```jsonl\n([\s\S]*?)```/.exec(doc)?.[1]
      expect(block).toBeDefined()
      const built = await buildWorkedExample()
      expect(block).toBe(built)
      expect(verify(write(built)).report).toMatchObject({ ok: true, entries: 3 })
    })

    it('when the hashes the document lists are recomputed, then they match', async () => {
      const built = (await buildWorkedExample()).split('\n').slice(0, -1).map(parse)
      const listed = [...doc.matchAll(/^\| (\d+) \| `([0-9a-f]{64})` \|$/gm)].map((m) => [Number(m[1]), m[2]])
      expect(listed).toEqual(built.map(({ entry, hash }) => [entry.seq, hash]))
      const bytes = /bytes hashed for seq 1 \(hex\)[^`]*```\n([0-9a-f\n]+)```/.exec(doc)?.[1]?.replace(/\n/g, '')
      const canonical = canonicalJson(built[0]!.entry)
      expect(bytes).toBe(Buffer.concat([Buffer.from('csledger:entry:v1\u0000', 'ascii'), Buffer.from(canonical, 'utf8')]).toString('hex'))
      expect(hashCanonical(canonical)).toBe(built[0]!.hash)
    })
  })

  describe('given JSON values, its RFC 8785 canonicalization', () => {
    it('when given the RFC 8785 vectors that hold no fractions, then it writes their exact output', () => {
      const vectors = join(HERE, 'rfc8785')
      const names = readdirSync(join(vectors, 'input')).sort()
      expect(names.length).toBe(4)
      const inputs = names.map((f) => JSON.stringify(JSON.parse(readFileSync(join(vectors, 'input', f), 'utf8'))))
      expect(canonicalizeInPython(inputs)).toEqual(names.map((f) => readFileSync(join(vectors, 'output', f), 'utf8')))
    })

    it('when given any value of integers, strings, arrays and objects, then it agrees with the library', () => {
      const { value } = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: 'small' },
          fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }),
          fc.array(tie('value')), fc.dictionary(fc.string({ unit: 'binary' }), tie('value')),
        ),
      }))
      const samples = fc.sample(value, { numRuns: 800, seed: 8785 })
      expect(canonicalizeInPython(samples.map((v) => JSON.stringify(v)))).toEqual(samples.map((v) => canonicalJson(v)))
    })

    it('when given what format v1 forbids (fractions, exponents, duplicate keys, lone surrogates, NaN), then it refuses', () => {
      const out = canonicalizeInPython(['1.5', '1e3', '{"a":1,"a":2}', '"\\ud800"', 'NaN', '9007199254740993'])
      expect(out.map((l) => l.startsWith('ERROR '))).toEqual([true, true, true, true, true, true])
    })
  })
})
