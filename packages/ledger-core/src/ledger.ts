import { AuthError, InputError, IntegrityError, StoreError } from './errors.ts'
import { localDate } from './clocks.ts'
import { REGISTRANT_KEY } from './state/projections.ts'
import { MIN_PASSPHRASE_LENGTH, hashPassphrase, verifyPassphrase } from './auth/passphrase.ts'
import { type NewSigningCredential, createSigningCredential, openSigningCredential, sealCredential } from './auth/signing-credential.ts'
import { type SignatureRole, type EntrySignature, signEntryHash } from './signing/entry-signature.ts'
import { signingPrincipal } from './signing/signing-principal.ts'
import { decideKeyEnrolment } from './signing/enrol-key.ts'
import { ledgerTree } from './signing/ledger-tree.ts'
import { KeyDirectory, verifierKeysOf } from './signing/key-directory.ts'
import { type Checkpoint } from './checkpoint/checkpoint.ts'
import { checkpointCode } from './checkpoint/checkpoint-code.ts'
import { checkpointOrigin } from './checkpoint/checkpoint-origin.ts'
import { ed25519NoteSigner, type NoteSigner } from './checkpoint/note-key.ts'
import { signCheckpoint } from './checkpoint/signed-checkpoint.ts'
import { canonicalJson } from './chain/canonical-json.ts'
import { CHECKPOINT_TIME_PREFIX, checkCheckpoint, peekCheckpoint } from './signing/checkpoint-check.ts'
import type { PackedLeaves } from './signing/packed-leaves.ts'
import { subtreeRoot } from './merkle/leaf-hash-source.ts'
import { inclusionProof as inclusionProofOf, verifyInclusion } from './merkle/inclusion-proof.ts'
import { formatTlogProof } from './checkpoint/tlog-proof.ts'
import { type BalanceFilter, type BalanceRow, buildBalance } from './balance.ts'
import type { Entry, EntryKind, StoredEntry } from './model/entry.ts'
import { type DecideContext, type Principal, activeUser } from './rules/common.ts'
import { type AddLocationCommand, type AddProductCommand, type AddUserCommand, type DeactivateUserCommand, decideAddLocation, decideAddProduct, decideAddUser, decideDeactivateUser } from './rules/catalog.ts'
import { type CorrectCommand, decideCorrection } from './rules/correction.ts'
import { type AdministerCommand, type CosignCommand, type WasteCommand, decideAdministration, decideCosign, decideWaste } from './rules/dose.ts'
import { type InitCommand, decideInit } from './rules/registrant.ts'
import { type OpenCommand, type ReceiveCommand, type TransferCommand, decideOpening, decideReceipt, decideTransfer } from './rules/stock.ts'
import { type CheckpointRecord, type Decision, type LedgerStore, type WriteTransaction, checkpointRowsOf, signatureRowsOf } from './store/ledger-store.ts'
import { type AppendResult, appendEntry } from './store/append-entry.ts'
import type { Clock } from './store/ports.ts'
import { SYSTEM_CLOCK } from './store/ports.ts'
import { type VerifyOptions, type VerifyReport, verifyLedger } from './verify-ledger.ts'
import { type CountCommand, type CountSheet, countSheet, decideCount } from './rules/count.ts'
import { type ReconcileCommand, decideReconciliation } from './rules/reconcile.ts'
import { type LossCommand, type LossFilingCommand, type LossNoticeCommand, decideLoss, decideLossFiling, decideLossNotice } from './rules/loss.ts'
import { type DisposeCommand, decideDisposal } from './rules/disposal.ts'
import { type InventoryCommand, decideInventory } from './rules/inventory.ts'
import { type SetSettingCommand, decideSetting } from './rules/setting.ts'
import { type StatusReport, buildStatus } from './status.ts'
import { Decimal } from 'decimal.js'
import { dec } from './model/quantity.ts'
import { RuleViolation } from './errors.ts'

export interface LedgerConfig {
  readonly store: LedgerStore
  readonly clock?: Clock
  /** scrypt parameters for new passphrases (tests lower them; see auth/passphrase.ts). */
  readonly kdf?: { N: number; r: number; p: number }
  /**
   * Give every user created from now on an Ed25519 signing key, and refuse an entry whose actor or
   * witness has a key but did not open it (docs/signatures.md). The CLI always turns it on. Off, the
   * library writes what it wrote before signing existed (users without keys), which the unit
   * fixtures rely on; entries are still signed by any principal that carries a key.
   */
  readonly signing?: boolean
}

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

/** Options every write accepts. */
export interface WriteOptions {
  /** Idempotency key: a retry with the same id returns the first entry instead of appending again. */
  readonly requestId?: string
  /** Refuse with TIP_MOVED unless the ledger still ends at this seq. */
  readonly expectedTipSeq?: number
}

type Cmd<T> = Omit<T, 'passphraseHash'>
/** The people whose keys may sign an entry: its actor (`by`) and its witness. */
type Signers = { readonly by?: Principal; readonly witness?: Principal | undefined }

/**
 * The ledger library: every write is decided by a pure rule under the store's write lock and
 * appended to the hash chain with its projections in one transaction.
 *
 * @example
 * const ledger = new Ledger({ store: await openSqliteStore('clinic.db') })
 * const me = await ledger.authenticate('nkim', passphrase)
 * await ledger.administer({ container: 'C-0001', dose: '35mg', patient: 'P-1042', by: me })
 */
export class Ledger {
  readonly #config: Required<Omit<LedgerConfig, 'kdf'>> & Pick<LedgerConfig, 'kdf'>
  constructor(config: LedgerConfig) {
    this.#config = Object.freeze({ clock: SYSTEM_CLOCK, signing: false, ...config })
  }
  /** Whether new users get signing keys and keyed people must sign (see LedgerConfig.signing). */
  get signing(): boolean { return this.#config.signing }
  get store(): LedgerStore { return this.#config.store }
  get clock(): Clock { return this.#config.clock }

  /**
   * Runs `fn` as one batch where the store supports it (SQLite: one transaction, one fsync, all
   * or nothing; every append still decided and checked on its own). For bulk loads and imports.
   */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.store.batch ? this.store.batch(fn) : fn()
  }

  /** Checks a person's passphrase; the result proves presence for one action. */
  async authenticate(username: string, passphrase: string | undefined): Promise<Principal> {
    if (!passphrase) throw new AuthError('PASSPHRASE_REQUIRED', `a passphrase is needed for ${username}`, { hint: 'type it at the prompt, or set CSLEDGER_PASSPHRASE (CSLEDGER_WITNESS_PASSPHRASE for a witness)' })
    const user = await this.store.read().get('user', username)
    const cred = await this.store.credential(username)
    if (!user || !cred) {
      await verifyPassphrase(passphrase, DUMMY_HASH) // same cost whether or not the user exists
      throw new AuthError('UNKNOWN_USER', `no user ${username}`, { hint: 'list users with `csledger user list`' })
    }
    // One scrypt run checks the passphrase and, for a user with a key, opens it (docs/signatures.md).
    const opened = await openSigningCredential(username, passphrase, cred, user.public_key)
    if (!opened.ok) throw new AuthError('BAD_PASSPHRASE', `wrong passphrase for ${username}`, { hint: 'try again; passphrases are case-sensitive' })
    if (!user.active) throw new AuthError('USER_DEACTIVATED', `user ${username} is deactivated`, { hint: 'ask the PIC to add an active account' })
    return signingPrincipal(username, opened.privateKey)
  }

  async init(cmd: Cmd<InitCommand> & { passphrase: string; ledgerId: string }): Promise<AppendResult> {
    if (this.signing) {
      const admin = cmd.admin.normalize('NFC').trim()
      const cred = await this.#newCredential(admin, cmd.passphrase)
      const decide = async (tx: WriteTransaction, ctx: DecideContext) => withKey(await decideInit(tx, { ...cmd, passphraseHash: cred.passphraseHash }, ctx), admin, cred)
      return this.#append('registrant', decide, {}, { by: signingPrincipal(admin, cred.privateKey) }, cmd.ledgerId)
    }
    const passphraseHash = await this.#newHash(cmd.passphrase)
    return this.#append('registrant', (tx, ctx) => decideInit(tx, { ...cmd, passphraseHash }, ctx), {}, {}, cmd.ledgerId)
  }
  async addUser(cmd: Cmd<AddUserCommand> & { passphrase: string }, opts: WriteOptions = {}): Promise<AppendResult> {
    if (this.signing) {
      const username = String(cmd.username).normalize('NFC').trim()
      const cred = await this.#newCredential(username, cmd.passphrase)
      return this.#append('user', async (tx, ctx) => withKey(await decideAddUser(tx, { ...cmd, passphraseHash: cred.passphraseHash }, ctx), username, cred), opts, cmd)
    }
    const passphraseHash = await this.#newHash(cmd.passphrase)
    return this.#append('user', (tx, ctx) => decideAddUser(tx, { ...cmd, passphraseHash }, ctx), opts, cmd)
  }
  deactivateUser(cmd: DeactivateUserCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('user_deactivation', (tx, ctx) => decideDeactivateUser(tx, cmd, ctx), opts, cmd) }
  addLocation(cmd: AddLocationCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('location', (tx, ctx) => decideAddLocation(tx, cmd, ctx), opts, cmd) }
  addProduct(cmd: AddProductCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('product', (tx, ctx) => decideAddProduct(tx, cmd, ctx), opts, cmd) }
  receive(cmd: ReceiveCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('receipt', (tx, ctx) => decideReceipt(tx, cmd, ctx), opts, cmd) }
  open(cmd: OpenCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('container_opening', (tx, ctx) => decideOpening(tx, cmd, ctx), opts, cmd) }
  administer(cmd: AdministerCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('administration', (tx, ctx) => decideAdministration(tx, cmd, ctx), opts, cmd) }
  waste(cmd: WasteCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('waste', (tx, ctx) => decideWaste(tx, cmd, ctx), opts, cmd) }
  cosign(cmd: CosignCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('cosign', (tx, ctx) => decideCosign(tx, cmd, ctx), opts, cmd) }
  transfer(cmd: TransferCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('transfer', (tx, ctx) => decideTransfer(tx, cmd, ctx), opts, cmd) }
  correct(cmd: CorrectCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('correction', (tx, ctx) => decideCorrection(tx, cmd, ctx), opts, cmd) }

  setSetting(cmd: SetSettingCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('setting', (tx, ctx) => decideSetting(tx, cmd, ctx), opts, cmd) }

  /**
   * Changes a user's passphrase; the user proves the current one. A user with a signing key keeps
   * it: the same key is re-sealed under the new passphrase (no entry; the chain does not change). A
   * user created before signing existed, on a signing ledger, gets a key now: a `user_key` entry
   * records its public key, signed with it (returned as `enrolled`). Nothing already recorded is
   * re-signed.
   *
   * @example
   * await ledger.changePassphrase({ username: 'nkim', passphrase: old, newPassphrase: fresh })
   */
  async changePassphrase(cmd: { username: string; passphrase: string | undefined; newPassphrase: string }): Promise<{ enrolled?: AppendResult }> {
    const me = await this.authenticate(cmd.username, cmd.passphrase)
    const at = () => this.clock.now().toISOString()
    if (me.signingKey) {
      this.#checkNewPassphrase(cmd.newPassphrase)
      const sealed = await sealCredential(me.username, cmd.newPassphrase, me.signingKey, this.#config.kdf)
      await this.store.writeTransaction((tx) => tx.putCredential({ username: me.username, passphrase_hash: sealed.passphraseHash, sealed_key: sealed.sealedKey, updated_at: at() }))
      return {}
    }
    if (!this.signing) {
      const passphraseHash = await this.#newHash(cmd.newPassphrase)
      await this.store.writeTransaction((tx) => tx.putCredential({ username: me.username, passphrase_hash: passphraseHash, sealed_key: null, updated_at: at() }))
      return {}
    }
    const cred = await this.#newCredential(me.username, cmd.newPassphrase)
    const credential = { username: me.username, passphrase_hash: cred.passphraseHash, sealed_key: cred.sealedKey, updated_at: at() }
    const enrolled = await this.#append('user_key', (tx, ctx) => decideKeyEnrolment(tx, { by: me, publicKey: cred.publicKey, credential }, ctx), {}, { by: signingPrincipal(me.username, cred.privateKey) })
    return { enrolled }
  }

  /** The blind count sheet of a location: what to count, in shelf order, with no expected values. */
  async countSheet(location: string): Promise<CountSheet> {
    const read = this.store.read()
    if (!(await read.get('location', location))) throw new RuleViolation('UNKNOWN_LOCATION', `no location ${location}`, { hint: 'list locations with `csledger location list`' })
    return countSheet(read, location)
  }
  /** A blind count compared with the book as of `cmd.basedOnSeq` (TIP_MOVED if the location changed since). */
  count(cmd: CountCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('count', (tx, ctx) => decideCount(tx, cmd, ctx), opts, cmd) }
  inventory(cmd: InventoryCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('inventory', (tx, ctx) => decideInventory(tx, cmd, ctx), opts, cmd) }

  /** Resolves a discrepancy; the effect of each linked entry on the item is read from history. */
  async reconcile(cmd: Omit<ReconcileCommand, 'explainedBy'>, opts: WriteOptions = {}): Promise<AppendResult> {
    const read = this.store.read()
    const d = await read.get('discrepancy', cmd.discrepancy)
    const explainedBy: Array<{ seq: number; delta: string }> = []
    if (d) {
      const head = (await read.head())?.seq ?? 0
      for (const seq of cmd.linked ?? []) {
        if (!Number.isSafeInteger(seq) || seq < 1 || seq > head) continue
        explainedBy.push({ seq, delta: dec((await this.#itemValue(d.item, seq)).minus(await this.#itemValue(d.item, seq - 1))) })
      }
    }
    return this.#append('reconciliation', (tx, ctx) => decideReconciliation(tx, { ...cmd, explainedBy }, ctx), opts, cmd)
  }
  loss(cmd: LossCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('loss', (tx, ctx) => decideLoss(tx, cmd, ctx), opts, cmd) }
  lossNotice(cmd: LossNoticeCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('loss_notice', (tx, ctx) => decideLossNotice(tx, cmd, ctx), opts, cmd) }
  lossFiling(cmd: LossFilingCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('loss_filing', (tx, ctx) => decideLossFiling(tx, cmd, ctx), opts, cmd) }
  dispose(cmd: DisposeCommand, opts: WriteOptions = {}): Promise<AppendResult> { return this.#append('disposal', (tx, ctx) => decideDisposal(tx, cmd, ctx), opts, cmd) }

  /** The PIC's start-of-day screen: discrepancies, co-signs, loss clocks, beyond-use, expiry, inventory, counts. */
  status(): Promise<StatusReport> { return buildStatus(this.store.read(), this.clock.now()) }

  async #itemValue(item: import('./model/entry.ts').CountItem, seq: number): Promise<Decimal> {
    if (item.type === 'sealed') {
      const s = (await this.store.projectionsAt('stock', seq)).find((x) => x.location === item.location && x.product === item.product && x.lot === item.lot)
      return new Decimal(s?.sealed ?? 0)
    }
    const c = (await this.store.projectionsAt('container', seq)).find((x) => x.container === item.container)
    return new Decimal(c?.remaining_ml ?? 0)
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
   * const { note, code } = await ledger.checkpoint({ by: pic, cosigners: [director] })
   */
  async checkpoint(cmd: { by: Principal; cosigners?: readonly Principal[]; requirePic?: boolean; authority?: string }): Promise<LedgerCheckpoint> {
    const read = this.store.read()
    const people = [cmd.by, ...(cmd.cosigners ?? [])]
    const signers: Array<{ username: string; keyName: string; signer: NoteSigner }> = []
    const tree = await ledgerTree(this.store)
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
    const createdAt = this.clock.now().toISOString()
    const checkpoint: Checkpoint = { origin, size: tree.size, rootHash: tree.root, extensions: [`${CHECKPOINT_TIME_PREFIX}${createdAt}`] }
    const note = signCheckpoint(checkpoint, signers.map((s) => s.signer))
    await this.store.writeTransaction(async (tx) => {
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
   * const proof = await ledger.inclusionProof(1042) // write it to a file for the inspector
   */
  async inclusionProof(seq: number, note?: string): Promise<{ proof: string; checkpoint: Checkpoint; code: string }> {
    let chosen = note
    if (chosen === undefined) {
      for await (const c of checkpointRowsOf(this.store)) if (c.size >= seq) chosen = c.note
    }
    if (chosen === undefined) throw new InputError('NO_CHECKPOINT', `no stored checkpoint covers entry ${seq}`, { hint: 'sign one with `csledger checkpoint --out <file> --by <pic>`, or give one with --checkpoint' })
    const tree = await ledgerTree(this.store, { keepLeaves: true })
    const leaves = tree.leaves as PackedLeaves
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > tree.size) throw new InputError('SEQ_OUT_OF_RANGE', `no entry ${seq} in this ledger (1-${tree.size})`)
    const directory = new KeyDirectory()
    let line = ''
    for await (const row of this.store.entryRows()) {
      directory.push(JSON.parse(row.canonical) as Entry)
      if (row.seq === seq) line = `{"entry":${row.canonical},"hash":"${row.hash}"}`
    }
    const cp = peekCheckpoint(chosen)
    const roots = new Map<number, Uint8Array>()
    if (cp && cp.size <= tree.size) roots.set(cp.size, subtreeRoot(leaves, 0, cp.size))
    const { findings } = checkCheckpoint(chosen, { label: 'the checkpoint', ledgerId: tree.ledgerId, directory, size: tree.size, roots })
    if (!cp || findings[0]) throw new IntegrityError(findings[0]?.code ?? 'CHECKPOINT_MALFORMED', findings[0]?.message ?? 'not a signed checkpoint', { hint: 'run `csledger verify --checkpoint <file>`' })
    if (cp.size < seq) throw new InputError('NOT_COVERED', `the checkpoint covers entries 1-${cp.size}, not entry ${seq}`, { hint: 'use a later checkpoint' })
    const path = inclusionProofOf(seq - 1, cp.size, leaves)
    const check = verifyInclusion({ index: seq - 1, size: cp.size, leafHash: leaves.leafHash(seq - 1), proof: path, root: cp.rootHash })
    if (!check.ok) throw new Error(`the inclusion proof of entry ${seq} does not verify: ${check.reason}`)
    return { proof: formatTlogProof({ extra: Buffer.from(line, 'utf8'), index: seq - 1, proof: path, checkpoint: chosen }), checkpoint: cp, code: checkpointCode(cp) }
  }

  /** Stored checkpoints (each count, audit packet and `csledger checkpoint`), oldest first. */
  async *checkpoints(): AsyncIterable<CheckpointRecord> {
    yield* checkpointRowsOf(this.store)
  }

  /** Entry signatures as JSONL, one canonical line per signature `{"role":…,"seq":…,"signature":…,"signer":…}` (docs/signatures.md). */
  async *exportSignaturesJsonl(range: { toSeq?: number } = {}): AsyncIterable<string> {
    for await (const s of signatureRowsOf(this.store, range)) yield `${canonicalJson({ role: s.role, seq: s.seq, signature: s.signature, signer: s.signer })}\n`
  }

  /**
   * The verifier keys the chain records, as a keys.txt for an export bundle: every PIC key under the
   * origin, every user key under `<origin>/<username>`, each preceded by a comment naming the user
   * and the entry that recorded it. An inspector should compare it with keys registered elsewhere.
   */
  async keysText(authority?: string): Promise<string> {
    const dir = new KeyDirectory()
    let ledgerId: string | null = null
    for await (const row of this.store.entryRows()) {
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

  /** On-hand stock now, or as of a seq or an ISO time (recorded_at). */
  async balance(filter: BalanceFilter & { asOf?: number | string } = {}): Promise<{ as_of_seq: number; rows: BalanceRow[] }> {
    const read = this.store.read()
    const products = await read.list('product')
    const head = (await read.head())?.seq ?? 0
    if (filter.asOf === undefined) {
      return { as_of_seq: head, rows: buildBalance(await read.list('stock'), await read.list('container'), products, filter) }
    }
    let seq: number
    if (typeof filter.asOf === 'number') {
      if (!Number.isSafeInteger(filter.asOf) || filter.asOf < 0) throw new InputError('SEQ_OUT_OF_RANGE', `${filter.asOf} is not an entry number`, { hint: `give a whole number from 0 to ${head}` })
      seq = filter.asOf
    }
    else {
      const t = new Date(filter.asOf)
      if (Number.isNaN(t.getTime())) throw new InputError('INVALID_AS_OF', `"${String(filter.asOf).slice(0, 40)}" is not a time`, { hint: 'e.g. 2026-11-01T00:00:00Z' })
      seq = await this.store.seqAtTime(t.toISOString())
    }
    if (seq > head) throw new InputError('SEQ_OUT_OF_RANGE', `seq ${seq} is beyond the ledger's last entry (${head})`, { hint: `give a seq from 0 to ${head}` })
    return { as_of_seq: seq, rows: buildBalance(await this.store.projectionsAt('stock', seq), await this.store.projectionsAt('container', seq), products, filter) }
  }

  /** Entries in seq order, filtered by occurred date (inclusive, YYYY-MM-DD) and kind. */
  async *log(filter: { from?: string; to?: string; kinds?: readonly string[]; fromSeq?: number; toSeq?: number } = {}): AsyncIterable<StoredEntry> {
    const range: { fromSeq?: number; toSeq?: number } = {}
    if (filter.fromSeq !== undefined) range.fromSeq = filter.fromSeq
    if (filter.toSeq !== undefined) range.toSeq = filter.toSeq
    // Days are the clinic's local days (a 21:00 dose in New York is on that day, not the next UTC one).
    const tz = (await this.store.read().get('registrant', REGISTRANT_KEY))?.timezone ?? 'UTC'
    for await (const row of this.store.entryRows(range)) {
      let entry: Entry
      try {
        entry = JSON.parse(row.canonical) as Entry
      } catch {
        throw new IntegrityError('MALFORMED', `entry ${row.seq} is not valid JSON: its stored bytes were edited`, { hint: 'run `csledger verify` and keep the file as evidence' })
      }
      const day = localDate(new Date(entry.occurred_at), tz)
      if (filter.from && day < filter.from) continue
      if (filter.to && day > filter.to) continue
      if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(entry.kind)) continue
      yield { entry, canonical: row.canonical, hash: row.hash }
    }
  }

  /**
   * Full verification: chain, projections rebuilt from the entries, entry signatures, and every
   * checkpoint (stored ones and those given, e.g. read from files given out earlier).
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyLedger(this.store, options)
  }

  /** The raw chain as JSONL lines `{"entry":<canonical>,"hash":"<hex>"}` (exactly the hashed bytes). */
  async *exportJsonl(range: { toSeq?: number } = {}): AsyncIterable<string> {
    for await (const row of this.store.entryRows(range)) yield `{"entry":${row.canonical},"hash":"${row.hash}"}\n`
  }

  #checkNewPassphrase(passphrase: string): void {
    if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new InputError('WEAK_PASSPHRASE', `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`, { hint: 'choose a longer passphrase (CSLEDGER_NEW_PASSPHRASE when not at a terminal)' })
    }
  }

  async #newHash(passphrase: string): Promise<string> {
    this.#checkNewPassphrase(passphrase)
    return hashPassphrase(passphrase, this.#config.kdf)
  }

  async #newCredential(username: string, passphrase: string): Promise<NewSigningCredential> {
    this.#checkNewPassphrase(passphrase)
    return createSigningCredential(username, passphrase, this.#config.kdf)
  }

  /**
   * Signs the hashed entry with its actor's and witness's opened keys. On a signing ledger, a person
   * whose user record has a key must have opened it for this entry (SIGNATURE_REQUIRED).
   */
  async #sign(tx: WriteTransaction, stored: StoredEntry, people: Signers): Promise<EntrySignature[]> {
    const e = stored.entry
    const slots: Array<[SignatureRole, string]> = [['actor', e.actor]]
    if (e.witness !== undefined) slots.push(['witness', e.witness])
    const out: EntrySignature[] = []
    for (const [role, username] of slots) {
      const p = [people.by, people.witness].find((x) => x?.username === username)
      if (p?.signingKey) {
        out.push({ seq: e.seq, role, signer: username, signature: signEntryHash(p.signingKey, role, stored.hash) })
      } else if (this.signing && (await tx.get('user', username))?.public_key !== undefined) {
        throw new AuthError('SIGNATURE_REQUIRED', `${username} has a signing key, but it was not opened to sign this entry as ${role}`, { hint: `authenticate ${username} with their passphrase` })
      }
    }
    return out
  }

  #append(kind: EntryKind, decide: (tx: WriteTransaction, ctx: DecideContext) => Promise<Decision>, opts: WriteOptions, people: Signers, ledgerId?: string): Promise<AppendResult> {
    const clock = this.#config.clock
    return appendEntry(this.store, {
      clock,
      kind,
      decide: (tx) => decide(tx, { now: clock.now() }),
      sign: (tx, stored) => this.#sign(tx, stored, people),
      ...(ledgerId !== undefined ? { ledgerId } : {}),
      ...(opts.requestId !== undefined ? { requestId: opts.requestId } : {}),
      ...(opts.expectedTipSeq !== undefined ? { expectedTipSeq: opts.expectedTipSeq } : {}),
    })
  }
}

/** The decision with the new user's public key in their entry and the sealed key in their credential. */
function withKey(decision: Decision, username: string, cred: NewSigningCredential): Decision {
  const draft = decision.draft
  let patched: Decision['draft']
  if (draft.kind === 'registrant') patched = { ...draft, data: { ...draft.data, admin: { ...draft.data.admin, public_key: cred.publicKey } } }
  else if (draft.kind === 'user') patched = { ...draft, data: { ...draft.data, public_key: cred.publicKey } }
  else throw new Error(`a ${draft.kind} entry records no key`)
  const credentials = (decision.credentials ?? []).map((c) => (c.username === username ? { ...c, sealed_key: cred.sealedKey } : c))
  if (!credentials.some((c) => c.sealed_key === cred.sealedKey)) throw new Error(`no credential for ${username} to seal a key into`)
  return { draft: patched, credentials }
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
