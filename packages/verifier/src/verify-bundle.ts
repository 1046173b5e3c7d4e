import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { checkpointCode, ledgerIdOfOrigin, parseCheckpoint, parseCheckpointCode, base32 } from './checkpoint.ts'
import { ENTRY_FORMAT, GENESIS_PREV_HASH, canonicalJson, entryHash } from './entry-hash.ts'
import { Frontier, LeafStore, consistencyProof, entryLeaf, hashLeaf, sha256, verifyConsistency } from './merkle.ts'
import { parseNote, parseVerifierKey, signatureVerifies, type TrustedKey } from './signed-note.ts'
import { EntrySignatureCheck, SIGNATURES } from './entry-signatures.ts'

export type Severity = 'error' | 'warning' | 'info'

/** One thing the verifier found, as data: what, where, and the expected and found values. */
export interface BundleFinding {
  /** Stable code, e.g. HASH_MISMATCH, ROOT_MISMATCH, BAD_SIGNATURE (docs/checkpoints.md lists them). */
  readonly code: string
  readonly severity: Severity
  readonly message: string
  /** Bundle-relative file the finding is about. */
  readonly file?: string
  /** 1-based line in that file. */
  readonly line?: number
  /** The entry concerned. */
  readonly seq?: number
  readonly expected?: string
  readonly found?: string
}

/** What the verifier made of one checkpoint file. */
export interface CheckpointSummary {
  readonly file: string
  readonly origin: string | null
  readonly size: number | null
  /** Root hash, base64, as signed. */
  readonly root: string | null
  /** The printed form: size and base32 root prefix. */
  readonly code: string | null
  /** When it was signed, as its signed `time` line says. */
  readonly time: string | null
  /** Trusted keys whose signatures verified (`<name>+<key ID>`). */
  readonly signedBy: readonly string[]
  /** Signatures by keys not in keys.txt (ignored). */
  readonly unknownSigners: readonly string[]
  /** ok: signed and matches the entries; otherwise why not. */
  readonly status: 'ok' | 'bad-note' | 'bad-signature' | 'other-origin' | 'truncated' | 'root-mismatch'
}

/**
 * verified: chain intact and anchored by at least one matching signed checkpoint (or printed code).
 * unanchored: nothing wrong found, but nothing signed ties the history down.
 * failed: at least one error. unreadable: the bundle could not be read at all.
 */
export type BundleStatus = 'verified' | 'unanchored' | 'failed' | 'unreadable'

export interface VerifyReport {
  readonly status: BundleStatus
  /** One line naming the outcome and, when it failed, the first failure. */
  readonly verdict: string
  readonly bundle: string
  readonly ledgerId: string | null
  readonly origin: string | null
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string } | null
  /** Trusted keys read from keys.txt. */
  readonly keys: readonly string[]
  readonly checkpoints: readonly CheckpointSummary[]
  /** Entry signatures (signatures.jsonl) checked with the keys the chain records (docs/signatures.md). */
  readonly signatures: { readonly file: boolean; readonly verified: number; readonly unsignedWithoutKey: number; readonly keyedUsers: number }
  readonly findings: readonly BundleFinding[]
  /** Findings left out past the limit. */
  readonly omittedFindings: number
}

export interface VerifyBundleOptions {
  /** Checkpoint codes copied from paper (count sheets), e.g. "1042 MFRG-GZDF-MZTW-Q2LK". */
  readonly codes?: readonly string[]
  /** Key names that must have signed every checkpoint (e.g. the medical director's key). */
  readonly require?: readonly string[]
  /** Most findings kept (default 200); the first failure is always kept. */
  readonly maxFindings?: number
}

interface CheckpointState {
  file: string
  time: string | null
  origin: string | null
  size: number | null
  root: Buffer | null
  signedBy: string[]
  unknownSigners: string[]
  status: CheckpointSummary['status']
}

const ENTRIES = 'entries.jsonl'
const KEYS = 'keys.txt'
const CHECKPOINTS = 'checkpoints'

/**
 * Verifies an export bundle with nothing but Node: a folder holding entries.jsonl (one line
 * `{"entry":<canonical JSON>,"hash":"<hex>"}` per entry), keys.txt (trusted verifier keys, one per
 * line) and checkpoints/*.txt (signed checkpoints). Checks canonical form, entry hashes, the chain
 * (seq from 1 by 1, prev_hash links, one ledger), checkpoint signatures, the Merkle root at each
 * checkpoint's size, that checkpoints are consistent with each other, and any printed codes.
 * Returns every finding as data; never throws for a bad bundle.
 *
 * @example
 * const report = await verifyBundle('./export-2026-11-26', { codes: ['1042 MFRG-GZDF-MZTW-Q2LK'] })
 * console.log(report.verdict)
 */
export async function verifyBundle(dir: string, options: VerifyBundleOptions = {}): Promise<VerifyReport> {
  const max = options.maxFindings ?? 200
  const findings: BundleFinding[] = []
  let omitted = 0
  const add = (f: BundleFinding): void => {
    if (findings.length < max || (f.severity === 'error' && !findings.some((x) => x.severity === 'error'))) findings.push(f)
    else omitted++
  }
  const base = { bundle: dir, ledgerId: null, origin: null, entries: 0, head: null, keys: [], checkpoints: [], signatures: { file: false, verified: 0, unsignedWithoutKey: 0, keyedUsers: 0 } }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { ...base, status: 'unreadable', verdict: `UNREADABLE: ${dir} is not a folder`, findings: [{ code: 'BUNDLE_UNREADABLE', severity: 'error', message: `${dir} is not a folder` }], omittedFindings: 0 }
  }
  if (!existsSync(join(dir, ENTRIES))) {
    return { ...base, status: 'unreadable', verdict: `UNREADABLE: the bundle has no ${ENTRIES}`, findings: [{ code: 'BUNDLE_UNREADABLE', severity: 'error', file: ENTRIES, message: `the bundle has no ${ENTRIES}` }], omittedFindings: 0 }
  }

  // 1. Trusted keys.
  const keys = readKeys(dir, add)

  // 2. Checkpoints: syntax and signatures.
  const checkpoints = readCheckpoints(dir, keys, options.require ?? [], add)
  const signed = checkpoints.filter((c) => c.status === 'ok')
  const origin = signed[0]?.origin ?? null
  for (const c of signed) {
    if (c.origin !== origin) {
      c.status = 'other-origin'
      add({ code: 'ORIGIN_MISMATCH', severity: 'error', file: c.file, message: `${c.file} is a checkpoint of ${JSON.stringify(c.origin)}, not of ${JSON.stringify(origin)}: it belongs to another ledger`, expected: origin ?? '', found: c.origin ?? '' })
    }
  }
  const trusted = checkpoints.filter((c) => c.status === 'ok')

  // 3. Entries, streamed: canonical form, hashes, chain; Merkle roots at the sizes of interest.
  const codes: { text: string; size: number; rootPrefix: string }[] = []
  for (const text of options.codes ?? []) {
    const c = parseCheckpointCode(text)
    if (c) codes.push({ text, ...c })
    else add({ code: 'BAD_CODE', severity: 'error', message: `${JSON.stringify(text)} is not a checkpoint code (it reads like "1042 MFRG-GZDF-MZTW-Q2LK")` })
  }
  const wanted = new Set<number>([...trusted.map((c) => c.size as number), ...codes.map((c) => c.size)])
  const sigs = new EntrySignatureCheck(join(dir, SIGNATURES), (f) => add({ severity: 'error', ...f }))
  const chain = await readEntries(join(dir, ENTRIES), wanted, add, sigs)
  await sigs.finish()
  if (!sigs.present && sigs.signingSince !== null) {
    add({ code: 'NO_SIGNATURES', severity: 'error', file: SIGNATURES, message: `the bundle has no ${SIGNATURES}, but the chain records signing keys since entry ${sigs.signingSince}: its entries cannot be shown to be signed` })
  }
  // A key the chain records for a user must be the key keys.txt (from outside the clinic) gives that
  // user, when it gives one: otherwise the user's public key was substituted in the chain.
  for (const k of sigs.keys) {
    const named = keys.filter((t) => chain.ledgerId !== null && t.name.endsWith(`/${chain.ledgerId}/${k.username}`))
    if (named.length > 0 && !named.some((t) => t.publicKey.export({ format: 'jwk' }).x === k.raw.toString('base64url'))) {
      add({ code: 'KEY_MISMATCH', severity: 'error', file: ENTRIES, seq: k.since, message: `entry ${k.since} records ${k.publicKey} as ${k.username}'s key, but ${KEYS} gives ${k.username} another key (${named.map((t) => t.label).join(', ')}): the user's public key was substituted in the chain`, expected: named[0]!.label, found: k.publicKey })
    }
  }

  // 4. The ledger the checkpoints name is the ledger of the entries.
  if (origin !== null && chain.ledgerId !== null && ledgerIdOfOrigin(origin) !== chain.ledgerId) {
    add({ code: 'ORIGIN_LEDGER_MISMATCH', severity: 'error', message: `the checkpoints are for ${JSON.stringify(origin)} but the entries are of ledger ${chain.ledgerId}`, expected: chain.ledgerId, found: origin })
  }

  // 5. Each signed checkpoint against the entries.
  const bySize = [...trusted].sort((a, b) => (a.size as number) - (b.size as number) || a.file.localeCompare(b.file))
  for (const c of bySize) {
    const size = c.size as number
    if (size > chain.count) {
      c.status = 'truncated'
      add({ code: 'TRUNCATED', severity: 'error', file: c.file, message: `${c.file} was signed when the ledger had ${size} entries, but the bundle holds ${chain.count}: ${range(chain.count + 1, size)} removed`, expected: String(size), found: String(chain.count) })
    } else if (!(chain.roots.get(size) as Buffer).equals(c.root as Buffer)) {
      c.status = 'root-mismatch'
      add({ code: 'ROOT_MISMATCH', severity: 'error', file: c.file, message: `entries 1-${size} do not hash to the root signed in ${c.file}: history up to seq ${size} was changed after it was signed`, expected: (c.root as Buffer).toString('base64'), found: (chain.roots.get(size) as Buffer).toString('base64') })
    }
  }

  // 6. Two signed roots for one size: the signer signed two histories.
  for (let i = 1; i < bySize.length; i++) {
    const [a, b] = [bySize[i - 1] as CheckpointState, bySize[i] as CheckpointState]
    if (a.size === b.size && !(a.root as Buffer).equals(b.root as Buffer)) {
      add({ code: 'CHECKPOINT_FORK', severity: 'error', file: b.file, message: `${a.file} and ${b.file} both sign size ${a.size} with different roots: two different histories were signed` })
    }
  }

  // 7. Consistency: an older checkpoint that no longer matches must still be a prefix of the newest
  //    one that does. If it is not, the signer signed two incompatible histories.
  const newest = [...bySize].reverse().find((c) => c.status === 'ok')
  if (newest) {
    for (const a of bySize) {
      if (a.status !== 'root-mismatch' || (a.size as number) >= (newest.size as number)) continue
      const proof = consistencyProof(a.size as number, newest.size as number, chain.leaves)
      if (!verifyConsistency(a.size as number, newest.size as number, a.root as Buffer, newest.root as Buffer, proof)) {
        add({ code: 'INCONSISTENT_CHECKPOINTS', severity: 'error', file: a.file, message: `${a.file} (size ${a.size}) is not a prefix of ${newest.file} (size ${newest.size}): both are validly signed, so the first ${a.size} entries were rewritten between the two signatures` })
      }
    }
  }

  // 8. Codes from paper.
  let anchoredByCode = false
  for (const c of codes) {
    if (c.size > chain.count) {
      add({ code: 'CODE_TRUNCATED', severity: 'error', message: `the code ${c.text} was printed when the ledger had ${c.size} entries, but the bundle holds ${chain.count}: ${range(chain.count + 1, c.size)} removed` })
      continue
    }
    const root = chain.roots.get(c.size) as Buffer
    if (base32(root).startsWith(c.rootPrefix)) {
      anchoredByCode = true
      add({ code: 'CODE_MATCHES', severity: 'info', message: `the code ${c.text} matches entries 1-${c.size}` })
    } else {
      add({ code: 'CODE_MISMATCH', severity: 'error', message: `the code ${c.text} does not match entries 1-${c.size}, whose code is ${checkpointCode(c.size, root)}: history up to seq ${c.size} differs from what was printed`, expected: c.text, found: checkpointCode(c.size, root) })
    }
  }

  // 9. Coverage.
  const covered = Math.max(0, ...bySize.filter((c) => c.status === 'ok').map((c) => c.size as number))
  if (covered === 0 && !anchoredByCode && chain.count > 0) {
    add({ code: 'NO_CHECKPOINT', severity: 'warning', message: checkpoints.length === 0 ? 'the bundle has no checkpoint: nothing signed ties this history down, so a rewrite of the whole chain would go unseen' : 'no checkpoint is both validly signed and matching: nothing signed ties this history down' })
  } else if (covered > 0 && covered < chain.count) {
    add({ code: 'UNCOVERED_TAIL', severity: 'info', message: `${range(covered + 1, chain.count)} not yet covered by a signed checkpoint` })
  }

  const summaries: CheckpointSummary[] = checkpoints.map((c) => ({
    file: c.file,
    origin: c.origin,
    size: c.size,
    root: c.root?.toString('base64') ?? null,
    code: c.size !== null && c.root ? checkpointCode(c.size, c.root) : null,
    time: c.time,
    signedBy: c.signedBy,
    unknownSigners: c.unknownSigners,
    status: c.status,
  }))
  const status: BundleStatus = findings.some((f) => f.severity === 'error') ? 'failed' : findings.some((f) => f.severity === 'warning') ? 'unanchored' : 'verified'
  const report = {
    status,
    bundle: dir,
    ledgerId: chain.ledgerId,
    origin,
    entries: chain.count,
    head: chain.head,
    keys: keys.map((k) => k.label),
    checkpoints: summaries,
    signatures: { file: sigs.present, verified: sigs.verified, unsignedWithoutKey: sigs.withoutKey, keyedUsers: new Set(sigs.keys.map((k) => k.username)).size },
    findings,
    omittedFindings: omitted,
  }
  return { ...report, verdict: verdictOf(report) }
}

function verdictOf(r: Omit<VerifyReport, 'verdict'>): string {
  const firstError = r.findings.find((f) => f.severity === 'error')
  if (firstError) return `FAILED: ${firstError.message}`
  const firstWarning = r.findings.find((f) => f.severity === 'warning')
  if (firstWarning) return `UNANCHORED: ${r.entries} entries form an intact chain, but ${firstWarning.message}`
  const ok = r.checkpoints.filter((c) => c.status === 'ok').sort((a, b) => (b.size as number) - (a.size as number))
  const latest = ok[0]
  const anchor = latest ? `${ok.length} signed checkpoint${ok.length === 1 ? '' : 's'} match; latest ${latest.code} signed by ${latest.signedBy.join(', ')}` : 'the printed codes match'
  const signed = r.signatures.verified > 0 ? `; ${r.signatures.verified} entry signatures verified` : ''
  return `VERIFIED: ${r.entries} entries of ledger ${r.ledgerId}, chain intact${signed}; ${anchor}`
}

function readKeys(dir: string, add: (f: BundleFinding) => void): TrustedKey[] {
  const file = join(dir, KEYS)
  if (!existsSync(file)) {
    add({ code: 'NO_KEYS', severity: 'warning', file: KEYS, message: `the bundle has no ${KEYS}: no checkpoint signature can be checked` })
    return []
  }
  const keys: TrustedKey[] = []
  readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const key = parseVerifierKey(line)
    if (typeof key === 'string') {
      add({ code: 'BAD_KEY', severity: 'error', file: KEYS, line: i + 1, message: `${KEYS}:${i + 1} is not a verifier key: ${key}` })
      return
    }
    const same = keys.find((k) => k.label === key.label)
    if (!same) keys.push(key)
    else if (!same.publicKey.equals(key.publicKey)) add({ code: 'AMBIGUOUS_KEY', severity: 'error', file: KEYS, line: i + 1, message: `${KEYS}:${i + 1}: two different keys are both named ${key.label}` })
  })
  return keys
}

function readCheckpoints(dir: string, keys: readonly TrustedKey[], require: readonly string[], add: (f: BundleFinding) => void): CheckpointState[] {
  const folder = join(dir, CHECKPOINTS)
  if (!existsSync(folder)) return []
  const files = readdirSync(folder).filter((f) => f.endsWith('.txt')).sort()
  return files.map((name) => {
    const file = `${CHECKPOINTS}/${name}`
    const state: CheckpointState = { file, time: null, origin: null, size: null, root: null, signedBy: [], unknownSigners: [], status: 'ok' }
    const note = parseNote(readFileSync(join(folder, name)))
    if (typeof note === 'string') {
      add({ code: 'MALFORMED_NOTE', severity: 'error', file, message: `${file} is not a signed note: ${note}` })
      state.status = 'bad-note'
      return state
    }
    const body = parseCheckpoint(note.text)
    if (typeof body === 'string') {
      add({ code: 'MALFORMED_CHECKPOINT', severity: 'error', file, message: `${file} is not a checkpoint: ${body}` })
      state.status = 'bad-note'
      return state
    }
    Object.assign(state, { origin: body.origin, size: body.size, root: body.root, time: body.time })
    const seen = new Set<string>()
    for (const sig of note.signatures) {
      const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId)
      if (!key) {
        if (!state.unknownSigners.includes(sig.label)) state.unknownSigners.push(sig.label)
        continue
      }
      if (seen.has(key.label)) continue
      seen.add(key.label)
      if (signatureVerifies(key, note.text, sig.signature)) state.signedBy.push(key.label)
      else {
        state.status = 'bad-signature'
        add({ code: 'BAD_SIGNATURE', severity: 'error', file, message: `the signature by ${key.label} on ${file} does not verify: the checkpoint was changed after it was signed, or the signature is forged` })
      }
    }
    if (state.status === 'ok' && state.signedBy.length === 0) {
      state.status = 'bad-signature'
      add({ code: 'NO_VERIFIED_SIGNATURE', severity: 'error', file, message: `${file} has no signature by a key in ${KEYS}${state.unknownSigners.length ? ` (signed by ${state.unknownSigners.join(', ')})` : ''}` })
    }
    for (const name of require) {
      if (!state.signedBy.some((label) => label.startsWith(`${name}+`))) {
        if (state.status === 'ok') state.status = 'bad-signature'
        add({ code: 'MISSING_SIGNER', severity: 'error', file, message: `${file} is not signed by ${name}` })
      }
    }
    return state
  })
}

interface ChainResult {
  count: number
  ledgerId: string | null
  head: { seq: number; hash: string } | null
  leaves: LeafStore
  roots: Map<number, Buffer>
}

async function readEntries(path: string, wanted: ReadonlySet<number>, add: (f: BundleFinding) => void, sigs: EntrySignatureCheck): Promise<ChainResult> {
  const leaves = new LeafStore()
  const frontier = new Frontier()
  const roots = new Map<number, Buffer>()
  if (wanted.has(0)) roots.set(0, frontier.root())
  let ledgerId: string | null = null
  let head: ChainResult['head'] = null
  let expectedSeq = 1
  // The previous entry's hash as its content gives it, and as stored (they differ when it was edited).
  // null after a malformed line, whose hash is unknown.
  let prev: { computed: string; stored: string } | null = { computed: GENESIS_PREV_HASH, stored: GENESIS_PREV_HASH }
  let lineNo = 0
  const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  for await (const line of input) {
    lineNo++
    const where = { file: ENTRIES, line: lineNo }
    const parsed = parseLine(line)
    if (typeof parsed === 'string') {
      add({ code: 'MALFORMED_LINE', severity: 'error', ...where, message: `${ENTRIES}:${lineNo} ${parsed}` })
      // Keep the leaf positions: a placeholder that cannot match any real entry.
      append(hashLeaf(sha256(Buffer.from(`malformed:${line}`))))
      expectedSeq++
      prev = null
      continue
    }
    const { entry, hash: stored, canonical } = parsed
    const seq = entry.seq
    const at = { ...where, seq }
    if (line !== `{"entry":${canonical},"hash":"${stored}"}`) {
      add({ code: 'NOT_CANONICAL', severity: 'error', ...at, message: `${ENTRIES}:${lineNo} (seq ${seq}) is not in canonical form: its bytes were edited (the export writes RFC 8785 canonical JSON)` })
    }
    const computed = entryHash(canonical)
    if (computed !== stored) {
      add({ code: 'HASH_MISMATCH', severity: 'error', ...at, message: `entry ${seq} was edited: its content hashes to ${short(computed)} but its recorded hash is ${short(stored)}`, expected: stored, found: computed })
    }
    if (entry.format !== ENTRY_FORMAT) {
      add({ code: 'UNKNOWN_FORMAT', severity: 'error', ...at, message: `entry ${seq} has format ${JSON.stringify(entry.format)}; this verifier knows format ${ENTRY_FORMAT}` })
    }
    let gap = false
    if (seq !== expectedSeq) {
      gap = true
      add(seq > expectedSeq
        ? { code: 'SEQ_GAP', severity: 'error', ...at, message: `expected seq ${expectedSeq} at ${ENTRIES}:${lineNo} but found ${seq}: ${range(expectedSeq, seq - 1)} missing (deleted)`, expected: String(expectedSeq), found: String(seq) }
        : { code: 'SEQ_OUT_OF_ORDER', severity: 'error', ...at, message: `expected seq ${expectedSeq} at ${ENTRIES}:${lineNo} but found ${seq}: entries were repeated, inserted or reordered`, expected: String(expectedSeq), found: String(seq) })
    }
    if (!gap && prev !== null && entry.prev_hash !== prev.computed && entry.prev_hash !== prev.stored) {
      add({ code: 'PREV_MISMATCH', severity: 'error', ...at, message: seq === 1 || lineNo === 1
        ? `the first entry's prev_hash must be 64 zeros but is ${short(entry.prev_hash)}: the start of the chain is missing or forged`
        : `entry ${seq} does not follow the entry before it: its prev_hash is ${short(entry.prev_hash)} but that entry hashes to ${short(prev.computed)} (an entry was inserted, replaced or edited)`, expected: prev.computed, found: entry.prev_hash })
    }
    if (ledgerId === null) ledgerId = entry.ledger_id
    else if (entry.ledger_id !== ledgerId) {
      add({ code: 'FOREIGN_ENTRY', severity: 'error', ...at, message: `entry ${seq} belongs to ledger ${entry.ledger_id}, not ${ledgerId}: it was copied in from another ledger`, expected: ledgerId, found: entry.ledger_id })
    }
    await sigs.entry(entry as unknown as Record<string, unknown>, computed, lineNo)
    append(entryLeaf(computed))
    expectedSeq = seq + 1
    prev = { computed, stored }
    head = { seq, hash: computed }
  }
  if (lineNo === 0) add({ code: 'NO_ENTRIES', severity: 'error', file: ENTRIES, message: `${ENTRIES} is empty: a ledger starts with its registrant entry` })
  return { count: frontier.size, ledgerId, head, leaves, roots }

  function append(leaf: Buffer): void {
    leaves.push(leaf)
    frontier.append(leaf)
    if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root())
  }
}

interface EntryCore { readonly format: unknown; readonly ledger_id: string; readonly seq: number; readonly prev_hash: string }

function parseLine(line: string): { entry: EntryCore; hash: string; canonical: string } | string {
  if (line === '') return 'is empty'
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return 'is not valid JSON'
  }
  if (!isObject(obj) || Object.keys(obj).sort().join(',') !== 'entry,hash') return 'is not of the form {"entry":…,"hash":…}'
  if (typeof obj.hash !== 'string' || !/^[0-9a-f]{64}$/.test(obj.hash)) return 'has a hash that is not 64 lowercase hex digits'
  const e = obj.entry
  if (!isObject(e)) return 'has an entry that is not an object'
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return 'has an entry without a positive integer seq'
  if (typeof e.ledger_id !== 'string' || e.ledger_id === '') return 'has an entry without a ledger_id'
  if (typeof e.prev_hash !== 'string' || !/^[0-9a-f]{64}$/.test(e.prev_hash)) return 'has an entry without a 64-hex-digit prev_hash'
  const canonical = canonicalJson(e)
  if (canonical === undefined) return 'has an entry with no canonical JSON form'
  return { entry: e as unknown as EntryCore, hash: obj.hash, canonical }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function range(from: number, to: number): string {
  return from === to ? `entry ${from} is` : `entries ${from}-${to} are`
}

function short(h: string): string {
  return h.length > 16 ? `${h.slice(0, 12)}…` : h
}

