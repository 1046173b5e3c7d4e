import { AuthError, InputError, IntegrityError, RuleViolation, StoreError } from '../errors.ts'
import type { Entry } from '../model/entry.ts'
import { type Checkpoint } from '../checkpoint/checkpoint.ts'
import { checkpointCode } from '../checkpoint/checkpoint-code.ts'
import { checkpointOrigin } from '../checkpoint/checkpoint-origin.ts'
import { ed25519NoteSigner, type NoteSigner } from '../checkpoint/note-key.ts'
import { signCheckpoint } from '../checkpoint/signed-checkpoint.ts'
import { formatTlogProof } from '../checkpoint/tlog-proof.ts'
import { canonicalJson } from '../chain/canonical-json.ts'
import { inclusionProof as inclusionProofOf, verifyInclusion } from '../merkle/inclusion-proof.ts'
import { type Principal, activeUser } from '../rules/common.ts'
import { type CheckpointRecord, type LedgerStore, checkpointRowsOf, signatureRowsOf } from '../store/ledger-store.ts'
import type { Clock } from '../store/ports.ts'
import { CHECKPOINT_TIME_PREFIX, type CheckpointVerdict, checkCheckpoint, peekCheckpoint } from './checkpoint-check.ts'
import { KeyDirectory, verifierKeysOf } from './key-directory.ts'
import { ledgerTree } from './ledger-tree.ts'
import type { PackedLeaves } from './packed-leaves.ts'

/*
 * The ledger's checkpoints, inclusion proofs, recorded keys and signature export: functions of a
 * store (and a clock), which the Ledger class offers as methods.
 */

/** A signed checkpoint just made: the note to give away, its code for the count sheet. */
export interface LedgerCheckpoint {
  /** The signed note (C2SP signed-note over a tlog-checkpoint body), exactly as stored and written out. */
  readonly note: string
  readonly checkpoint: Checkpoint
  /** `<size> <base32 root prefix>`, e.g. `1042 WVT4-BS5S-5BOC-SXTK`, for the count sheet. */
  readonly code: string
  /** Who signed, in order, with the key name each signed under. */
  readonly signers: ReadonlyArray<{ readonly username: string; readonly keyName: string }>
}

/**
 * Signs a checkpoint of the ledger as it stands (size, Merkle root, and the time as the extension
 * line `time <ISO-8601>`; docs/checkpoints.md, docs/signatures.md §3), stores it
 * for exports and returns it to give away. `by` signs first, under the ledger's origin when a PIC
 * (the log's own key name) and under `<origin>/<username>` otherwise; each co-signer (a medical
 * director, a witness) signs under `<origin>/<username>`. Every signer needs an opened key
 * (Ledger.authenticate). The chain is checked while its root is computed: a broken chain is not
 * signed (IntegrityError CHAIN_BROKEN).
 *
 * @example
 * const { note, code } = await signLedgerCheckpoint(store, clock, { by: pic, cosigners: [director] })
 */
export async function signLedgerCheckpoint(store: LedgerStore, clock: Clock, cmd: { by: Principal; cosigners?: readonly Principal[]; requirePic?: boolean; authority?: string }): Promise<LedgerCheckpoint> {
  const read = store.read()
  const people = [cmd.by, ...(cmd.cosigners ?? [])]
  const signers: Array<{ username: string; keyName: string; signer: NoteSigner }> = []
  const tree = await ledgerTree(store)
  if (tree.ledgerId === null) throw new InputError('NO_LEDGER', 'this ledger has no entries to checkpoint', { hint: 'run `csledger init` first' })
  const origin = checkpointOrigin(tree.ledgerId, cmd.authority)
  for (const [i, p] of people.entries()) {
    const u = await activeUser(read, p.username, i === 0 && cmd.requirePic ? ['pic'] : undefined, 'sign checkpoints')
    if (signers.some((s) => s.username === u.username)) throw new RuleViolation('SAME_SIGNER', `${u.username} cannot sign a checkpoint twice`, { hint: 'the second signer must be another person' })
    if (!p.signingKey || u.public_key === undefined) {
      throw new AuthError('NO_SIGNING_KEY', `${u.username} has no signing key${u.public_key === undefined ? ' (created before signing existed)' : ' opened for this action'}`, {
        hint: u.public_key === undefined ? `enrol one with \`csledger user passphrase ${u.username}\`` : 'authenticate them with their passphrase',
      })
    }
    const keyName = i === 0 && u.role === 'pic' ? origin : `${origin}/${u.username}`
    signers.push({ username: u.username, keyName, signer: ed25519NoteSigner(keyName, p.signingKey) })
  }
  // The signed statement: ledger (origin), size, root, and when it was signed (an extension line).
  const createdAt = clock.now().toISOString()
  const checkpoint: Checkpoint = { origin, size: tree.size, rootHash: tree.root, extensions: [`${CHECKPOINT_TIME_PREFIX}${createdAt}`] }
  const note = signCheckpoint(checkpoint, signers.map((s) => s.signer))
  await store.writeTransaction(async (tx) => {
    if (!tx.putCheckpoint) throw new StoreError('CANNOT_SIGN', 'this store cannot keep checkpoints', { hint: 'see docs/signatures.md §6.1' })
    await tx.putCheckpoint({ size: tree.size, root: Buffer.from(tree.root).toString('hex'), note, created_at: createdAt })
  })
  return { note, checkpoint, code: checkpointCode(checkpoint), signers: signers.map(({ username, keyName }) => ({ username, keyName })) }
}

/**
 * An offline proof that entry `seq` is in a signed checkpoint: a C2SP tlog-proof whose `extra` is
 * the entry's export line (`{"entry":…,"hash":…}`), so the file alone shows the entry, its hash,
 * the RFC 9162 audit path to the root and the signed checkpoint (docs/checkpoints.md §1). The
 * checkpoint is `note` (one given out earlier), or else the newest stored one that covers `seq`.
 * It must be signed by a key this ledger records and match the entries (IntegrityError otherwise).
 *
 * @example
 * const proof = await ledgerInclusionProof(store, 1042) // write it to a file for the inspector
 */
export async function ledgerInclusionProof(store: LedgerStore, seq: number, note?: string): Promise<{ proof: string; checkpoint: Checkpoint; code: string }> {
  let chosen = note
  if (chosen === undefined) {
    for await (const c of checkpointRowsOf(store)) if (c.size >= seq) chosen = c.note
  }
  if (chosen === undefined) throw new InputError('NO_CHECKPOINT', `no stored checkpoint covers entry ${seq}`, { hint: 'sign one with `csledger checkpoint --out <file> --by <pic>`, or give one with --checkpoint' })
  const cp = peekCheckpoint(chosen)
  const tree = await ledgerTree(store, { keepLeaves: true, keys: true, rootsAt: cp ? [cp.size] : [] })
  const leaves = tree.leaves as PackedLeaves
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > tree.size) throw new InputError('SEQ_OUT_OF_RANGE', `no entry ${seq} in this ledger (1-${tree.size})`)
  let line = ''
  for await (const row of store.entryRows({ fromSeq: seq, toSeq: seq })) line = `{"entry":${row.canonical},"hash":"${row.hash}"}`
  const { findings } = checkCheckpoint(chosen, { label: 'the checkpoint', ledgerId: tree.ledgerId, directory: tree.directory!, size: tree.size, roots: tree.roots })
  if (!cp || findings[0]) throw new IntegrityError(findings[0]?.code ?? 'CHECKPOINT_MALFORMED', findings[0]?.message ?? 'not a signed checkpoint', { hint: 'run `csledger verify --checkpoint <file>`' })
  if (cp.size < seq) throw new InputError('NOT_COVERED', `the checkpoint covers entries 1-${cp.size}, not entry ${seq}`, { hint: 'use a later checkpoint' })
  const path = inclusionProofOf(seq - 1, cp.size, leaves)
  const check = verifyInclusion({ index: seq - 1, size: cp.size, leafHash: leaves.leafHash(seq - 1), proof: path, root: cp.rootHash })
  if (!check.ok) throw new Error(`the inclusion proof of entry ${seq} does not verify: ${check.reason}`)
  return { proof: formatTlogProof({ extra: Buffer.from(line, 'utf8'), index: seq - 1, proof: path, checkpoint: chosen }), checkpoint: cp, code: checkpointCode(cp) }
}

/**
 * The newest stored checkpoint, checked against the ledger as it stands: of this ledger, signed by
 * a key its chain records, and entries 1..size still having the signed root. For documents that
 * print the checkpoint the ledger is consistent with (a count sheet printed by someone without a
 * key). Undefined when no checkpoint is stored. Like signing, it refuses a chain that does not
 * verify (IntegrityError CHAIN_BROKEN): no document should vouch for a damaged ledger.
 *
 * @example
 * const newest = await newestCheckpoint(store)
 * if (newest?.verdict.status === 'ok') print(newest.record.note)
 */
export async function newestCheckpoint(store: LedgerStore): Promise<{ record: CheckpointRecord; verdict: CheckpointVerdict } | undefined> {
  let record: CheckpointRecord | undefined
  for await (const c of checkpointRowsOf(store)) record = c
  if (!record) return undefined
  const cp = peekCheckpoint(record.note)
  const tree = await ledgerTree(store, { keys: true, rootsAt: cp ? [cp.size] : [] })
  const { verdict } = checkCheckpoint(record.note, { label: `stored checkpoint (${record.created_at})`, source: 'stored', ledgerId: tree.ledgerId, directory: tree.directory!, size: tree.size, roots: tree.roots })
  return { record, verdict }
}

/** Entry signatures as JSONL, one canonical line per signature `{"role":…,"seq":…,"signature":…,"signer":…}` (docs/signatures.md). */
export async function* signaturesJsonl(store: LedgerStore, range: { toSeq?: number } = {}): AsyncIterable<string> {
  for await (const s of signatureRowsOf(store, range)) yield `${canonicalJson({ role: s.role, seq: s.seq, signature: s.signature, signer: s.signer })}\n`
}

/**
 * The verifier keys the chain records, as a keys.txt for an export bundle: every PIC key under the
 * origin, every user key under `<origin>/<username>`, each preceded by a comment naming the user
 * and the entry that recorded it. An inspector should compare it with keys registered elsewhere.
 */
export async function ledgerKeysText(store: LedgerStore, authority?: string): Promise<string> {
  const dir = new KeyDirectory()
  let ledgerId: string | null = null
  for await (const row of store.entryRows()) {
    const entry = JSON.parse(row.canonical) as Entry
    ledgerId ??= entry.ledger_id
    dir.push(entry)
  }
  if (ledgerId === null) return ''
  const origin = checkpointOrigin(ledgerId, authority)
  const lines = [`# csledger verifier keys of ledger ${ledgerId}, read from its chain (docs/signatures.md)`, '# compare them with the keys registered with you, not with this file alone']
  for (const k of dir.keys) {
    lines.push(`# ${k.username} (${k.role}), key recorded at entry ${k.since}: ${k.publicKey}`)
    lines.push(...verifierKeysOf(k, origin))
  }
  return `${lines.join('\n')}\n`
}
