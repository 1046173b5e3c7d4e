// What signing costs, measured side by side with the same work unsigned (docs/signatures.md):
//
//   node --conditions=@csledger/source test/attacks/signing-cost.ts [entries]
//
// Appends: signed and unsigned appends alternate on one real SQLite ledger (each committed on its
// own, as the CLI does, and in batch mode, where the CPU cost is not hidden by fsync). Verify: two
// ledgers of the same size, one written as before signing existed (no keys), one all signed. Then
// authentication at the default scrypt cost, a checkpoint, and the primitives alone.
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ledger, type Principal, createSigningCredential, formatPublicKey, openPassphrase, unsealPrivateKey, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'

const ENTRIES = Number(process.argv[2] ?? 3000)
const PASS = 'correct horse battery'
const dir = mkdtempSync(join(tmpdir(), 'csledger-signing-cost-'))
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2 }
const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`)

async function clinic(file: string, signing: boolean) {
  const store = await openSqliteStore(file, { create: true })
  const L = new Ledger({ store, signing, kdf: { N: 1024, r: 8, p: 1 } })
  await L.init({ registrant: 'Cost Clinic', address: '1 Main St', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: PASS, ledgerId: crypto.randomUUID() })
  const pic: Principal = signing ? await L.authenticate('pkim', PASS) : { username: 'pkim' }
  await L.addUser({ username: 'nkim', name: 'Nora Kim', role: 'nurse', passphrase: PASS, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse: Principal = signing ? await L.authenticate('nkim', PASS) : { username: 'nkim' }
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 4, items: [], by: pic, witness: nurse })
  await L.receive({ product: 'KET-50', lot: 'K1', expires: '2099-12-31', containers: 1000, location: 'SAFE-1', supplier: 'Acme', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  return { store, L, pic, nurse, container: undefined as string | undefined }
}

type Clinic = Awaited<ReturnType<typeof clinic>>
const doses = new WeakMap<object, number>()
/** One administration of 0.01 mL; a fresh container every 900 (batches are all or nothing, so none may fail). */
async function dose(c: Clinic): Promise<void> {
  const n = doses.get(c.store) ?? 0
  if (!c.container || n >= 900) {
    c.container = ((await c.L.open({ product: 'KET-50', lot: 'K1', location: 'SAFE-1', by: c.nurse })).stored.entry.data as { container: string }).container
    doses.set(c.store, 0)
  }
  await c.L.administer({ container: c.container, dose: '0.01mL', patient: 'P-1', by: c.nurse })
  doses.set(c.store, (doses.get(c.store) ?? 0) + 1)
}

async function timed(fn: () => Promise<void>): Promise<number> { const t = performance.now(); await fn(); return performance.now() - t }

const off = await clinic(join(dir, 'unsigned.db'), false)
const on = await clinic(join(dir, 'signed.db'), true)

// Appends: on the signed ledger, each signed append (authenticated nurse) is paired with the same
// append unsigned (a plain principal through a ledger with signing off), so both see the same file,
// the same state and the same moment: the difference is the signing (Ed25519 + one row).
const plain = new Ledger({ store: on.store })
const plainNurse = { username: 'nkim' }
async function pair(into: { on: number[]; off: number[] }): Promise<void> {
  into.on.push(await timed(() => dose(on)))
  const saved = on.nurse
  ;(on as { nurse: Principal }).nurse = plainNurse
  const L = on.L
  ;(on as { L: Ledger }).L = plain
  into.off.push(await timed(() => dose(on)))
  ;(on as { nurse: Principal }).nurse = saved
  ;(on as { L: Ledger }).L = L
}
const single = { off: [] as number[], on: [] as number[] }
for (let i = 0; i < 200; i++) await pair(single)
const batch = { off: [] as number[], on: [] as number[] }
for (let i = 0; i < 30; i++) await on.L.batch(async () => { for (let j = 0; j < 50; j++) await pair(batch) })
// Then both ledgers grow to the same size, all signed and all unsigned, for verify.
for (const c of [off, on]) {
  while ((await c.store.read().head())!.seq < ENTRIES) await c.L.batch(async () => { for (let i = 0; i < 250; i++) await dose(c) })
}

// Verify: the same number of entries, with and without signatures.
const size = Math.min((await off.store.read().head())!.seq, (await on.store.read().head())!.seq)
const verifyRuns = { off: [] as number[], on: [] as number[] }
let sigs = 0
for (let i = 0; i < 5; i++) {
  verifyRuns.off.push(await timed(async () => { await verifyLedger(off.store) }))
  verifyRuns.on.push(await timed(async () => { sigs = (await verifyLedger(on.store)).signatures?.verified ?? 0 }))
}
const entriesOff = (await off.store.read().head())!.seq
const entriesOn = (await on.store.read().head())!.seq

// Authentication at the default scrypt cost: before signing (32-byte output) and with a sealed key.
const real = await clinic(join(dir, 'default-kdf.db'), true)
const realLedger = new Ledger({ store: real.store, signing: true })
await realLedger.changePassphrase({ username: 'nkim', passphrase: PASS, newPassphrase: PASS })
const legacy = await clinic(join(dir, 'default-kdf-legacy.db'), false)
const legacyLedger = new Ledger({ store: legacy.store })
await legacyLedger.changePassphrase({ username: 'nkim', passphrase: PASS, newPassphrase: PASS })
const auth = { off: [] as number[], on: [] as number[] }
for (let i = 0; i < 15; i++) {
  auth.off.push(await timed(async () => { await legacyLedger.authenticate('nkim', PASS) }))
  auth.on.push(await timed(async () => { await realLedger.authenticate('nkim', PASS) }))
}

// A checkpoint of the signed ledger (root over every entry, chain checked on the way).
const cpRuns: number[] = []
for (let i = 0; i < 5; i++) cpRuns.push(await timed(async () => { await on.L.checkpoint({ by: on.pic }) }))

// What authentication adds after the KDF: open the sealed key (AES-256-GCM), import it, check it is the chain's key.
const cred = await createSigningCredential('nkim', PASS, { N: 1024, r: 8, p: 1 })
const opened = await openPassphrase(PASS, cred.passphraseHash, true)
const unseal: number[] = []
for (let r = 0; r < 5; r++) {
  unseal.push((await timed(async () => {
    for (let i = 0; i < 500; i++) formatPublicKey(createPublicKey(unsealPrivateKey(cred.sealedKey, opened.sealingKey!, { username: 'nkim', publicKey: cred.publicKey })))
  })) / 500)
}

// The primitives alone.
const { privateKey } = generateKeyPairSync('ed25519')
const pub = createPublicKey(privateKey)
const msg = Buffer.alloc(54, 1)
const s = sign(null, msg, privateKey)
const prim = { sign: [] as number[], verify: [] as number[] }
for (let r = 0; r < 5; r++) {
  prim.sign.push((await timed(async () => { for (let i = 0; i < 2000; i++) sign(null, msg, privateKey) })) / 2000)
  prim.verify.push((await timed(async () => { for (let i = 0; i < 2000; i++) verify(null, msg, pub, s) })) / 2000)
}

for (const c of [off, on, real, legacy]) await c.store.close()
rmSync(dir, { recursive: true, force: true })

const perEntry = (xs: number[], n: number) => median(xs) / n
const rows = [
  [`append, committed on its own (median of ${single.on.length} pairs)`, fmt(median(single.off)), fmt(median(single.on)), fmt(median(single.on) - median(single.off))],
  [`append in batch mode (median of ${batch.on.length} pairs)`, fmt(median(batch.off)), fmt(median(batch.on)), fmt(median(batch.on) - median(batch.off))],
  [`full verify, per entry (${entriesOff} entries unsigned / ${entriesOn} entries with ${sigs} signatures)`, fmt(perEntry(verifyRuns.off, entriesOff)), fmt(perEntry(verifyRuns.on, entriesOn)), `${fmt((median(verifyRuns.on) - perEntry(verifyRuns.off, entriesOff) * entriesOn) / sigs)} per signature`],
  [`full verify, whole ledger`, fmt(median(verifyRuns.off)), fmt(median(verifyRuns.on)), '-'],
  ['authenticate at the default scrypt cost (N=2^15), median of 15', fmt(median(auth.off)), fmt(median(auth.on)), fmt(median(auth.on) - median(auth.off))],
  ['  of which opening the sealed key (AES-256-GCM, import, check)', '-', fmt(median(unseal)), fmt(median(unseal))],
  [`checkpoint of ${size}+ entries (sign + root + chain check)`, '-', fmt(median(cpRuns)), '-'],
  ['Ed25519 sign / verify of one 54-byte message (node:crypto)', '-', `${fmt(median(prim.sign))} / ${fmt(median(prim.verify))}`, '-'],
]
const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'unsigned', 'signed', 'cost of signing'][i]!.length))
const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`
process.stdout.write(`${[line(['measure', 'unsigned', 'signed', 'cost of signing']), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`)
process.stdout.write(`node ${process.versions.node}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, SQLite synchronous=FULL, WAL\n`)
