import type { KeyObject } from 'node:crypto'
import type { Finding } from '../chain/finding.ts'
import { formatVerifierKey, parseVerifierKey, type NoteVerifier } from '../checkpoint/note-key.ts'
import type { Entry, Role } from '../model/entry.ts'
import { parsePublicKey, publicKeyBytes } from './public-key.ts'

/** A user's signing key as the chain records it. */
export interface DirectoryKey {
  readonly username: string
  readonly role: Role
  /** `ed25519:<base64>` as recorded. */
  readonly publicKey: string
  readonly key: KeyObject
  /** The entry that recorded it (registrant, user or user_key). */
  readonly since: number
}

/**
 * Who had which signing key when, read from the chain itself: the registrant's admin, `user`
 * entries and `user_key` enrolments. Fed every entry in seq order (as verify streams them); the key
 * recorded by an entry is in effect from that entry on, so a registrant or user_key entry is signed
 * by the key it records (proof of possession) and a user entry by the PIC who wrote it.
 *
 * Users created before signing existed have no key: their entries are not expected to be signed.
 * Once any key is recorded ("signing began"), a later user entry without one is a finding.
 *
 * @example
 * const dir = new KeyDirectory()
 * for (const entry of entries) { dir.push(entry); … dir.keyOf(entry.actor) }
 */
export class KeyDirectory {
  readonly #keys = new Map<string, DirectoryKey>()
  readonly #history: DirectoryKey[] = []
  readonly #roles = new Map<string, Role>()
  readonly findings: Finding[] = []
  #signingSince: number | null = null

  /** The seq of the first recorded key, or null while no one has a key. */
  get signingSince(): number | null { return this.#signingSince }
  /** Every key ever recorded, in chain order (a user may have more than one after an enrolment). */
  get keys(): readonly DirectoryKey[] { return this.#history }

  /** The key in effect for `username` (the last one recorded so far), if any. */
  keyOf(username: string): DirectoryKey | undefined { return this.#keys.get(username) }

  /** Records the keys and roles an entry introduces. */
  push(entry: Entry): void {
    switch (entry.kind) {
      case 'registrant': {
        const admin = entry.data.admin
        this.#roles.set(admin.username, 'pic')
        this.#record(entry, admin.username, 'pic', admin.public_key)
        break
      }
      case 'user':
        this.#roles.set(entry.data.username, entry.data.role)
        this.#record(entry, entry.data.username, entry.data.role, entry.data.public_key)
        break
      case 'user_key': {
        const role = this.#roles.get(entry.data.username)
        if (role !== undefined) this.#record(entry, entry.data.username, role, entry.data.public_key)
        break
      }
      default:
        break
    }
  }

  /**
   * Note verifiers for checkpoints of `origin`, each with the user it belongs to: every PIC key under
   * the origin itself (the log's own key name, as C2SP tlog-checkpoint recommends) and every user
   * key under `<origin>/<username>`.
   */
  noteKeys(origin: string): Array<{ readonly verifier: NoteVerifier; readonly username: string }> {
    const out: Array<{ verifier: NoteVerifier; username: string }> = []
    const seen = new Set<string>()
    for (const k of this.#history) {
      for (const vk of verifierKeysOf(k, origin)) {
        if (seen.has(vk)) continue
        seen.add(vk)
        out.push({ verifier: parseVerifierKey(vk), username: k.username })
      }
    }
    return out
  }

  #record(entry: Entry, username: string, role: Role, publicKey: string | undefined): void {
    if (publicKey === undefined) {
      if (this.#signingSince !== null && entry.kind === 'user') {
        this.findings.push({ code: 'MISSING_PUBLIC_KEY', seq: entry.seq, message: `entry ${entry.seq} adds user ${username} without a public key, though users have had signing keys since entry ${this.#signingSince}: their entries can never be checked (the user was added around csledger's signing)` })
      }
      return
    }
    if (!publicKeyBytes(publicKey)) {
      this.findings.push({ code: 'BAD_PUBLIC_KEY', seq: entry.seq, message: `entry ${entry.seq} records a public key for ${username} that is not ed25519:<base64 of 32 bytes>`, found: String(publicKey).slice(0, 80) })
      return
    }
    const k: DirectoryKey = { username, role, publicKey, key: parsePublicKey(publicKey), since: entry.seq }
    this.#keys.set(username, k)
    this.#history.push(k)
    if (this.#signingSince === null) this.#signingSince = entry.seq
  }
}

/**
 * The verifier keys (`<name>+<key ID>+<base64>`) under which a recorded key signs checkpoints of
 * `origin`: a PIC's under the origin and `<origin>/<username>`, anyone else's under the latter.
 */
export function verifierKeysOf(k: DirectoryKey, origin: string): string[] {
  const names = k.role === 'pic' ? [origin, `${origin}/${k.username}`] : [`${origin}/${k.username}`]
  return names.map((name) => formatVerifierKey(name, publicKeyBytes(k.publicKey) as Buffer))
}
