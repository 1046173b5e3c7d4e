// Test support: builds export bundles by hand with node:crypto, independently of the verifier's own
// code (its own SHA-256 calls, its own recursive Merkle root, its own Ed25519 signing), so the
// verifier's tests check it against a second implementation rather than against itself.
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import canonicalizeModule from 'canonicalize'

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string

export interface BuiltEntry {
  entry: Record<string, unknown>
  hash: string
}

export interface TestKey {
  readonly name: string
  readonly verifierKey: string
  /** One signature line ("— name base64\n") over `text`. */
  signatureLine(text: string): string
}

export const LEDGER_ID = '7d0e4f0a-1c2b-4e5f-9a8b-0123456789ab'
export const ORIGIN = `csledger.invalid/${LEDGER_ID}`

export function hashOf(entry: Record<string, unknown>): string {
  return createHash('sha256').update('csledger:entry:v1').update(Buffer.from([0])).update(canonicalize(entry), 'utf8').digest('hex')
}

/** n entries of one ledger, chained from the genesis prev_hash. */
export function makeEntries(n: number, ledgerId = LEDGER_ID): BuiltEntry[] {
  const out: BuiltEntry[] = []
  let prev = '0'.repeat(64)
  for (let seq = 1; seq <= n; seq++) {
    const entry = {
      format: 1, ledger_id: ledgerId, seq, prev_hash: prev, kind: seq === 1 ? 'registrant' : 'administration',
      recorded_at: `2026-11-${String(1 + (seq % 28)).padStart(2, '0')}T10:00:00.000Z`, occurred_at: '2026-11-01T09:58:00.000Z', actor: 'nkim',
      data: { container: `C-${String(seq).padStart(4, '0')}`, given_mg: '25', drawn_ml: '0.5', note: 'décès évité' },
    }
    const hash = hashOf(entry)
    out.push({ entry, hash })
    prev = hash
  }
  return out
}

/** Recomputes hashes and prev_hash links from index `from` on (what an operator rewriting history would do). */
export function rechain(entries: BuiltEntry[], from = 0): BuiltEntry[] {
  const out = entries.map((e) => ({ entry: { ...e.entry }, hash: e.hash }))
  for (let i = from; i < out.length; i++) {
    const e = out[i] as BuiltEntry
    e.entry.prev_hash = i === 0 ? '0'.repeat(64) : (out[i - 1] as BuiltEntry).hash
    e.hash = hashOf(e.entry)
  }
  return out
}

export function line(e: BuiltEntry): string {
  return `{"entry":${canonicalize(e.entry)},"hash":"${e.hash}"}`
}

/** RFC 6962 root over entry hashes, by the recursive definition. */
export function rootOf(entries: readonly BuiltEntry[], size = entries.length): Buffer {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest()
  const mth = (hs: string[]): Buffer => {
    if (hs.length === 0) return sha(Buffer.alloc(0))
    if (hs.length === 1) return sha(Buffer.concat([Buffer.from([0]), Buffer.from(hs[0] as string, 'hex')]))
    let k = 1
    while (k * 2 < hs.length) k *= 2
    return sha(Buffer.concat([Buffer.from([1]), mth(hs.slice(0, k)), mth(hs.slice(k))]))
  }
  return mth(entries.slice(0, size).map((e) => e.hash))
}

export function testKey(name: string): TestKey {
  const { privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url')
  const id = createHash('sha256').update(`${name}\n`).update(Buffer.from([1])).update(raw).digest().subarray(0, 4)
  return {
    name,
    verifierKey: `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`,
    signatureLine: (text) => `\u2014 ${name} ${Buffer.concat([id, sign(null, Buffer.from(text), privateKey)]).toString('base64')}\n`,
  }
}

/** A signed checkpoint note over the first `size` entries (or the given root). */
export function checkpointNote(entries: readonly BuiltEntry[], size: number, signers: readonly TestKey[], opts: { origin?: string; root?: Buffer } = {}): string {
  const text = `${opts.origin ?? ORIGIN}\n${size}\n${(opts.root ?? rootOf(entries, size)).toString('base64')}\n`
  return `${text}\n${signers.map((s) => s.signatureLine(text)).join('')}`
}

/** The code a count sheet would carry for the first `size` entries. */
export function codeOf(entries: readonly BuiltEntry[], size: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const b of rootOf(entries, size)) bits += b.toString(2).padStart(8, '0')
  let b32 = ''
  for (let i = 0; i + 5 <= 80; i += 5) b32 += alphabet[parseInt(bits.slice(i, i + 5), 2)]
  return `${size} ${b32.match(/.{4}/g)!.join('-')}`
}

export interface BundleFiles {
  readonly lines: readonly string[]
  readonly keys?: readonly string[]
  readonly checkpoints?: Readonly<Record<string, string>>
}

/** Writes a bundle into a fresh temporary folder and returns its path. */
export function writeBundle(files: BundleFiles): string {
  const dir = mkdtempSync(join(tmpdir(), 'csledger-bundle-'))
  writeFileSync(join(dir, 'entries.jsonl'), files.lines.map((l) => `${l}\n`).join(''))
  if (files.keys) writeFileSync(join(dir, 'keys.txt'), `# trusted checkpoint keys\n${files.keys.join('\n')}\n`)
  if (files.checkpoints) {
    mkdirSync(join(dir, 'checkpoints'))
    for (const [name, note] of Object.entries(files.checkpoints)) writeFileSync(join(dir, 'checkpoints', name), note)
  }
  return dir
}
