import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../ledger.ts'
import { createInMemoryLedgerStore } from '../store/in-memory-ledger-store.ts'
import { fixedClock } from '../store/ports.ts'
import { type LedgerStore, canSign } from '../store/ledger-store.ts'
import { cosignNote, parseNote } from '../checkpoint/signed-note.ts'
import { ENTRY_SIGNATURE_DOMAIN_V1, entrySignatureMessage, signEntryHash, verifyEntrySignature } from './entry-signature.ts'
import { ed25519NoteSigner } from '../checkpoint/note-key.ts'
import { verifyLedger } from '../verify-ledger.ts'
import { parseTlogProof } from '../checkpoint/tlog-proof.ts'
import { verifyInclusion } from '../merkle/inclusion-proof.ts'
import { entryLeafHash } from '../merkle/rfc6962-hasher.ts'

const KDF = { N: 1024, r: 1, p: 1 }
const PASS = 'correct horse battery'
const LEDGER_ID = '5b1c9e2e-8f7a-4d3b-9c1e-2a4b6c8d0e1f'

/** A small clinic: a PIC (pkim), a nurse (nkim), a physician (drlee), a safe, ketamine, the zero initial inventory. */
async function clinic(options: { signing: boolean; store?: LedgerStore; ledgerId?: string } = { signing: true }) {
  const store = options.store ?? createInMemoryLedgerStore()
  const L = new Ledger({ store, clock: fixedClock('2026-11-26T15:00:00Z'), kdf: KDF, signing: options.signing })
  await L.init({ registrant: 'Springfield Ketamine Clinic', address: '12 Elm St', dea: 'BJ6125341', admin: 'pkim', adminName: 'Pat Kim', passphrase: PASS, ledgerId: options.ledgerId ?? LEDGER_ID })
  const pic = await L.authenticate('pkim', PASS)
  await L.addUser({ username: 'nkim', name: 'Nora Kim', role: 'nurse', passphrase: PASS, by: pic })
  await L.addUser({ username: 'drlee', name: 'Dana Lee', role: 'physician', passphrase: PASS, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse = await L.authenticate('nkim', PASS)
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: 5, items: [], by: pic, witness: nurse })
  await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 2, location: 'SAFE-1', supplier: 'Acme', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  await L.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
  return { L, store, pic, nurse }
}

async function signatures(store: LedgerStore) {
  const out = []
  for await (const s of store.signatureRows!()) out.push(s)
  return out
}

describe('entry signatures', () => {
  it('signs "csledger:sig:v1" 0x00 role 0x00 and the 32 hash bytes, and a signature in one role does not pass for the other', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const hash = 'ab'.repeat(32)
    expect(entrySignatureMessage('witness', hash)).toEqual(Buffer.concat([Buffer.from(`${ENTRY_SIGNATURE_DOMAIN_V1}\0witness\0`), Buffer.from(hash, 'hex')]))
    const sig = signEntryHash(privateKey, 'actor', hash)
    expect(verifyEntrySignature(publicKey, 'actor', hash, sig)).toBe(true)
    expect(verifyEntrySignature(publicKey, 'witness', hash, sig)).toBe(false)
    expect(verifyEntrySignature(publicKey, 'actor', 'cd'.repeat(32), sig)).toBe(false)
    expect(verifyEntrySignature(publicKey, 'actor', hash, 'not base64')).toBe(false)
  })
})

describe('a ledger with signing on', () => {
  it('given users created on it, then each entry records the user\'s public key and the principal carries the key without showing it', async () => {
    const { L, pic } = await clinic()
    const users = await L.store.read().list('user')
    expect(users.map((u) => [u.username, u.public_key?.slice(0, 8)])).toEqual([['drlee', 'ed25519:'], ['nkim', 'ed25519:'], ['pkim', 'ed25519:']])
    expect((await L.store.read().entry(1))?.data).toMatchObject({ admin: { username: 'pkim', public_key: users.find((u) => u.username === 'pkim')!.public_key } })
    expect(pic.signingKey?.asymmetricKeyType).toBe('ed25519')
    expect(JSON.stringify(pic)).toBe('{"username":"pkim"}')
    expect({ ...pic }).toEqual({ username: 'pkim' })
  })

  it('given entries written and witnessed, then every actor and witness signed, and verify checks each signature', async () => {
    const { L, store } = await clinic()
    const sigs = await signatures(store)
    expect(sigs.map((s) => `${s.seq}:${s.role}:${s.signer}`)).toEqual(['1:actor:pkim', '2:actor:pkim', '3:actor:pkim', '4:actor:pkim', '5:actor:pkim', '6:actor:pkim', '6:witness:nkim', '7:actor:nkim', '8:actor:nkim'])
    const report = await L.verify()
    expect(report.findings).toEqual([])
    expect(report.signatures).toEqual({ verified: 9, unsigned_without_key: 0, keyed_users: 3, signing_since: 1, omitted_findings: 0 })
  })

  it('given a principal without its key (not authenticated), when it writes, then SIGNATURE_REQUIRED and nothing is appended', async () => {
    const { L } = await clinic()
    const head = await L.store.read().head()
    await expect(L.addLocation({ code: 'SAFE-2', name: 'Second safe', by: { username: 'pkim' } })).rejects.toMatchObject({ code: 'SIGNATURE_REQUIRED', name: 'AuthError' })
    expect(await L.store.read().head()).toEqual(head)
  })

  it('given an unsigned entry by a keyed user written through a ledger without signing, then verify names it UNSIGNED', async () => {
    const { L, store } = await clinic()
    const plain = new Ledger({ store, clock: fixedClock('2026-11-26T15:05:00Z'), kdf: KDF })
    const r = await plain.administer({ container: 'C-0001', dose: '35mg', patient: 'P-1042', by: { username: 'nkim' } })
    const report = await L.verify()
    expect(report.ok).toBe(false)
    expect(report.findings).toEqual([expect.objectContaining({ code: 'UNSIGNED', seq: r.stored.entry.seq, message: expect.stringContaining(`entry ${r.stored.entry.seq} (administration, actor nkim) is not signed, though nkim has had a signing key since entry 2`) })])
  })

  it('given a user added without a key after signing began, then MISSING_PUBLIC_KEY names the entry', async () => {
    const { L, store, pic } = await clinic()
    const plain = new Ledger({ store, clock: fixedClock('2026-11-26T15:05:00Z'), kdf: KDF })
    const r = await plain.addUser({ username: 'ghost', name: 'No Key', role: 'nurse', passphrase: PASS, by: pic })
    const report = await L.verify()
    expect(report.findings).toEqual([expect.objectContaining({ code: 'MISSING_PUBLIC_KEY', seq: r.stored.entry.seq })])
  })

  it('given a passphrase change, then the same key opens under the new passphrase and the chain is unchanged', async () => {
    const { L } = await clinic()
    const before = await L.store.read().head()
    const key = (await L.store.read().get('user', 'nkim'))!.public_key
    expect(await L.changePassphrase({ username: 'nkim', passphrase: PASS, newPassphrase: 'another passphrase' })).toEqual({})
    expect(await L.store.read().head()).toEqual(before)
    await expect(L.authenticate('nkim', PASS)).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
    const again = await L.authenticate('nkim', 'another passphrase')
    expect(again.signingKey).toBeDefined()
    expect((await L.store.read().get('user', 'nkim'))!.public_key).toBe(key)
    await L.administer({ container: 'C-0001', dose: '35mg', patient: 'P-1042', by: again })
    expect((await L.verify()).findings).toEqual([])
  })
})

describe('a store that cannot keep signatures', () => {
  it('given a store without the signing capability, then canSign is false, a ledger on it writes unsigned, and a signed entry is refused (CANNOT_SIGN)', async () => {
    const { store: full, nurse } = await clinic()
    const { signatureRows: _s, checkpointRows: _c, ...rest } = full
    const bare: LedgerStore = { ...rest, writeTransaction: (fn) => full.writeTransaction((tx) => { const { putSignatures: _p, putCheckpoint: _q, ...t } = tx; return fn(t) }) }
    expect([canSign(full), canSign(bare)]).toEqual([true, false])
    const L = new Ledger({ store: bare, signing: canSign(bare) })
    await expect(L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })).rejects.toMatchObject({ code: 'CANNOT_SIGN' })
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: { username: 'nkim' } })
    const report = await L.verify()
    expect(report.findings.map((f) => f.code)).toContain('UNSIGNED')
  })
})

describe('the newest stored checkpoint', () => {
  it('given a checkpoint and later entries, then the ledger still extends it; given a chain that no longer verifies, then CHAIN_BROKEN', async () => {
    const { L, store, pic, nurse } = await clinic()
    const cp = await L.checkpoint({ by: pic })
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })
    const newest = await L.newestCheckpoint()
    expect(newest?.record.note).toBe(cp.note)
    expect(newest?.verdict).toMatchObject({ status: 'ok', size: cp.checkpoint.size, signed_by: ['pkim'] })
    // The same store with the location entry's bytes edited (its stored hash kept): no document vouches for it.
    const edited: LedgerStore = {
      ...store,
      entryRows: (range) => (async function* () {
        for await (const row of store.entryRows(range)) yield { ...row, canonical: row.canonical.replace('"Main safe"', '"Other safe"') }
      })(),
    }
    await expect(new Ledger({ store: edited }).newestCheckpoint()).rejects.toMatchObject({ code: 'CHAIN_BROKEN' })
  })
})

describe('inclusion proofs', () => {
  it('given a stored checkpoint, then the tlog-proof of an entry carries the entry line and its audit path verifies against the signed root', async () => {
    const { L, pic, nurse } = await clinic()
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })
    const cp = await L.checkpoint({ by: pic })
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-2', by: nurse })
    const { proof, code } = await L.inclusionProof(7)
    expect(code).toBe(cp.code)
    const p = parseTlogProof(proof)
    const line = JSON.parse(Buffer.from(p.extra!).toString('utf8')) as { entry: { seq: number }; hash: string }
    expect(line.entry.seq).toBe(7)
    expect(p.checkpoint).toBe(cp.note)
    expect(verifyInclusion({ index: p.index, size: cp.checkpoint.size, leafHash: entryLeafHash(line.hash), proof: p.proof, root: cp.checkpoint.rootHash })).toEqual({ ok: true })
  })

  it('given an entry after the checkpoint, then NOT_COVERED; given a checkpoint of another history, then it is refused', async () => {
    const { L, pic, nurse } = await clinic()
    const cp = await L.checkpoint({ by: pic })
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })
    await expect(L.inclusionProof(9, cp.note)).rejects.toMatchObject({ code: 'NOT_COVERED' })
    const other = await clinic()
    await expect(other.L.inclusionProof(3, cp.note)).rejects.toMatchObject({ code: 'CHECKPOINT_UNKNOWN_SIGNER' })
  })
})

describe('verify while others append', () => {
  it('given an entry appended after verify started, then this run verifies up to the start, and the new entry\'s signatures are neither missing nor orphans', async () => {
    const { L, store, nurse } = await clinic()
    const tip = (await store.read().head())!.seq
    const before = (await verifyLedger(store)).signatures!.verified
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })
    // Verify started when the head was `tip`; the last entry (and its signature) came after.
    let heads = 0
    const racing: LedgerStore = { ...store, read: () => ({ ...store.read(), head: async () => (heads++ === 0 ? { ...(await store.read().head())!, seq: tip } : store.read().head()) }) }
    const report = await verifyLedger(racing)
    expect(report.findings).toEqual([])
    expect([report.entries, report.signatures?.verified]).toEqual([tip, before])
    expect((await verifyLedger(store)).signatures?.verified).toBe(before + 1)
  })

  it('given signatures left past the last entry, then each is an ORPHAN_SIGNATURE', async () => {
    const { store } = await clinic()
    const cut: LedgerStore = { ...store, entryRows: (r = {}) => store.entryRows({ ...r, toSeq: 7 }), read: () => ({ ...store.read(), head: async () => ({ ...(await store.read().head())!, seq: 7 }) }) }
    const report = await verifyLedger(cut)
    expect(report.findings.filter((f) => f.code === 'ORPHAN_SIGNATURE').map((f) => f.seq)).toEqual([8])
  })
})

describe('a ledger written before signing existed', () => {
  it('given users without keys and plain principals (the fixtures of before), then it verifies and the report has its old shape', async () => {
    const { L } = await clinic({ signing: false })
    const report = await L.verify()
    expect(report.findings).toEqual([])
    expect(report.signatures).toBeUndefined()
    expect(Object.keys(report).sort()).toEqual(['entries', 'findings', 'head', 'ledger_id', 'ok'])
  })

  it('given it opened with signing on, then new users get keys, old users sign nothing until they enrol, and nothing old is re-signed', async () => {
    const { store } = await clinic({ signing: false })
    const L = new Ledger({ store, clock: fixedClock('2026-11-27T09:00:00Z'), kdf: KDF, signing: true })
    const pic = await L.authenticate('pkim', PASS)
    expect(pic.signingKey).toBeUndefined()
    const added = await L.addUser({ username: 'rdiaz', name: 'Rosa Diaz', role: 'nurse', passphrase: PASS, by: pic })
    expect((added.stored.entry.data as { public_key?: string }).public_key).toMatch(/^ed25519:/)
    expect(await signatures(store)).toEqual([])
    await expect(L.checkpoint({ by: pic })).rejects.toMatchObject({ code: 'NO_SIGNING_KEY', hint: expect.stringContaining('csledger user passphrase pkim') })

    const { enrolled } = await L.changePassphrase({ username: 'pkim', passphrase: PASS, newPassphrase: 'a new passphrase for pkim' })
    expect(enrolled?.stored.entry).toMatchObject({ kind: 'user_key', actor: 'pkim', data: { username: 'pkim', public_key: expect.stringMatching(/^ed25519:/) } })
    const seq = enrolled!.stored.entry.seq
    expect((await signatures(store)).map((s) => `${s.seq}:${s.role}:${s.signer}`)).toEqual([`${seq}:actor:pkim`])
    const pic2 = await L.authenticate('pkim', 'a new passphrase for pkim')
    const cp = await L.checkpoint({ by: pic2, requirePic: true })
    expect(cp.signers).toEqual([{ username: 'pkim', keyName: `csledger.invalid/${LEDGER_ID}` }])
    const report = await L.verify()
    expect(report.findings).toEqual([])
    expect(report.signatures).toMatchObject({ verified: 1, unsigned_without_key: 10, keyed_users: 2, signing_since: added.stored.entry.seq })
    expect(report.checkpoints).toEqual([expect.objectContaining({ status: 'ok', signed_by: ['pkim'], size: seq })])
    // A second enrolment would let whoever holds the passphrase disown what was signed: a passphrase change re-seals instead.
    expect(await L.changePassphrase({ username: 'pkim', passphrase: 'a new passphrase for pkim', newPassphrase: 'and another one again' })).toEqual({})
  })
})

describe('checkpoints', () => {
  it('given a PIC and a physician, then the checkpoint is signed under the origin and origin/drlee, stored, and verified as given', async () => {
    const { L } = await clinic()
    const director = await L.authenticate('drlee', PASS)
    const cp = await L.checkpoint({ by: await L.authenticate('pkim', PASS), cosigners: [director], requirePic: true })
    const origin = `csledger.invalid/${LEDGER_ID}`
    expect(cp.checkpoint).toMatchObject({ origin, size: 8, extensions: ['time 2026-11-26T15:00:00.000Z'] })
    expect(cp.note.split('\n').slice(0, 4)).toEqual([origin, '8', Buffer.from(cp.checkpoint.rootHash).toString('base64'), 'time 2026-11-26T15:00:00.000Z'])
    expect(parseNote(cp.note).signatures.map((s) => s.name)).toEqual([origin, `${origin}/drlee`])
    expect(cp.code).toMatch(/^8 [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/)
    const stored = []
    for await (const c of L.checkpoints()) stored.push(c)
    expect(stored).toEqual([{ size: 8, root: Buffer.from(cp.checkpoint.rootHash).toString('hex'), note: cp.note, created_at: '2026-11-26T15:00:00.000Z' }])
    const report = await L.verify({ checkpoints: [{ label: 'sheet.txt', note: cp.note }] })
    expect(report.findings).toEqual([])
    expect(report.checkpoints?.[1]).toMatchObject({ label: 'sheet.txt', status: 'ok', time: '2026-11-26T15:00:00.000Z', signed_by: ['pkim', 'drlee'], consistency: { size1: 8, size2: 8, proof: [] } })
  })

  it('given a nurse as the first signer of a CLI checkpoint, then ROLE_FORBIDDEN; twice the same signer, then SAME_SIGNER', async () => {
    const { L, pic, nurse } = await clinic()
    await expect(L.checkpoint({ by: nurse, requirePic: true })).rejects.toMatchObject({ code: 'ROLE_FORBIDDEN' })
    await expect(L.checkpoint({ by: pic, cosigners: [pic] })).rejects.toMatchObject({ code: 'SAME_SIGNER' })
  })

  it('given an older checkpoint and more entries, then the consistency proof to the head is returned and checks', async () => {
    const { L, pic, nurse } = await clinic()
    const old = await L.checkpoint({ by: pic })
    for (const patient of ['P-1', 'P-2', 'P-3']) await L.administer({ container: 'C-0001', dose: '10mg', patient, by: nurse })
    const report = await L.verify({ checkpoints: [{ label: 'old.txt', note: old.note }] })
    expect(report.findings).toEqual([])
    expect(report.checkpoints?.at(-1)?.consistency).toMatchObject({ size1: 8, size2: 11 })
    expect(report.checkpoints?.at(-1)?.consistency?.proof.length).toBeGreaterThan(0)
  })

  it.each([
    ['another ledger\'s checkpoint', 'CHECKPOINT_OTHER_LEDGER'],
    ['a checkpoint whose root was changed after signing', 'CHECKPOINT_BAD_SIGNATURE'],
    ['a checkpoint signed only by a key this ledger does not record', 'CHECKPOINT_UNKNOWN_SIGNER'],
    ['text that is not a signed note', 'CHECKPOINT_MALFORMED'],
  ])('given %s, then %s', async (what, code) => {
    const { L, pic } = await clinic()
    let note: string
    if (what.startsWith('another')) note = (await (await clinic({ signing: true, ledgerId: '00000000-0000-4000-8000-000000000000' })).L.checkpoint({ by: (await clinic()).pic })).note
    else if (what.includes('root was changed')) {
      const good = (await L.checkpoint({ by: pic })).note
      const lines = good.split('\n')
      lines[2] = Buffer.alloc(32, 1).toString('base64')
      note = lines.join('\n')
    } else if (what.includes('does not record')) {
      const good = (await L.checkpoint({ by: pic })).note
      const stranger = ed25519NoteSigner(`csledger.invalid/${LEDGER_ID}`, generateKeyPairSync('ed25519').privateKey)
      note = cosignNote(`${good.slice(0, good.indexOf('\n\n') + 1)}\n\u2014 x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n`, [stranger])
    } else note = 'not a checkpoint\n'
    const report = await L.verify({ checkpoints: [{ label: 'given.txt', note }] })
    expect(report.findings.map((f) => f.code)).toEqual([code])
    expect(report.findings[0]!.message).toContain('given.txt')
  })

  it('given a checkpoint covering more entries than the ledger holds, then CHECKPOINT_TRUNCATED names the first missing entry', async () => {
    const { L, pic, nurse, store } = await clinic()
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-1', by: nurse })
    await L.administer({ container: 'C-0001', dose: '10mg', patient: 'P-2', by: nurse })
    const given = await L.checkpoint({ by: pic })
    // The same store read as if its last two entries (and their signatures) were gone.
    const cut: LedgerStore = { ...store, entryRows: (r = {}) => store.entryRows({ ...r, toSeq: 8 }), signatureRows: (r = {}) => store.signatureRows!({ ...r, toSeq: 8 }), checkpointRows: async function* () {} }
    const report = await new Ledger({ store: cut }).verify({ checkpoints: [{ label: 'given.txt', note: given.note }] })
    expect(report.findings.filter((f) => f.code.startsWith('CHECKPOINT'))).toEqual([
      expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED', seq: 9, message: expect.stringMatching(/^given\.txt \(10 [A-Z2-7-]+, signed by pkim\) covers 10 entries but the ledger holds 8: entries 9-10 were removed/) }),
    ])
  })
})
