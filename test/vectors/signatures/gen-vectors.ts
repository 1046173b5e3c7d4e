/**
 * Writes the known-answer vectors of docs/signatures.md into this folder: signatures.json (keys,
 * entries, entry signatures, the sealed key, a signed checkpoint and Merkle proofs) and bundle/ (the
 * same ledger as an export bundle for csledger-verify). Run it only when NEW vectors are wanted; the
 * test compares against the committed files and never regenerates them:
 *
 *   node --conditions=@csledger/source test/vectors/signatures/gen-vectors.ts
 *
 * Every key comes from a fixed 32-byte seed and is published: EXAMPLE ONLY. Ed25519 is
 * deterministic, so the same seeds and bytes always give the same signatures. The entries are
 * written by hand (not through the rules): they pin the formats alone.
 */
import { createCipheriv, createPrivateKey, createPublicKey, scryptSync } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ENTRY_SIGNATURE_DOMAIN_V1, GENESIS_PREV_HASH, SEALED_KEY_AAD_DOMAIN, type Entry, canonicalJson, checkpointCode, checkpointOrigin, consistencyProof,
  ed25519NoteSigner, entryLeafHash, entrySignatureMessage, formatPublicKey, formatTlogProof, hashEntry, inclusionProof, merkleRoot, signCheckpoint, signEntryHash,
  verifierKeysOf, KeyDirectory,
} from '@csledger/ledger-core'

const HERE = dirname(fileURLToPath(import.meta.url))
const LEDGER_ID = '5b1c9e2e-8f7a-4d3b-9c1e-2a4b6c8d0e1f'
const ORIGIN = checkpointOrigin(LEDGER_ID)
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex')

const seedKey = (byte: number) => createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.alloc(32, byte)]), format: 'der', type: 'pkcs8' })
const people = {
  pkim: { seed: 0x01, role: 'pic' },
  nkim: { seed: 0x03, role: 'nurse' },
  drlee: { seed: 0x02, role: 'physician' },
} as const
const keys = Object.fromEntries(Object.entries(people).map(([u, p]) => [u, seedKey(p.seed)])) as Record<keyof typeof people, ReturnType<typeof seedKey>>
const pub = (u: keyof typeof people) => formatPublicKey(createPublicKey(keys[u]))

const drafts: Array<Omit<Entry, 'format' | 'ledger_id' | 'seq' | 'prev_hash' | 'recorded_at'>> = [
  { kind: 'registrant', occurred_at: '2026-11-02T14:00:00.000Z', actor: 'pkim', data: { name: 'Springfield Ketamine Clinic', address: '12 Elm St, Springfield, IL 62701', dea_number: 'BJ6125341', schedules: ['III', 'IV'], admin: { username: 'pkim', name: 'Pat Kim', public_key: pub('pkim') }, timezone: 'America/Chicago' } },
  { kind: 'user', occurred_at: '2026-11-02T14:01:00.000Z', actor: 'pkim', data: { username: 'nkim', name: 'Nora Kim', role: 'nurse', public_key: pub('nkim') } },
  { kind: 'user', occurred_at: '2026-11-02T14:02:00.000Z', actor: 'pkim', data: { username: 'drlee', name: 'Dana Lee', role: 'physician', public_key: pub('drlee') } },
  { kind: 'location', occurred_at: '2026-11-02T14:03:00.000Z', actor: 'pkim', data: { code: 'SAFE-1', name: 'Main safe' } },
  { kind: 'waste', occurred_at: '2026-11-03T09:30:00.000Z', actor: 'nkim', witness: 'pkim', data: { container: 'C-0001', administration: 4, product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', amount_ml: '0.1', amount_mg: '5', reason: 'partial dose' } },
  { kind: 'cosign', occurred_at: '2026-11-03T11:00:00.000Z', actor: 'drlee', data: { waste: 5 } },
] as never

let prev = GENESIS_PREV_HASH
const entries = drafts.map((d, i) => {
  const entry = { ...d, format: 1, ledger_id: LEDGER_ID, seq: i + 1, prev_hash: prev, recorded_at: d.occurred_at.replace(/\.000Z$/, '.250Z') } as Entry
  const { canonical, hash } = hashEntry(entry)
  prev = hash
  const slots = [['actor', entry.actor], ...(entry.witness ? [['witness', entry.witness]] : [])] as Array<['actor' | 'witness', keyof typeof people]>
  const signatures = slots.map(([role, signer]) => ({ role, signer, message_hex: entrySignatureMessage(role, hash).toString('hex'), signature: signEntryHash(keys[signer], role, hash) }))
  return { entry, canonical, hash, signatures }
})

// The PIC's checkpoint at size 6, countersigned by the physician; proofs against it.
const leaves = entries.map((e) => entryLeafHash(e.hash))
const root = merkleRoot(leaves)
const checkpoint = { origin: ORIGIN, size: entries.length, rootHash: root, extensions: ['time 2026-11-03T12:00:00.000Z'] }
const note = signCheckpoint(checkpoint, [ed25519NoteSigner(ORIGIN, keys.pkim), ed25519NoteSigner(`${ORIGIN}/drlee`, keys.drlee)])
const root3 = merkleRoot(leaves.slice(0, 3))
const note3 = signCheckpoint({ origin: ORIGIN, size: 3, rootHash: root3, extensions: ['time 2026-11-02T14:05:00.000Z'] }, [ed25519NoteSigner(ORIGIN, keys.pkim)])
const inclusionIndex = 4
const inclusion = inclusionProof(inclusionIndex, entries.length, leaves)
const consistency = consistencyProof(3, entries.length, leaves)

// The nurse's sealed key: one scrypt run (N=1024, r=8, p=1 here, for speed) of 64 bytes, a fixed nonce.
const passphrase = 'correct horse battery'
const salt = Buffer.alloc(16, 0x5a)
const kdf = { N: 1024, r: 8, p: 1 }
const out = scryptSync(passphrase.normalize('NFC'), salt, 64, kdf)
const verifier = out.subarray(0, 32)
const sealingKey = out.subarray(32)
const nonce = Buffer.alloc(12, 0x0c)
const aad = Buffer.concat([Buffer.from(SEALED_KEY_AAD_DOMAIN), Buffer.from([0]), Buffer.from('nkim'), Buffer.from([0]), Buffer.from(pub('nkim'))])
const cipher = createCipheriv('aes-256-gcm', sealingKey, nonce)
cipher.setAAD(aad)
const ct = Buffer.concat([cipher.update(Buffer.alloc(32, people.nkim.seed)), cipher.final()])
const sealed = ['sealed-ed25519-v1', nonce.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('$')

const dir = new KeyDirectory()
for (const e of entries) dir.push(e.entry)
const keysTxt = dir.keys.flatMap((k) => verifierKeysOf(k, ORIGIN))

const file = {
  description: 'Known-answer vectors for csledger entry signatures, sealed signing keys and checkpoints over a signed ledger (docs/signatures.md). Keys come from fixed 32-byte Ed25519 seeds and are published: EXAMPLE ONLY, never use them. Ed25519 is deterministic: any implementation must reproduce these bytes. Generated by csledger (test/vectors/signatures/gen-vectors.ts); the checkpoint format itself is checked against external vectors in test/vectors/checkpoint/.',
  entry_signature_domain: ENTRY_SIGNATURE_DOMAIN_V1,
  ledger_id: LEDGER_ID,
  origin: ORIGIN,
  users: Object.entries(people).map(([username, p]) => ({ username, role: p.role, seed_hex: Buffer.alloc(32, p.seed).toString('hex'), public_key: pub(username as keyof typeof people) })),
  entries,
  sealed_key: {
    username: 'nkim', passphrase, scrypt: { ...kdf, salt_base64url: salt.toString('base64url'), output_bytes: 64 },
    passphrase_hash: ['scrypt', kdf.N, kdf.r, kdf.p, salt.toString('base64url'), verifier.toString('base64url')].join('$'),
    sealing_key_hex: sealingKey.toString('hex'), aad_hex: aad.toString('hex'), nonce_hex: nonce.toString('hex'), sealed, seed_hex: Buffer.alloc(32, people.nkim.seed).toString('hex'),
  },
  keys_txt: keysTxt,
  checkpoint: { size: entries.length, root_base64: Buffer.from(root).toString('base64'), code: checkpointCode(checkpoint), note },
  checkpoint_3: { size: 3, root_base64: Buffer.from(root3).toString('base64'), note: note3 },
  inclusion: { seq: inclusionIndex + 1, index: inclusionIndex, size: entries.length, proof_base64: inclusion.map((h) => Buffer.from(h).toString('base64')), tlog_proof: formatTlogProof({ index: inclusionIndex, proof: inclusion, checkpoint: note }) },
  consistency: { size1: 3, size2: entries.length, proof_base64: consistency.map((h) => Buffer.from(h).toString('base64')) },
}
writeFileSync(join(HERE, 'signatures.json'), `${JSON.stringify(file, null, 2)}\n`)

const bundle = join(HERE, 'bundle')
rmSync(bundle, { recursive: true, force: true })
mkdirSync(join(bundle, 'checkpoints'), { recursive: true })
writeFileSync(join(bundle, 'entries.jsonl'), entries.map((e) => `{"entry":${e.canonical},"hash":"${e.hash}"}\n`).join(''))
writeFileSync(join(bundle, 'signatures.jsonl'), entries.flatMap((e) => e.signatures.map((s) => `${canonicalJson({ role: s.role, seq: e.entry.seq, signature: s.signature, signer: s.signer })}\n`)).join(''))
writeFileSync(join(bundle, 'keys.txt'), `# EXAMPLE keys from fixed seeds (test/vectors/signatures/signatures.json): never use them\n${keysTxt.join('\n')}\n`)
writeFileSync(join(bundle, 'checkpoints', '000000003.txt'), note3)
writeFileSync(join(bundle, 'checkpoints', '000000006.txt'), note)
