import {
  type ChainHead, type CheckpointRecord, type Entry, type EntrySignature, type LedgerStore, type VerifyReport, InputError, IntegrityError,
  MemoryProjections, StoreError, canSign, checkpointRowsOf, evolve, hashCanonical, signatureRowsOf, verifyLedger,
} from '@csledger/ledger-core'

export interface CopyLedgerOptions {
  /** The ledger to copy (e.g. a clinic's SQLite file). Read only. */
  readonly from: LedgerStore
  /**
   * An empty store to copy into. A store bound to one ledger (PostgreSQL) must be bound to the
   * source's ledger id: `openPostgresStore(url, { ledgerId: (await from.read().head()).ledger_id, create: true })`.
   */
  readonly to: LedgerStore
  /** Called every 1000 entries and at the end. */
  readonly onProgress?: (copied: number, total: number) => void
}

/** What a copy did, with both verifications. */
export interface CopyReport {
  readonly ledger_id: string
  readonly entries: number
  readonly credentials: number
  /** Entry signatures copied, each with its entry (docs/signatures.md). */
  readonly signatures: number
  /** Signed checkpoints copied, in the order they were stored. */
  readonly checkpoints: number
  /** Users whose sealed signing key came with their passphrase hash. */
  readonly sealed_keys: number
  readonly head: { readonly seq: number; readonly hash: string }
  readonly source: VerifyReport
  readonly target: VerifyReport
}

/**
 * Copies a whole ledger into an empty store, verbatim: every entry keeps its canonical bytes
 * and hash (nothing is re-serialised or re-hashed), the projections are rebuilt from the entries
 * through `evolve`, and the passphrase hashes of the ledger's users come along. So do what
 * signing keeps beside the chain (docs/signatures.md §6.1): each entry's signatures, written
 * right after their entry as an append writes them, the signed checkpoints in the order stored,
 * and the users' sealed keys. The source is verified first, signatures and checkpoints included
 * (a ledger that fails verification is not copied); a source with any of them is refused for a
 * target that cannot keep them (CANNOT_SIGN) rather than copied without them. The copy runs in
 * one write transaction (all or nothing), and the target is verified afterwards against the
 * source's head, its signatures and checkpoints compared with the source's row for row. Refuses a
 * target that already holds entries.
 *
 * @example
 * const from = await openSqliteStore('clinic.db', { readonly: true })
 * const head = await from.read().head()
 * const to = await openPostgresStore(url, { ledgerId: head!.ledger_id, create: true })
 * const report = await copyLedger({ from, to })
 */
export async function copyLedger(options: CopyLedgerOptions): Promise<CopyReport> {
  const { from, to } = options
  const sourceHead = await from.read().head()
  if (!sourceHead) throw new InputError('EMPTY_SOURCE', 'the source ledger has no entries; there is nothing to copy', { hint: 'check --from' })
  const boundTo = (to as { ledgerId?: unknown }).ledgerId
  if (typeof boundTo === 'string' && boundTo !== sourceHead.ledger_id) {
    throw new InputError('LEDGER_MISMATCH', `the source is ledger ${sourceHead.ledger_id} but the target store is bound to ledger ${boundTo}`, {
      hint: `open the target with ?ledger=${sourceHead.ledger_id} (entries keep their ledger id: it is part of every hash)`,
    })
  }
  await refuseNonEmpty(to, await to.read().head())
  const range = { toSeq: sourceHead.seq }
  if (!canSign(to)) await refuseUnsignedTarget(from, range)
  const source = await verifyLedger(from)
  if (!source.ok) {
    throw new IntegrityError('SOURCE_INVALID', `the source ledger fails verification (${source.findings.length} finding(s); first: ${source.findings[0]?.message ?? '?'})`, {
      hint: 'run `csledger verify` on the source and resolve it; a ledger that fails verification is not copied',
    })
  }
  const lookup = (seq: number): Promise<Entry | undefined> => from.read().entry(seq)
  let copied = 0
  let credentials = 0
  let signatures = 0
  let sealedKeys = 0
  const checkpoints: CheckpointRecord[] = []
  await to.writeTransaction(async (tx) => {
    await refuseNonEmpty(to, await tx.head())
    const rebuilt = new MemoryProjections()
    const sourceSignatures = new SignatureCursor(signatureRowsOf(from, range))
    for await (const row of from.entryRows(range)) {
      if (hashCanonical(row.canonical) !== row.hash) {
        throw new IntegrityError('SOURCE_CHANGED', `source entry ${row.seq} no longer matches its hash`, { hint: 'the source changed during the copy; verify it and copy again' })
      }
      const entry = JSON.parse(row.canonical) as Entry
      const changes = await evolve(rebuilt, entry, lookup)
      rebuilt.apply(changes)
      await tx.insertEntry({ entry, canonical: row.canonical, hash: row.hash })
      // Right after its entry, as an append writes them: stores accept a signature only for the entry just inserted.
      const mine = await sourceSignatures.take(row.seq)
      if (mine.length > 0) {
        if (!tx.putSignatures) throw cannotKeep('entry signatures')
        await tx.putSignatures(mine)
        signatures += mine.length
      }
      await tx.putProjections(entry.seq, changes)
      copied++
      if (copied % 1000 === 0) options.onProgress?.(copied, sourceHead.seq)
    }
    await sourceSignatures.finish()
    for (const user of await rebuilt.list('user')) {
      const credential = await from.credential(user.username)
      if (credential) {
        await tx.putCredential(credential)
        credentials++
        if (typeof credential.sealed_key === 'string') sealedKeys++
      }
    }
    for await (const c of checkpointRowsOf(from)) {
      if (c.size > sourceHead.seq) {
        throw new IntegrityError('SOURCE_CHANGED', `a checkpoint of ${c.size} entries was stored in the source after the copy began at entry ${sourceHead.seq}`, { hint: 'stop writes to the source, verify it and copy again' })
      }
      if (!tx.putCheckpoint) throw cannotKeep('signed checkpoints')
      await tx.putCheckpoint(c)
      checkpoints.push(c)
    }
  })
  options.onProgress?.(copied, sourceHead.seq)
  const target = await verifyLedger(to, { expectedHead: { seq: sourceHead.seq, hash: sourceHead.hash } })
  const targetHead = await to.read().head()
  let mismatch: string | undefined
  if (!target.ok || target.entries !== source.entries || targetHead?.hash !== sourceHead.hash) mismatch = target.findings[0]?.message ?? `${target.entries} of ${source.entries} entries`
  else if ((target.signatures?.verified ?? 0) !== signatures) mismatch = `${target.signatures?.verified ?? 0} of ${signatures} signatures verify`
  else mismatch = await besideTheChainMismatch(from, to, range, checkpoints.length)
  if (mismatch !== undefined) {
    throw new IntegrityError('COPY_MISMATCH', `the copy does not verify against the source (${mismatch})`, {
      hint: 'do not use the copy; report this with both ledgers kept as they are',
    })
  }
  return {
    ledger_id: sourceHead.ledger_id, entries: copied, credentials, signatures, checkpoints: checkpoints.length, sealed_keys: sealedKeys,
    head: { seq: sourceHead.seq, hash: sourceHead.hash }, source, target,
  }
}

/**
 * Refuses to copy a ledger with signatures, checkpoints or sealed keys into a store that cannot
 * keep them: the copy would silently lose what makes the ledger's history unforgeable.
 */
async function refuseUnsignedTarget(from: LedgerStore, range: { toSeq: number }): Promise<void> {
  let what: string | undefined
  for await (const _ of signatureRowsOf(from, range)) { what = 'entry signatures'; break }
  if (what === undefined) for await (const _ of checkpointRowsOf(from)) { what = 'signed checkpoints'; break }
  if (what === undefined) {
    for (const user of await from.read().list('user')) {
      if (typeof (await from.credential(user.username))?.sealed_key === 'string') { what = 'sealed signing keys'; break }
    }
  }
  if (what !== undefined) throw cannotKeep(what)
}

function cannotKeep(what: string): StoreError {
  return new StoreError('CANNOT_SIGN', `the source ledger holds ${what}, which the target store cannot keep; nothing was copied`, {
    hint: 'copy into a store that can sign (docs/signatures.md §6.1): SQLite, or PostgreSQL migrated to 0004-signatures-and-checkpoints',
  })
}

/** Compares the target's signatures and checkpoints with the source's, row for row; the first difference, or undefined. */
async function besideTheChainMismatch(from: LedgerStore, to: LedgerStore, range: { toSeq: number }, checkpointCount: number): Promise<string | undefined> {
  const there = signatureRowsOf(to, range)[Symbol.asyncIterator]()
  let n = 0
  for await (const here of signatureRowsOf(from, range)) {
    const got = await there.next()
    n++
    if (got.done || !sameSignature(here, got.value)) return `signature ${n} (entry ${here.seq}, ${here.role}) differs or is missing`
  }
  if (!(await there.next()).done) return `the target holds more than the source's ${n} signatures`
  const theirs: CheckpointRecord[] = []
  for await (const c of checkpointRowsOf(to)) theirs.push(c)
  let i = 0
  for await (const c of checkpointRowsOf(from)) {
    if (i >= checkpointCount) break
    const t = theirs[i++]
    if (!t || t.size !== c.size || t.root !== c.root || t.note !== c.note || t.created_at !== c.created_at) return `checkpoint ${i} differs or is missing`
  }
  if (theirs.length !== checkpointCount) return `${theirs.length} checkpoints in the target, ${checkpointCount} copied`
  return undefined
}

const sameSignature = (a: EntrySignature, b: EntrySignature): boolean =>
  a.seq === b.seq && a.role === b.role && a.signer === b.signer && a.signature === b.signature

/** Reads a (seq, role)-ordered signature stream in step with the entries. */
class SignatureCursor {
  readonly #it: AsyncIterator<EntrySignature>
  #next: IteratorResult<EntrySignature> | undefined

  constructor(rows: AsyncIterable<EntrySignature>) { this.#it = rows[Symbol.asyncIterator]() }

  /** The signatures of entry `seq`; one stored for an earlier entry that was not taken means the source changed. */
  async take(seq: number): Promise<EntrySignature[]> {
    const out: EntrySignature[] = []
    for (;;) {
      this.#next ??= await this.#it.next()
      if (this.#next.done || this.#next.value.seq > seq) return out
      if (this.#next.value.seq < seq) throw orphan(this.#next.value)
      out.push(this.#next.value)
      this.#next = undefined
    }
  }

  /** Every signature was taken by an entry. */
  async finish(): Promise<void> {
    this.#next ??= await this.#it.next()
    if (!this.#next.done) throw orphan(this.#next.value)
  }
}

function orphan(x: EntrySignature): IntegrityError {
  return new IntegrityError('SOURCE_CHANGED', `the source holds a ${x.role} signature for entry ${x.seq} out of step with its entries`, {
    hint: 'the source changed during the copy; verify it and copy again',
  })
}

async function refuseNonEmpty(to: LedgerStore, head: ChainHead | null): Promise<void> {
  if (head) {
    throw new InputError('TARGET_NOT_EMPTY', `the target already holds ledger ${head.ledger_id} with ${head.seq} entries; a copy goes only into an empty ledger`, {
      hint: 'copy into a new ledger (a database, or a ledger id, that holds nothing yet)',
    })
  }
}
