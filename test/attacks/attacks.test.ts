// Attacks on a real ledger file by someone who holds the file but not the users' passphrases: the
// operator, or anyone with a shell on the clinic's machine. Each attack edits a copy of a ledger
// written through the csledger CLI (guard triggers dropped, as a tamperer would), and must be found
// three ways, each finding naming the entry or the checkpoint:
//   1. `csledger verify` on the file (entry signatures, stored checkpoints, the chain);
//   2. `csledger verify --checkpoint <file given out earlier>`, where the attack also removed the
//      evidence inside the file;
//   3. the standalone verifier (Node and packages/verifier only, in its own process) on the bundle
//      the clinic exports, with keys.txt and checkpoints the inspector holds from before.
import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger, canonicalJson, formatPublicKey, hashPassphraseWithSealingKey, sealPrivateKey, signEntryHash } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { makeTempDir } from '../support/make-temp-dir.ts'
import {
  type AttackBase, PASS, buildAttackBase, cli, copyLedger, inspectorBundle, ok, putEntry, rechain, rows, runVerifier, standaloneVerifier, tamper,
} from './support/attack-ledger.ts'

const tmp = makeTempDir('attacks')
let base: AttackBase
let other: { db: string; adminSeq: number }
let verifier: string
let n = 0

beforeAll(async () => {
  base = await buildAttackBase(tmp.dir)
  verifier = standaloneVerifier(tmp.dir)
  // A second clinic's ledger, whose entries an attacker might replay into the first.
  const otherDir = makeTempDir('attacks-other')
  const db = join(otherDir.dir, 'other.db')
  await ok(db, 'init', '--registrant', 'Other Clinic', '--address', '1 Oak Ave', '--dea', 'BJ6125341', '--admin', 'pkim', '--admin-name', 'Pat Kim', '--timezone', 'UTC')
  await ok(db, 'user', 'add', 'nkim', '--name', 'Nora Kim', '--role', 'nurse', '--by', 'pkim')
  await ok(db, 'location', 'add', 'SAFE-1', '--name', 'Main safe', '--by', 'pkim')
  await ok(db, 'product', 'add', 'KET-50', '--drug', 'ketamine', '--ndc', '67457-108-10', '--concentration', '50mg/mL', '--volume', '10mL', '--dose-form', 'multi-dose', '--by', 'pkim')
  await ok(db, 'inventory', '--kind', 'initial', '--at', 'opening', '--zero', '--by', 'pkim', '--witness', 'nkim')
  await ok(db, 'receive', '--product', 'KET-50', '--lot', 'K2417A', '--expires', '2030-03-31', '--containers', '2', '--location', 'SAFE-1', '--supplier', 'Acme Wholesale', '--supplier-address', '9 Depot Rd', '--supplier-dea', 'AB1234563', '--invoice', 'INV-9', '--by', 'nkim')
  await ok(db, 'open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim')
  const dose = await ok(db, 'administer', '--container', 'C-0001', '--dose', '40mg', '--patient', 'P-9', '--by', 'nkim')
  other = { db, adminSeq: Number(/#(\d+)/.exec(dose.stdout)![1]) }
}, 180_000)
afterAll(() => tmp.remove())

/** A fresh copy of the clinic's ledger to attack. */
const victim = () => copyLedger(base.db, tmp.file(`attack-${++n}.db`))

type Finding = { code: string; seq: number | null; message: string }
async function verifyFile(db: string, ...args: string[]): Promise<{ code: number; findings: Finding[]; data: any }> {
  const r = await cli(db, ['verify', '--json', ...args])
  return { code: r.code, findings: r.json!.data.findings as Finding[], data: r.json!.data }
}
const show = (fs: readonly Finding[]) => fs.map((f) => `${f.code}@${String(f.seq)}: ${f.message}`).join('\n')

/** The inspector's check of the clinic's export: exit 5, a finding with `code`, and a verdict that names the failure. */
async function inspectorFinds(db: string, code: string, verdict: RegExp, held: readonly string[] = [base.givenMid, base.givenFinal]): Promise<any> {
  const bundle = await inspectorBundle(base, db, `bundle-${n}`, held)
  const r = runVerifier(verifier, bundle)
  expect(r.status, r.text).toBe(5)
  expect(r.report.findings.map((f: { code: string }) => f.code), r.text).toContain(code)
  expect(r.report.verdict, r.text).toMatch(verdict)
  expect(r.text.trimEnd().split('\n').at(-1)).toBe(`verdict: ${r.report.verdict}`)
  return r.report
}

describe('the ledger as the clinic wrote it', () => {
  it('given the untouched file, when verified with both checkpoints given out, then every signature and checkpoint holds', async () => {
    const v = await verifyFile(victim(), '--checkpoint', base.givenMid, '--checkpoint', base.givenFinal)
    expect(v.findings, show(v.findings)).toEqual([])
    expect(v.code).toBe(0)
    expect(v.data.signatures).toMatchObject({ verified: expect.any(Number), unsigned_without_key: 0, keyed_users: 4, signing_since: 1 })
    expect(v.data.checkpoints.filter((c: { status: string }) => c.status === 'ok')).toHaveLength(v.data.checkpoints.length)
    expect(v.data.checkpoints.at(-1).consistency).toMatchObject({ size1: base.seqs.head, size2: base.seqs.head })
    expect(v.data.checkpoints.find((c: { label: string }) => c.label === 'given-mid.txt').consistency).toMatchObject({ size1: base.midSize, size2: base.seqs.head, proof: expect.any(Array) })
  })

  it('given the clean export, when the standalone verifier checks it with the registered keys and the held checkpoints, then VERIFIED', async () => {
    const bundle = await inspectorBundle(base, victim(), 'bundle-clean', [base.givenMid, base.givenFinal])
    const r = runVerifier(verifier, bundle)
    expect(r.status, r.text).toBe(0)
    expect(r.report.status).toBe('verified')
    expect(r.report.verdict).toMatch(new RegExp(`^VERIFIED: ${base.seqs.head} entries of ledger ${base.ledgerId}, chain intact; \\d+ entry signatures verified; `))
    expect(r.report.signatures).toMatchObject({ file: true, unsignedWithoutKey: 0, keyedUsers: 4 })
  })
})

describe('attacks on the ledger file', () => {
  it('edit a field: a dose changed in place is found at that entry, by its hash and by its signature', async () => {
    const db = victim()
    const seq = base.seqs.dose
    tamper(db, (d) => {
      const e = JSON.parse(rows(d, seq)[0]!.canonical)
      e.data.given_mg = '3.5'
      d.prepare('UPDATE ledger_entry SET canonical = ? WHERE seq = ?').run(canonicalJson(e), seq)
    })
    const v = await verifyFile(db)
    expect(v.code).toBe(5)
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'HASH_MISMATCH', seq })
    expect(v.findings).toContainEqual(expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq }))
    await inspectorFinds(db, 'BAD_ENTRY_SIGNATURE', new RegExp(`^FAILED: entry ${seq} was edited`))
  })

  it('delete a row: a dose and its signature removed leave a gap named by its seq', async () => {
    const db = victim()
    const seq = base.seqs.lastDose - 1
    tamper(db, (d) => {
      d.prepare('DELETE FROM entry_signature WHERE seq = ?').run(seq)
      d.prepare('DELETE FROM ledger_entry WHERE seq = ?').run(seq)
    })
    const v = await verifyFile(db)
    expect(v.code).toBe(5)
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'SEQ_GAP', seq })
    await inspectorFinds(db, 'SEQ_GAP', new RegExp(`entry ${seq} is missing`))
  })

  it('insert a forged row: a dose appended under a nurse\'s name, correctly chained and hashed, is unsigned', async () => {
    const db = victim()
    const seq = base.seqs.head + 1
    tamper(db, (d) => {
      const last = rows(d, base.seqs.head)[0]!
      const e = JSON.parse(rows(d, base.seqs.lastDose)[0]!.canonical)
      putEntry(d, seq, { ...e, seq, prev_hash: last.hash, recorded_at: new Date().toISOString(), data: { ...e.data, patient: 'P-6666' } })
    })
    const v = await verifyFile(db)
    expect(v.code).toBe(5)
    expect(v.findings, show(v.findings)).toContainEqual(expect.objectContaining({ code: 'UNSIGNED', seq, message: expect.stringContaining('nkim') }))
    await inspectorFinds(db, 'UNSIGNED', new RegExp(`^FAILED: entry ${seq} \\(administration, actor nkim\\) is not signed`))
  })

  it('insert a forged row signed with a key of the forger\'s own: the signature does not verify with the nurse\'s key', async () => {
    const db = victim()
    const seq = base.seqs.head + 1
    const forger = generateKeyPairSync('ed25519').privateKey
    tamper(db, (d) => {
      const last = rows(d, base.seqs.head)[0]!
      const e = JSON.parse(rows(d, base.seqs.lastDose)[0]!.canonical)
      const hash = putEntry(d, seq, { ...e, seq, prev_hash: last.hash, recorded_at: new Date().toISOString(), data: { ...e.data, patient: 'P-6667' } })
      d.prepare('INSERT INTO entry_signature (seq, role, signer, signature) VALUES (?, ?, ?, ?)').run(seq, 'actor', 'nkim', signEntryHash(forger, 'actor', hash))
    })
    const v = await verifyFile(db)
    expect(v.findings, show(v.findings)).toContainEqual(expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq }))
    await inspectorFinds(db, 'BAD_ENTRY_SIGNATURE', new RegExp(`^FAILED: the actor signature on entry ${seq} `))
  })

  it('reorder: two entries swapped in place are found at the first of them', async () => {
    const db = victim()
    const a = base.seqs.lastDose - 2
    tamper(db, (d) => {
      const [x, y] = rows(d, a).slice(0, 2) as [ReturnType<typeof rows>[number], ReturnType<typeof rows>[number]]
      d.prepare('DELETE FROM ledger_entry WHERE seq IN (?, ?)').run(a, a + 1)
      const ins = d.prepare('INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      for (const [seq, r] of [[a, y], [a + 1, x]] as const) ins.run(seq, r.ledger_id, r.prev_hash, r.hash, r.kind, r.recorded_at, r.occurred_at, r.actor, r.request_id, r.canonical)
    })
    const v = await verifyFile(db)
    expect(v.code).toBe(5)
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'REORDERED', seq: a })
    await inspectorFinds(db, 'SEQ_GAP', new RegExp(`expected seq ${a} `))
  })

  it('reorder and re-chain: two doses swapped, renumbered and re-hashed break their signatures and the checkpoint given out', async () => {
    const db = victim()
    const a = base.midSize + 1
    tamper(db, (d) => {
      const [x, y] = rows(d, a).slice(0, 2).map((r) => JSON.parse(r.canonical)) as [Record<string, unknown>, Record<string, unknown>]
      d.prepare('DELETE FROM ledger_entry WHERE seq IN (?, ?)').run(a, a + 1)
      const prev = rows(d, a - 1)[0]!.hash
      const h = putEntry(d, a, { ...y, seq: a, prev_hash: prev })
      putEntry(d, a + 1, { ...x, seq: a + 1, prev_hash: h })
      rechain(d, a + 2)
      d.prepare('DELETE FROM checkpoint WHERE size >= ?').run(a)
    })
    const v = await verifyFile(db, '--checkpoint', base.givenFinal)
    expect(v.code).toBe(5)
    // The signatures stored for seq a are the other dose's: their signer is not this entry's actor.
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'WRONG_SIGNER', seq: a })
    expect(v.findings).toContainEqual(expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq: a }))
    expect(v.findings).toContainEqual(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining('given-final.txt') }))
    const report = await inspectorFinds(db, 'ROOT_MISMATCH', new RegExp(`^FAILED: signatures\\.jsonl:\\d+ says rdiaz signed entry ${a} as actor, but its actor is nkim`))
    expect(report.checkpoints.find((c: { file: string }) => c.file === 'checkpoints/held-given-final.txt').status).toBe('root-mismatch')
  })

  it('truncate the tail: the last entries removed with their signatures and checkpoints are caught by the checkpoint given out', async () => {
    const db = victim()
    const keep = base.seqs.head - 4
    tamper(db, (d) => {
      d.prepare('DELETE FROM entry_signature WHERE seq > ?').run(keep)
      d.prepare('DELETE FROM projection_history WHERE seq > ?').run(keep)
      d.prepare('DELETE FROM ledger_entry WHERE seq > ?').run(keep)
      d.prepare('DELETE FROM checkpoint WHERE size > ?').run(keep)
    })
    // What remains is a whole, signed chain on its own (only the current balances betray it here):
    const alone = await verifyFile(db)
    expect(alone.findings.every((f) => f.code === 'PROJECTION_MISMATCH'), show(alone.findings)).toBe(true)
    const v = await verifyFile(db, '--checkpoint', base.givenFinal)
    expect(v.code).toBe(5)
    expect(v.findings, show(v.findings)).toContainEqual(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED', seq: keep + 1, message: expect.stringMatching(new RegExp(`^given-final\\.txt .*entries ${keep + 1}-${base.seqs.head} were removed`)) }))
    await inspectorFinds(db, 'TRUNCATED', /^FAILED: checkpoints\/held-given-final\.txt was signed when the ledger had \d+ entries/)
  })

  it('rewrite everything after seq N with valid recomputed hashes: caught by the signatures and by the checkpoint given out when the ledger was past N', async () => {
    const db = victim()
    const N = base.seqs.dose
    expect(base.midSize).toBeGreaterThan(N)
    tamper(db, (d) => {
      rechain(d, N + 1, (e) => { if (e.seq === N + 1) e.data.reason = 'spilled' })
      d.prepare('DELETE FROM checkpoint WHERE size > ?').run(N)
    })
    const v = await verifyFile(db, '--checkpoint', base.givenMid)
    expect(v.code).toBe(5)
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'BAD_ENTRY_SIGNATURE', seq: N + 1 })
    expect(v.findings.filter((f) => f.code === 'BAD_ENTRY_SIGNATURE').map((f) => f.seq)).toContain(base.seqs.head)
    expect(v.findings).toContainEqual(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining(`entries 1-${base.midSize} no longer hash to the root signed in given-mid.txt`) }))
    await inspectorFinds(db, 'ROOT_MISMATCH', new RegExp(`^FAILED: the \\w+ signature on entry ${N + 1} `))
  })

  it('forge a co-sign without the physician\'s passphrase: the library refuses it, and one written around csledger is unsigned', async () => {
    const db = victim()
    const waste = await ok(db, 'waste', '--container', 'C-0001', '--amount', '0.2mL', '--reason', 'contaminated', '--by', 'nkim', '--witness', 'rdiaz')
    const wasteSeq = Number(/#(\d+)/.exec(waste.stdout)![1])
    // Without the passphrase, the CLI refuses.
    const wrong = await cli(db, ['cosign', String(wasteSeq), '--by', 'drlee', '--json'], { CSLEDGER_PASSPHRASE: 'not the physician' })
    expect([wrong.code, wrong.json!.error!.code]).toEqual([77, 'BAD_PASSPHRASE'])
    const store = await openSqliteStore(db)
    try {
      // A signing ledger (the CLI's) refuses an unsigned co-sign by someone who has a key.
      await expect(new Ledger({ store, signing: true }).cosign({ waste: wasteSeq, by: { username: 'drlee' } })).rejects.toMatchObject({ code: 'SIGNATURE_REQUIRED' })
      // Written around that check (signing off), it is appended without a signature.
      await new Ledger({ store }).cosign({ waste: wasteSeq, by: { username: 'drlee' } })
    } finally {
      await store.close()
    }
    const seq = wasteSeq + 1
    const v = await verifyFile(db)
    expect(v.code).toBe(5)
    expect(v.findings, show(v.findings)).toEqual([expect.objectContaining({ code: 'UNSIGNED', seq, message: expect.stringMatching(new RegExp(`^entry ${seq} \\(cosign, actor drlee\\) is not signed, though drlee has had a signing key`)) })])
    await inspectorFinds(db, 'UNSIGNED', new RegExp(`^FAILED: entry ${seq} \\(cosign, actor drlee\\) is not signed`))
  })

  it('forge a co-sign by replacing the physician\'s stored credential with the forger\'s own passphrase and key: authentication refuses it', async () => {
    const db = victim()
    const waste = await ok(db, 'waste', '--container', 'C-0001', '--amount', '0.2mL', '--reason', 'contaminated', '--by', 'nkim', '--witness', 'rdiaz')
    const wasteSeq = Number(/#(\d+)/.exec(waste.stdout)![1])
    const forgerPass = 'the forger knows this one'
    const { privateKey } = generateKeyPairSync('ed25519')
    const { hash, sealingKey } = await hashPassphraseWithSealingKey(forgerPass)
    tamper(db, (d) => {
      const chainKey = (JSON.parse(rows(d, 1).find((r) => r.kind === 'user' && JSON.parse(r.canonical).data.username === 'drlee')!.canonical).data.public_key) as string
      // Sealed under the forger's passphrase, bound to the physician's name and recorded public key.
      const sealed = sealPrivateKey(privateKey, sealingKey, { username: 'drlee', publicKey: chainKey })
      d.prepare('UPDATE credential SET passphrase_hash = ?, sealed_key = ? WHERE username = ?').run(hash, sealed, 'drlee')
    })
    const r = await cli(db, ['cosign', String(wasteSeq), '--by', 'drlee', '--json'], { CSLEDGER_PASSPHRASE: forgerPass })
    expect([r.code, r.json!.error!.code]).toEqual([77, 'KEY_MISMATCH'])
    // Signing the co-sign directly with that key, in the file, fails verification instead.
    tamper(db, (d) => {
      const last = rows(d, wasteSeq)[0]!
      const e = { kind: 'cosign', occurred_at: new Date().toISOString(), actor: 'drlee', data: { waste: wasteSeq }, format: 1, ledger_id: base.ledgerId, seq: wasteSeq + 1, prev_hash: last.hash, recorded_at: new Date().toISOString() }
      const h = putEntry(d, wasteSeq + 1, e)
      d.prepare('INSERT INTO entry_signature (seq, role, signer, signature) VALUES (?, ?, ?, ?)').run(wasteSeq + 1, 'actor', 'drlee', signEntryHash(privateKey, 'actor', h))
    })
    const v = await verifyFile(db)
    expect(v.findings, show(v.findings)).toContainEqual(expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq: wasteSeq + 1, message: expect.stringContaining("drlee's key") }))
  })

  it('replay another ledger\'s entries: copied as they are, they belong to another ledger; re-fitted, their signatures fail', async () => {
    const foreign = await (async () => {
      const { default: Database } = await import('better-sqlite3')
      const d = new Database(other.db, { readonly: true })
      try {
        const row = d.prepare('SELECT * FROM ledger_entry WHERE seq = ?').get(other.adminSeq) as ReturnType<typeof rows>[number]
        const sigs = d.prepare('SELECT * FROM entry_signature WHERE seq = ?').all(other.adminSeq) as Array<{ role: string; signer: string; signature: string }>
        return { row, sigs }
      } finally {
        d.close()
      }
    })()
    const seq = base.seqs.head + 1
    // As they are: the other ledger's id, seq and prev_hash.
    const asIs = victim()
    tamper(asIs, (d) => {
      const r = foreign.row
      d.prepare('INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(seq, r.ledger_id, r.prev_hash, r.hash, r.kind, r.recorded_at, r.occurred_at, r.actor, r.request_id, r.canonical)
    })
    const v1 = await verifyFile(asIs)
    expect(v1.findings, show(v1.findings)).toContainEqual(expect.objectContaining({ code: 'FOREIGN_ENTRY', seq }))
    await inspectorFinds(asIs, 'FOREIGN_ENTRY', new RegExp(`seq ${seq}|entry ${seq}`))
    // Re-fitted: this ledger's id, the next seq, linked and re-hashed, with the other ledger's signatures.
    const fitted = victim()
    tamper(fitted, (d) => {
      const last = rows(d, base.seqs.head)[0]!
      const e = { ...JSON.parse(foreign.row.canonical), ledger_id: base.ledgerId, seq, prev_hash: last.hash }
      putEntry(d, seq, e)
      for (const s of foreign.sigs) d.prepare('INSERT INTO entry_signature (seq, role, signer, signature) VALUES (?, ?, ?, ?)').run(seq, s.role, s.signer, s.signature)
    })
    const v2 = await verifyFile(fitted)
    expect(v2.findings, show(v2.findings)).toContainEqual(expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq }))
    await inspectorFinds(fitted, 'BAD_ENTRY_SIGNATURE', new RegExp(`^FAILED: the actor signature on entry ${seq} `))
  })

  it('substitute a user\'s public key: the nurse\'s key replaced and her entries re-signed with the forger\'s key break the PIC\'s signatures, the checkpoint and the registered key', async () => {
    const db = victim()
    const forger = generateKeyPairSync('ed25519').privateKey
    const forgedKey = formatPublicKey(forger)
    const at = base.seqs.userNkim
    tamper(db, (d) => {
      rechain(d, at, (e) => { if (e.seq === at) e.data.public_key = forgedKey })
      // Re-sign every slot the nurse holds with the forger's key; nobody else's can be re-signed.
      for (const r of rows(d, at)) {
        const e = JSON.parse(r.canonical)
        for (const role of ['actor', 'witness'] as const) {
          if (e[role] === 'nkim') d.prepare('UPDATE entry_signature SET signature = ? WHERE seq = ? AND role = ?').run(signEntryHash(forger, role, r.hash), r.seq, role)
        }
      }
      d.prepare('DELETE FROM checkpoint').run()
    })
    const v = await verifyFile(db, '--checkpoint', base.givenMid)
    expect(v.code).toBe(5)
    expect(v.findings[0], show(v.findings)).toMatchObject({ code: 'BAD_ENTRY_SIGNATURE', seq: at, message: expect.stringContaining("pkim's key") })
    expect(v.findings).toContainEqual(expect.objectContaining({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining('given-mid.txt') }))
    const report = await inspectorFinds(db, 'KEY_MISMATCH', new RegExp(`^FAILED: the actor signature on entry ${at} `))
    expect(report.findings.find((f: { code: string }) => f.code === 'KEY_MISMATCH')).toMatchObject({ seq: at, message: expect.stringContaining(`entry ${at} records ${forgedKey} as nkim's key`) })
  })

  it('substitute a user\'s key with no checkpoint held: the registered key still shows it, and a passphrase in the forger\'s hands cannot open the real key', async () => {
    const db = victim()
    const r = await cli(db, ['user', 'passphrase', 'nkim', '--json'], { CSLEDGER_PASSPHRASE: 'guessing wrongly', CSLEDGER_NEW_PASSPHRASE: 'whatever else here' })
    expect([r.code, r.json!.error!.code]).toEqual([77, 'BAD_PASSPHRASE'])
    const forger = generateKeyPairSync('ed25519').privateKey
    tamper(db, (d) => {
      rechain(d, base.seqs.userNkim, (e) => { if (e.seq === base.seqs.userNkim) e.data.public_key = formatPublicKey(forger) })
      d.prepare('DELETE FROM checkpoint').run()
    })
    await inspectorFinds(db, 'KEY_MISMATCH', /^FAILED: /, [])
  })
})

describe('signing over a tampered file', () => {
  it('given an edited entry, when a count is taken, then the count is recorded but no checkpoint is signed over the broken chain (exit 5)', async () => {
    const db = victim()
    const seq = base.seqs.dose
    tamper(db, (d) => {
      const e = JSON.parse(rows(d, seq)[0]!.canonical)
      e.data.patient = 'P-0000'
      d.prepare('UPDATE ledger_entry SET canonical = ? WHERE seq = ?').run(canonicalJson(e), seq)
    })
    const r = await cli(db, ['count', '--location', 'SAFE-1', '--by', 'rdiaz', '--witness', 'nkim', '--item', 'K2417A=2', '--item', 'C-0001=8mL', '--json'])
    expect(r.code).toBe(5)
    expect(r.json!.data).toMatchObject({ kind: 'count', checkpoint_not_signed: expect.stringContaining(`the chain does not verify, so it cannot be signed: entry ${seq} was edited`) })
    const refused = await cli(db, ['checkpoint', '--out', tmp.file(`cp-${n}.txt`), '--by', 'pkim', '--json'])
    expect([refused.code, refused.json!.error!.code]).toEqual([5, 'CHAIN_BROKEN'])
  })
})

describe('what is not an attack', () => {
  it('given a passphrase change, then the same key is re-sealed: nothing is re-signed and the ledger still verifies with the checkpoints given out', async () => {
    const db = victim()
    const r = await cli(db, ['user', 'passphrase', 'nkim', '--json'], { CSLEDGER_NEW_PASSPHRASE: 'a brand new passphrase' })
    expect(r.json).toMatchObject({ ok: true, data: { username: 'nkim', resealed: true } })
    const signed = await cli(db, ['administer', '--container', 'C-0001', '--dose', '10mg', '--patient', 'P-4', '--by', 'nkim'], { CSLEDGER_PASSPHRASE: 'a brand new passphrase' })
    expect(signed.code, signed.stderr).toBe(0)
    const old = await cli(db, ['administer', '--container', 'C-0001', '--dose', '10mg', '--patient', 'P-5', '--by', 'nkim', '--json'], { CSLEDGER_PASSPHRASE: PASS })
    expect(old.json!.error!.code).toBe('BAD_PASSPHRASE')
    const v = await verifyFile(db, '--checkpoint', base.givenMid, '--checkpoint', base.givenFinal)
    expect(v.findings, show(v.findings)).toEqual([])
  })
})
