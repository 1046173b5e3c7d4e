import type { Finding } from '../chain/finding.ts'
import type { Entry } from '../model/entry.ts'
import { type EntrySignature, type SignatureRole, verifyEntrySignature } from './entry-signature.ts'
import { KeyDirectory } from './key-directory.ts'

/** How many entries carry checked signatures, and how many were written by people without keys. */
export interface SignatureSummary {
  /** Signatures that verified. */
  readonly verified: number
  /** Actor or witness slots of people who had no key when the entry was written (before signing existed). */
  readonly unsigned_without_key: number
  /** Users with a key recorded in the chain. */
  readonly keyed_users: number
  /** The first entry that recorded a key (null: no one has a key). */
  readonly signing_since: number | null
  /** Signature findings beyond those listed. */
  readonly omitted_findings: number
}

/**
 * Checks entry signatures in one pass over the chain, in constant memory apart from the keys. For
 * each entry (in seq order, with the signatures stored for it): records the keys it introduces,
 * then expects a signature from its actor, and from its witness if it names one, whenever that
 * person had a key recorded at that point of the chain. A missing signature is UNSIGNED, one that
 * does not verify over the entry's content hash is BAD_ENTRY_SIGNATURE. Entries by people who had
 * no key (created before signing existed) are counted, not reported.
 *
 * @example
 * const c = new SignatureChecker()
 * c.push(entry, contentHash, signaturesOfThisEntry)
 * const findings = c.finish()
 */
export class SignatureChecker {
  readonly directory = new KeyDirectory()
  readonly #findings: Finding[] = []
  readonly #limit: number
  #omitted = 0
  #verified = 0
  #withoutKey = 0

  constructor(options: { limit?: number } = {}) {
    this.#limit = options.limit ?? 50
  }

  /** Checks one entry; `contentHash` is the hash recomputed from its bytes (so an edit shows here too). */
  push(entry: Entry, contentHash: string, signatures: readonly EntrySignature[]): void {
    this.directory.push(entry)
    const slots: Array<{ role: SignatureRole; username: string }> = [{ role: 'actor', username: entry.actor }]
    if (typeof entry.witness === 'string') slots.push({ role: 'witness', username: entry.witness })
    for (const sig of signatures) {
      const slot = slots.find((s) => s.role === sig.role)
      if (!slot) this.#add({ code: 'UNEXPECTED_SIGNATURE', seq: entry.seq, message: `entry ${entry.seq} has a ${sig.role} signature by ${sig.signer}, but no ${sig.role}: the signature was added to it` })
      else if (slot.username !== sig.signer) this.#add({ code: 'WRONG_SIGNER', seq: entry.seq, message: `the ${sig.role} signature on entry ${entry.seq} is stored as ${sig.signer}'s, but the entry's ${sig.role} is ${slot.username}`, expected: slot.username, found: sig.signer })
    }
    for (const slot of slots) {
      const key = this.directory.keyOf(slot.username)
      const sig = signatures.find((s) => s.role === slot.role)
      const what = `entry ${entry.seq} (${entry.kind}, ${slot.role} ${slot.username})`
      if (!key) {
        if (sig) this.#add({ code: 'UNEXPECTED_SIGNATURE', seq: entry.seq, message: `${what} carries a signature, but ${slot.username} had no key recorded in the chain at that point: it cannot be checked` })
        else this.#withoutKey++
        continue
      }
      if (!sig) {
        this.#add({ code: 'UNSIGNED', seq: entry.seq, message: `${what} is not signed, though ${slot.username} has had a signing key since entry ${key.since}: it was written without ${slot.username}'s passphrase (forged, or written around csledger)` })
      } else if (!verifyEntrySignature(key.key, slot.role, contentHash, sig.signature)) {
        this.#add({ code: 'BAD_ENTRY_SIGNATURE', seq: entry.seq, message: `the ${slot.role} signature on ${what} does not verify with ${slot.username}'s key (recorded at entry ${key.since}): the entry was changed after it was signed, or the signature is forged` })
      } else {
        this.#verified++
      }
    }
  }

  /** A stored signature whose entry is not in the chain. */
  orphan(sig: EntrySignature): void {
    this.#add({ code: 'ORPHAN_SIGNATURE', seq: sig.seq, message: `a ${sig.role} signature by ${sig.signer} is stored for entry ${sig.seq}, which is not in the chain (entries were removed, or the signature was added)` })
  }

  /** Signatures stored out of (seq, role) order or twice for one slot. */
  misplaced(sig: EntrySignature): void {
    this.#add({ code: 'ORPHAN_SIGNATURE', seq: sig.seq, message: `a second or out-of-order ${sig.role} signature is stored for entry ${sig.seq}` })
  }

  get summary(): SignatureSummary {
    const users = new Set(this.directory.keys.map((k) => k.username))
    return { verified: this.#verified, unsigned_without_key: this.#withoutKey, keyed_users: users.size, signing_since: this.directory.signingSince, omitted_findings: this.#omitted }
  }

  /** All findings: keys recorded wrongly, then signatures, in chain order. */
  finish(): Finding[] {
    return [...this.directory.findings, ...this.#findings].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
  }

  #add(f: Finding): void {
    if (this.#findings.length < this.#limit) this.#findings.push(f)
    else this.#omitted++
  }
}
