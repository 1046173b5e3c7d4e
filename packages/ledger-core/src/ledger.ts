import type { KeyObject } from 'node:crypto'
import { AuthError, InputError, IntegrityError } from './errors.ts'
import { localDate } from './clocks.ts'
import { REGISTRANT_KEY, openContainersOf } from './state/projections.ts'
import { MIN_PASSPHRASE_LENGTH, hashPassphrase, verifyPassphrase } from './auth/passphrase.ts'
import { type NewSigningCredential, createSigningCredential, openSigningCredential, sealCredential } from './auth/signing-credential.ts'
import { type SignatureRole, type EntrySignature, signEntryHash } from './signing/entry-signature.ts'
import { signingPrincipal } from './signing/signing-principal.ts'
import { decideKeyEnrolment } from './signing/enrol-key.ts'
import { type LedgerCheckpoint, ledgerInclusionProof, ledgerKeysText, newestCheckpoint, signLedgerCheckpoint, signaturesJsonl } from './signing/ledger-checkpoints.ts'
import { type BalanceFilter, type BalanceRow, buildBalance } from './balance.ts'
import type { Entry, EntryKind, StoredEntry } from './model/entry.ts'
import { type DecideContext, type Principal } from './rules/common.ts'
import { type AddLocationCommand, type AddProductCommand, type AddUserCommand, type DeactivateUserCommand, decideAddLocation, decideAddProduct, decideAddUser, decideDeactivateUser } from './rules/catalog.ts'
import { type CorrectCommand, decideCorrection } from './rules/correction.ts'
import { type AdministerCommand, type CosignCommand, type WasteCommand, decideAdministration, decideCosign, decideWaste } from './rules/dose.ts'
import { type InitCommand, decideInit } from './rules/registrant.ts'
import { type OpenCommand, type ReceiveCommand, type TransferCommand, decideOpening, decideReceipt, decideTransfer } from './rules/stock.ts'
import { type CheckpointRecord, type Decision, type LedgerStore, type WriteTransaction, checkpointRowsOf } from './store/ledger-store.ts'
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
  /**
   * Where a new user's signing key comes from (a port, like the clock): by default a fresh random
   * Ed25519 key. The demo derives its users' keys from its seed, so the same options give the same
   * chain; nothing else should.
   */
  readonly newSigningKey?: (username: string) => KeyObject
}

export type { LedgerCheckpoint } from './signing/ledger-checkpoints.ts'

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
  readonly #config: Required<Omit<LedgerConfig, 'kdf' | 'newSigningKey'>> & Pick<LedgerConfig, 'kdf' | 'newSigningKey'>
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

  /** Signs a checkpoint of the ledger as it stands (see signLedgerCheckpoint). */
  checkpoint(cmd: Parameters<typeof signLedgerCheckpoint>[2]): Promise<LedgerCheckpoint> { return signLedgerCheckpoint(this.store, this.clock, cmd) }
  /** An offline C2SP tlog-proof that entry `seq` is in a signed checkpoint (see ledgerInclusionProof). */
  inclusionProof(seq: number, note?: string): ReturnType<typeof ledgerInclusionProof> { return ledgerInclusionProof(this.store, seq, note) }
  /** The newest stored checkpoint and whether the ledger as it stands still extends it (see newestCheckpoint). */
  newestCheckpoint(): ReturnType<typeof newestCheckpoint> { return newestCheckpoint(this.store) }
  /** Stored checkpoints (each count, audit packet and `csledger checkpoint`), oldest first. */
  checkpoints(): AsyncIterable<CheckpointRecord> { return checkpointRowsOf(this.store) }
  /** Entry signatures as JSONL, one canonical line per signature (docs/signatures.md). */
  exportSignaturesJsonl(range: { toSeq?: number } = {}): AsyncIterable<string> { return signaturesJsonl(this.store, range) }
  /** The verifier keys the chain records, as a keys.txt for an export bundle. */
  keysText(authority?: string): Promise<string> { return ledgerKeysText(this.store, authority) }

  /** On-hand stock now, or as of a seq or an ISO time (recorded_at). */
  async balance(filter: BalanceFilter & { asOf?: number | string } = {}): Promise<{ as_of_seq: number; rows: BalanceRow[] }> {
    const read = this.store.read()
    const products = await read.list('product')
    const head = (await read.head())?.seq ?? 0
    if (filter.asOf === undefined) {
      return { as_of_seq: head, rows: buildBalance(await read.list('stock'), await openContainersOf(read), products, filter) }
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
    const open = this.store.openContainersAt ? await this.store.openContainersAt(seq) : (await this.store.projectionsAt('container', seq)).filter((c) => c.status === 'open')
    return { as_of_seq: seq, rows: buildBalance(await this.store.projectionsAt('stock', seq), open, products, filter) }
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
    return createSigningCredential(username, passphrase, this.#config.kdf, this.#config.newSigningKey?.(username))
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
