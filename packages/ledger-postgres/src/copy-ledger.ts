import {
  type ChainHead, type Entry, type LedgerStore, type VerifyReport, InputError, IntegrityError, MemoryProjections, evolve,
  hashCanonical, verifyLedger,
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
  readonly head: { readonly seq: number; readonly hash: string }
  readonly source: VerifyReport
  readonly target: VerifyReport
}

/**
 * Copies a whole ledger into an empty store, verbatim: every entry keeps its canonical bytes
 * and hash (nothing is re-serialised or re-hashed), the projections are rebuilt from the entries
 * through `evolve`, and the passphrase hashes of the ledger's users come along. The source is
 * verified first (a ledger that fails verification is not copied), the copy runs in one write
 * transaction (all or nothing), and the target is verified afterwards against the source's
 * head. Refuses a target that already holds entries.
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

  const source = await verifyLedger(from)
  if (!source.ok) {
    throw new IntegrityError('SOURCE_INVALID', `the source ledger fails verification (${source.findings.length} finding(s); first: ${source.findings[0]?.message ?? '?'})`, {
      hint: 'run `csledger verify` on the source and resolve it; a ledger that fails verification is not copied',
    })
  }

  const lookup = (seq: number): Promise<Entry | undefined> => from.read().entry(seq)
  let copied = 0
  let credentials = 0
  await to.writeTransaction(async (tx) => {
    await refuseNonEmpty(to, await tx.head())
    const rebuilt = new MemoryProjections()
    for await (const row of from.entryRows({ toSeq: sourceHead.seq })) {
      if (hashCanonical(row.canonical) !== row.hash) {
        throw new IntegrityError('SOURCE_CHANGED', `source entry ${row.seq} no longer matches its hash`, { hint: 'the source changed during the copy; verify it and copy again' })
      }
      const entry = JSON.parse(row.canonical) as Entry
      const changes = await evolve(rebuilt, entry, lookup)
      rebuilt.apply(changes)
      await tx.insertEntry({ entry, canonical: row.canonical, hash: row.hash })
      await tx.putProjections(entry.seq, changes)
      copied++
      if (copied % 1000 === 0) options.onProgress?.(copied, sourceHead.seq)
    }
    for (const user of await rebuilt.list('user')) {
      const credential = await from.credential(user.username)
      if (credential) {
        await tx.putCredential(credential)
        credentials++
      }
    }
  })
  options.onProgress?.(copied, sourceHead.seq)

  const target = await verifyLedger(to, { expectedHead: { seq: sourceHead.seq, hash: sourceHead.hash } })
  const targetHead = await to.read().head()
  if (!target.ok || target.entries !== source.entries || targetHead?.hash !== sourceHead.hash) {
    throw new IntegrityError('COPY_MISMATCH', `the copy does not verify against the source (${target.findings[0]?.message ?? `${target.entries} of ${source.entries} entries`})`, {
      hint: 'do not use the copy; report this with both ledgers kept as they are',
    })
  }
  return { ledger_id: sourceHead.ledger_id, entries: copied, credentials, head: { seq: sourceHead.seq, hash: sourceHead.hash }, source, target }
}

async function refuseNonEmpty(to: LedgerStore, head: ChainHead | null): Promise<void> {
  if (head) {
    throw new InputError('TARGET_NOT_EMPTY', `the target already holds ledger ${head.ledger_id} with ${head.seq} entries; a copy goes only into an empty ledger`, {
      hint: 'copy into a new ledger (a database, or a ledger id, that holds nothing yet)',
    })
  }
}
