// Entry signatures (docs/signatures.md), restated here so that this package can be read and run
// alone. Each user's Ed25519 public key is recorded in the chain: the registrant's `admin.public_key`,
// a `user` entry's `public_key`, or a `user_key` entry (a user created before signing existed
// enrolling one), in effect from that entry on. Every entry is signed by its actor, and by its witness
// if it names one, whenever that person had a key at that point. A signature is Ed25519 over
//   "csledger:sig:v1" || 0x00 || role ("actor" | "witness") || 0x00 || the 32 bytes of the entry hash
// and is exported in signatures.jsonl, one canonical line {"role":…,"seq":…,"signature":…,"signer":…}
// per signature in (seq, role) order.
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { canonicalJson } from './entry-hash.ts'
import { strictBase64 } from './signed-note.ts'

export const ENTRY_SIGNATURE_DOMAIN_V1 = 'csledger:sig:v1'
export const SIGNATURES = 'signatures.jsonl'

/** A finding as this module reports it (verify-bundle.ts adds the severity). */
export interface SignatureFinding {
  readonly code: string
  readonly message: string
  readonly seq?: number
  readonly line?: number
  readonly file?: string
  readonly expected?: string
  readonly found?: string
}

/** A user's key as the chain records it. */
export interface ChainKey {
  readonly username: string
  readonly role: string
  readonly publicKey: string
  readonly raw: Buffer
  readonly key: KeyObject
  readonly since: number
}

interface SignatureLine { readonly seq: number; readonly role: 'actor' | 'witness'; readonly signer: string; readonly signature: Buffer; readonly line: number }

/** The bytes an entry signature signs. */
export function signatureMessage(role: string, entryHashHex: string): Buffer {
  return Buffer.concat([Buffer.from(ENTRY_SIGNATURE_DOMAIN_V1, 'ascii'), Buffer.from([0]), Buffer.from(role, 'ascii'), Buffer.from([0]), Buffer.from(entryHashHex, 'hex')])
}

/** The 32 raw bytes of `ed25519:<base64>`, or undefined. */
export function publicKeyRaw(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !text.startsWith('ed25519:')) return undefined
  const raw = strictBase64(text.slice('ed25519:'.length))
  return raw !== undefined && raw.length === 32 ? raw : undefined
}

/**
 * Checks signatures.jsonl against the entries, streaming both in seq order: call `entry()` for each
 * entry in order (with the hash its content gives), then `finish()`.
 */
export class EntrySignatureCheck {
  readonly keys: ChainKey[] = []
  readonly #current = new Map<string, ChainKey>()
  readonly #roles = new Map<string, string>()
  readonly #add: (f: SignatureFinding) => void
  readonly #lines: AsyncIterator<string> | null
  #lineNo = 0
  #peeked: SignatureLine | null | undefined
  #lastLine: { seq: number; role: string } | null = null
  #signingSince: number | null = null
  verified = 0
  withoutKey = 0
  readonly present: boolean

  constructor(path: string, add: (f: SignatureFinding) => void) {
    this.#add = add
    this.present = existsSync(path)
    this.#lines = this.present ? createInterface({ input: createReadStream(path), crlfDelay: Infinity })[Symbol.asyncIterator]() : null
  }

  /** The first entry that recorded a key, or null. */
  get signingSince(): number | null { return this.#signingSince }

  /** Checks one entry (already parsed; `hash` recomputed from its canonical bytes). */
  async entry(e: Record<string, unknown>, hash: string, entriesLine: number): Promise<void> {
    const seq = e.seq as number
    this.#recordKeys(e, seq)
    const sigs: SignatureLine[] = []
    for (let s = await this.#peek(); s && s.seq <= seq; s = await this.#peek()) {
      this.#peeked = undefined
      if (s.seq < seq || sigs.some((x) => x.role === s!.role)) {
        this.#add({ code: 'ORPHAN_SIGNATURE', file: SIGNATURES, line: s.line, seq: s.seq, message: `${SIGNATURES}:${s.line} is a ${s.role} signature for entry ${s.seq}, which is not at this place in the chain (entries were removed or reordered, or the signature was added)` })
      } else sigs.push(s)
    }
    const slots: Array<{ role: 'actor' | 'witness'; username: string }> = [{ role: 'actor', username: String(e.actor) }]
    if (typeof e.witness === 'string') slots.push({ role: 'witness', username: e.witness })
    for (const s of sigs) {
      const slot = slots.find((x) => x.role === s.role)
      if (!slot) this.#add({ code: 'UNEXPECTED_SIGNATURE', file: SIGNATURES, line: s.line, seq, message: `entry ${seq} has a ${s.role} signature by ${s.signer} but no ${s.role}: the signature was added` })
      else if (slot.username !== s.signer) this.#add({ code: 'WRONG_SIGNER', file: SIGNATURES, line: s.line, seq, message: `${SIGNATURES}:${s.line} says ${s.signer} signed entry ${seq} as ${s.role}, but its ${s.role} is ${slot.username}`, expected: slot.username, found: s.signer })
    }
    for (const slot of slots) {
      const key = this.#current.get(slot.username)
      const sig = sigs.find((x) => x.role === slot.role)
      const what = `entry ${seq} (${String(e.kind)}, ${slot.role} ${slot.username})`
      if (!key) {
        if (sig) this.#add({ code: 'UNEXPECTED_SIGNATURE', file: SIGNATURES, line: sig.line, seq, message: `${what} carries a signature, but ${slot.username} had no key recorded in the chain at that point` })
        else this.withoutKey++
        continue
      }
      if (!sig) {
        this.#add({ code: 'UNSIGNED', file: 'entries.jsonl', line: entriesLine, seq, message: `${what} is not signed, though ${slot.username} has had a signing key since entry ${key.since}: it was written without ${slot.username}'s key (forged, or written around csledger)` })
      } else if (!(sig.signature.length === 64 && verify(null, signatureMessage(slot.role, hash), key.key, sig.signature))) {
        this.#add({ code: 'BAD_ENTRY_SIGNATURE', file: SIGNATURES, line: sig.line, seq, message: `the ${slot.role} signature on ${what} does not verify with ${slot.username}'s key (recorded at entry ${key.since}): the entry was changed after it was signed, or the signature is forged` })
      } else this.verified++
    }
  }

  /** Reports signature lines past the last entry. */
  async finish(): Promise<void> {
    for (let s = await this.#peek(); s; s = await this.#peek()) {
      this.#peeked = undefined
      this.#add({ code: 'ORPHAN_SIGNATURE', file: SIGNATURES, line: s.line, seq: s.seq, message: `${SIGNATURES}:${s.line} is a ${s.role} signature for entry ${s.seq}, which is not in the bundle (entries were removed)` })
    }
  }

  #recordKeys(e: Record<string, unknown>, seq: number): void {
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>
    let username: unknown
    let role: string | undefined
    let text: unknown
    if (e.kind === 'registrant') {
      const admin = (typeof data.admin === 'object' && data.admin !== null ? data.admin : {}) as Record<string, unknown>
      username = admin.username
      role = 'pic'
      text = admin.public_key
    } else if (e.kind === 'user') {
      username = data.username
      role = String(data.role)
      text = data.public_key
    } else if (e.kind === 'user_key') {
      username = data.username
      role = this.#roles.get(String(data.username))
      text = data.public_key
      if (role === undefined) return
    } else return
    if (typeof username !== 'string') return
    this.#roles.set(username, role)
    if (text === undefined) {
      if (e.kind === 'user' && this.#signingSince !== null) {
        this.#add({ code: 'MISSING_PUBLIC_KEY', file: 'entries.jsonl', seq, message: `entry ${seq} adds user ${username} without a public key, though users have had keys since entry ${this.#signingSince}: their entries cannot be checked` })
      }
      return
    }
    const raw = publicKeyRaw(text)
    if (!raw) {
      this.#add({ code: 'BAD_PUBLIC_KEY', file: 'entries.jsonl', seq, message: `entry ${seq} records a public key for ${username} that is not ed25519:<base64 of 32 bytes>` })
      return
    }
    const k: ChainKey = { username, role, publicKey: String(text), raw, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }), since: seq }
    this.#current.set(username, k)
    this.keys.push(k)
    this.#signingSince ??= seq
  }

  async #peek(): Promise<SignatureLine | null> {
    while (this.#peeked === undefined) {
      if (!this.#lines) { this.#peeked = null; break }
      const r = await this.#lines.next()
      if (r.done) { this.#peeked = null; break }
      this.#lineNo++
      const parsed = parseSignatureLine(r.value)
      if (typeof parsed === 'string') {
        this.#add({ code: 'MALFORMED_SIGNATURE_LINE', file: SIGNATURES, line: this.#lineNo, message: `${SIGNATURES}:${this.#lineNo} ${parsed}` })
        continue
      }
      const last = this.#lastLine
      if (last && (parsed.seq < last.seq || (parsed.seq === last.seq && parsed.role <= last.role))) {
        this.#add({ code: 'SIGNATURES_OUT_OF_ORDER', file: SIGNATURES, line: this.#lineNo, seq: parsed.seq, message: `${SIGNATURES}:${this.#lineNo} (entry ${parsed.seq}, ${parsed.role}) is out of (seq, role) order or repeated` })
        continue
      }
      this.#lastLine = { seq: parsed.seq, role: parsed.role }
      this.#peeked = { ...parsed, line: this.#lineNo }
    }
    return this.#peeked
  }
}

function parseSignatureLine(line: string): Omit<SignatureLine, 'line'> | string {
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return 'is not valid JSON'
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'is not a JSON object'
  const o = obj as Record<string, unknown>
  if (Object.keys(o).sort().join(',') !== 'role,seq,signature,signer') return 'is not of the form {"role":…,"seq":…,"signature":…,"signer":…}'
  if (canonicalJson(o) !== line) return 'is not in canonical form'
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) return 'has no positive integer seq'
  if (o.role !== 'actor' && o.role !== 'witness') return 'has a role other than actor or witness'
  if (typeof o.signer !== 'string' || o.signer === '') return 'has no signer'
  const sig = typeof o.signature === 'string' ? strictBase64(o.signature) : undefined
  if (!sig || sig.length !== 64) return 'has a signature that is not base64 of 64 bytes'
  return { seq: o.seq as number, role: o.role, signer: o.signer, signature: sig }
}
