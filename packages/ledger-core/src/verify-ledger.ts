import { ChainVerifier, type ExpectedHead } from './chain/verify-chain.ts'
import type { Finding } from './chain/finding.ts'
import { LedgerError } from './errors.ts'
import { canonicalJson } from './chain/canonical-json.ts'
import { evolve } from './state/evolve.ts'
import { MemoryProjections } from './state/memory-projections.ts'
import { type LedgerStore, checkpointRowsOf, signatureRowsOf } from './store/ledger-store.ts'
import { hashCanonical } from './chain/hash-entry.ts'
import { entryLeafHash } from './merkle/rfc6962-hasher.ts'
import { MerkleFrontier } from './merkle/merkle-frontier.ts'
import type { EntrySignature } from './signing/entry-signature.ts'
import { SignatureChecker, type SignatureSummary } from './signing/signature-checker.ts'
import { type CheckpointVerdict, checkCheckpoint, peekCheckpoint } from './signing/checkpoint-check.ts'
import { PackedLeaves } from './signing/packed-leaves.ts'

/** The result of a full verification: the chain, then the projections rebuilt from the entries alone. */
export interface VerifyReport {
  readonly ok: boolean
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly ledger_id: string | null
  readonly findings: readonly Finding[]
  /** Entry signatures checked (present when the chain records a signing key or holds signatures). */
  readonly signatures?: SignatureSummary
  /** Every checkpoint checked: those stored in the ledger, then those given (present when there are any). */
  readonly checkpoints?: readonly CheckpointVerdict[]
}

/** Options of {@link verifyLedger}. */
export interface VerifyOptions {
  /** A head (seq and hash) given out earlier: the chain must still contain it. */
  readonly expectedHead?: ExpectedHead
  /** Signed checkpoints given out earlier (e.g. read from files): the ledger must extend each. */
  readonly checkpoints?: ReadonlyArray<{ readonly label: string; readonly note: string }>
  readonly onProgress?: (n: number) => void
}

/**
 * Verifies a stored ledger: recomputes every hash, checks seq/prev_hash continuity and the row
 * columns, replays the entries into fresh projections and compares them with the stored ones.
 * Never throws for what it finds: findings are data. It verifies the ledger as it stood when it
 * started (entries up to the head read then): entries appended while it runs are left to the next
 * run, and so are their projection writes.
 *
 * @example
 * const report = await verifyLedger(store, { expectedHead: { seq: 120, hash } })
 */
export async function verifyLedger(store: LedgerStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const chain = new ChainVerifier()
  const rebuilt = new MemoryProjections()
  const replayFindings: Finding[] = []
  const lookup = (seq: number) => store.read().entry(seq)
  const history = new HistoryComparer(store.projectionHistoryRows()[Symbol.asyncIterator]())
  let hashAtExpected: string | undefined
  // Signatures and checkpoints (docs/signatures.md): signature rows are merged in by seq, and the
  // Merkle root is kept at every size a checkpoint names.
  const signatures = new SignatureChecker()
  // The ledger as it stands now: entries appended while verify runs are not part of this run.
  const startHead = (await store.read().head())?.seq ?? 0
  const sigRows = new SignatureStream(store)
  let sawSignature = false
  const stored: Array<{ label: string; note: string }> = []
  let n = 0
  for await (const c of checkpointRowsOf(store)) stored.push({ label: `stored checkpoint ${++n} (${c.created_at})`, note: c.note })
  const given = options.checkpoints ?? []
  const wanted = new Set<number>()
  for (const c of [...stored, ...given]) { const cp = peekCheckpoint(c.note); if (cp) wanted.add(cp.size) }
  const frontier = new MerkleFrontier()
  const roots = new Map<number, Uint8Array>()
  if (wanted.has(0)) roots.set(0, frontier.root())
  const leaves = given.length > 0 ? new PackedLeaves() : null
  for await (const row of startHead > 0 ? store.entryRows({ toSeq: startHead }) : []) {
    const entry = chain.push(row)
    if (options.expectedHead && row.seq === options.expectedHead.seq) hashAtExpected = row.hash
    const contentHash = hashCanonical(row.canonical)
    const leaf = entryLeafHash(contentHash)
    frontier.append(leaf)
    leaves?.push(leaf)
    if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root())
    const { mine, misplaced } = await sigRows.upTo(row.seq)
    if (mine.length + misplaced.length > 0) sawSignature = true
    for (const x of misplaced) signatures.misplaced(x)
    if (entry) signatures.push(entry, contentHash, mine)
    if (entry && replayFindings.length < 20) {
      try {
        const changes = await evolve(rebuilt, entry, lookup)
        rebuilt.apply(changes)
        await history.expect(row.seq, changes.map((c) => ({ kind: c.kind, key: c.key, value: canonicalJson(c.value) })))
      } catch (err) {
        const message = err instanceof LedgerError ? err.message : String(err)
        replayFindings.push({ code: 'IMPOSSIBLE_ENTRY', seq: row.seq, message: `entry ${row.seq} cannot be replayed: ${message}` })
      }
    }
    if (options.onProgress && chain.count % 10_000 === 0) options.onProgress(chain.count)
  }
  // Signatures past the chain: left behind by a removed tail, unless their entry was appended since.
  const rest = await sigRows.rest()
  const head = rest.length > 0 ? (await store.read().head())?.seq ?? 0 : 0
  for (const x of rest) {
    if (x.seq > frontier.size && x.seq <= head) continue
    sawSignature = true
    signatures.orphan(x)
  }
  if (!roots.has(frontier.size)) roots.set(frontier.size, frontier.root())
  // Order: damage to the file, the chain, then who signed what and the checkpoints given out (the
  // evidence of tampering), then whether the entries add up (replay, stored projections).
  const findings = [...(await store.checkStorage?.() ?? []), ...chain.finish(options.expectedHead, () => hashAtExpected)]
  const chainFindings = findings.length
  findings.push(...signatures.finish())
  const verdicts: CheckpointVerdict[] = []
  for (const c of stored) {
    const r = checkCheckpoint(c.note, { label: c.label, source: 'stored', ledgerId: chain.ledgerId, directory: signatures.directory, size: frontier.size, roots })
    verdicts.push(r.verdict)
    findings.push(...r.findings)
  }
  for (const c of given) {
    const r = checkCheckpoint(c.note, { label: c.label, ledgerId: chain.ledgerId, directory: signatures.directory, size: frontier.size, roots, ...(leaves ? { leaves } : {}) })
    verdicts.push(r.verdict)
    findings.push(...r.findings)
  }
  findings.push(...replayFindings)
  if (chainFindings === 0 && replayFindings.length === 0) {
    // The stored projections are the current ones: comparable only if nothing was appended since
    // verify started. If something was, the history up to the start (every write, seq by seq)
    // has been compared, which is the same statement about the ledger as it stood then.
    const moved = ((await store.read().head())?.seq ?? 0) !== startHead
    if (!moved) findings.push(...compareProjections(rebuilt.snapshot(), await store.projectionRows()))
    findings.push(...(await history.finish(moved ? startHead : undefined)))
  }
  const extra: { signatures?: SignatureSummary; checkpoints?: CheckpointVerdict[] } = {}
  if (sawSignature || signatures.directory.signingSince !== null) extra.signatures = signatures.summary
  if (verdicts.length > 0) extra.checkpoints = verdicts
  return { ok: findings.length === 0, entries: chain.count, head: chain.head, ledger_id: chain.ledgerId, findings, ...extra }
}

/**
 * Entry signatures read in step with the entries. Signatures commit with their entry, so the
 * signatures of every entry up to the head at the start (all that verify reads) are in the stream.
 */
class SignatureStream {
  readonly #it: AsyncIterator<EntrySignature>
  #next: EntrySignature | null | undefined
  #dry = false

  constructor(store: LedgerStore) {
    this.#it = signatureRowsOf(store)[Symbol.asyncIterator]()
  }

  /** The signatures of entry `seq`, and any stored out of order before it. */
  async upTo(seq: number): Promise<{ mine: EntrySignature[]; misplaced: EntrySignature[] }> {
    const mine: EntrySignature[] = []
    const misplaced: EntrySignature[] = []
    const place = (x: EntrySignature) => { if (x.seq < seq || mine.some((m) => m.role === x.role)) misplaced.push(x); else mine.push(x) }
    if (!this.#dry) {
      for (let x = await this.#peek(); x && x.seq <= seq; x = await this.#peek()) { place(x); this.#next = undefined }
      if (this.#next === null) this.#dry = true
    }
    return { mine, misplaced }
  }

  /** Signatures after the last entry read. */
  async rest(): Promise<EntrySignature[]> {
    const out: EntrySignature[] = []
    if (this.#dry) return out
    for (let x = await this.#peek(); x; x = await this.#peek()) { out.push(x); this.#next = undefined }
    return out
  }

  async #peek(): Promise<EntrySignature | null> {
    if (this.#next === undefined) { const r = await this.#it.next(); this.#next = r.done ? null : r.value }
    return this.#next
  }
}

/**
 * Compares the stored projection history (what `balance --as-of` reads) with the writes a replay
 * makes, entry by entry, streaming both in (seq, kind, key) order.
 */
class HistoryComparer {
  readonly #it: AsyncIterator<{ seq: number; kind: string; key: string; value: string }>
  #peeked: { seq: number; kind: string; key: string; value: string } | null | undefined
  readonly findings: Finding[] = []
  constructor(it: AsyncIterator<{ seq: number; kind: string; key: string; value: string }>) { this.#it = it }

  async #peek() {
    if (this.#peeked === undefined) { const r = await this.#it.next(); this.#peeked = r.done ? null : r.value }
    return this.#peeked
  }

  async expect(seq: number, rows: Array<{ kind: string; key: string; value: string }>): Promise<void> {
    const want = [...rows].sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.kind < b.kind ? -1 : 1))
    const got: Array<{ kind: string; key: string; value: string }> = []
    for (let p = await this.#peek(); p && p.seq <= seq; p = await this.#peek()) {
      if (p.seq < seq) this.#add({ code: 'HISTORY_MISMATCH', seq: p.seq, message: `stored history for entry ${p.seq} has a write (${p.kind} ${p.key}) that no entry makes` })
      else got.push(p)
      this.#peeked = undefined
    }
    const n = Math.max(want.length, got.length)
    for (let i = 0; i < n; i++) {
      const w = want[i]
      const g = got[i]
      if (!w || !g || w.kind !== g.kind || w.key !== g.key || w.value !== g.value) {
        this.#add({ code: 'HISTORY_MISMATCH', seq, message: `stored history for entry ${seq} does not match the entry (${w ? `${w.kind} ${w.key}` : `${g!.kind} ${g!.key}`}): balances as of ${seq} would be wrong`, expected: w?.value ?? '(absent)', found: g?.value ?? '(missing)' })
        return
      }
    }
  }

  /** Reports stored history past the last entry replayed, except writes after `appendedAfter` (entries appended while verifying). */
  async finish(appendedAfter?: number): Promise<Finding[]> {
    const extra = await this.#peek()
    if (extra && !(appendedAfter !== undefined && extra.seq > appendedAfter)) this.#add({ code: 'HISTORY_MISMATCH', seq: extra.seq, message: `stored history has writes for entry ${extra.seq}, beyond the last entry` })
    return this.findings
  }

  #add(f: Finding): void { if (this.findings.length < 20) this.findings.push(f) }
}

function compareProjections(expected: Array<{ kind: string; key: string; value: string }>, found: Array<{ kind: string; key: string; value: string }>): Finding[] {
  const out: Finding[] = []
  const index = new Map(found.map((r) => [`${r.kind}\u0000${r.key}`, r.value]))
  for (const e of expected) {
    const id = `${e.kind}\u0000${e.key}`
    const f = index.get(id)
    index.delete(id)
    if (f !== e.value) out.push({ code: 'PROJECTION_MISMATCH', seq: null, message: `stored ${e.kind} ${e.key} does not match the entries`, expected: e.value, found: f ?? '(missing)' })
  }
  for (const [id, value] of index) {
    const [kind, key] = id.split('\u0000')
    out.push({ code: 'PROJECTION_MISMATCH', seq: null, message: `stored ${kind} ${key} is not derived from any entry`, expected: '(absent)', found: value })
  }
  return out.slice(0, 50)
}
