import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type ContainerState, type Entry, type LedgerStore, ConflictError, GENESIS_PREV_HASH, canonicalJson, fixedClock, hashCanonical, hashEntry, verifyLedger,
} from '@csledger/ledger-core'
import { type Clinic, PASS, START, initClinic, ledgerOn, runClinicDay } from './clinic-scenario.ts'
import { byCodeUnits, checkpoints, nextEntry, replayedAt, rowOf, rows, signatures } from './contract-helpers.ts'
import type { StoreHarness, StoreUnderTest } from './store-harness.ts'


/**
 * The LedgerStore contract: every store (SQLite, PostgreSQL) must pass the same tests. Each test
 * gets a fresh, empty ledger from the harness.
 */
export function describeLedgerStoreContract(harness: StoreHarness): void {
  describe.skipIf(!harness.available)(`LedgerStore contract: ${harness.name}`, () => {
    let sut: StoreUnderTest
    beforeEach(async () => { sut = await harness.create() })
    afterEach(async () => { await sut.dispose() })
    /** Entries 1-5 written as the CLI writes them: every user has a key and every entry is signed. */
    const signedClinic = (): Promise<Clinic> => initClinic(sut.store, sut.ledgerId, fixedClock(START), { signing: true })

    describe('append', () => {
      it('given a new ledger, when entries are appended, then they are numbered from 1, linked by prev_hash and hashed over their stored bytes', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const all = await rows(sut.store)
        expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
        expect(all[0]!.prev_hash).toBe(GENESIS_PREV_HASH)
        for (let i = 1; i < all.length; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash)
        for (const r of all) {
          expect(hashCanonical(r.canonical)).toBe(r.hash)
          expect(r.ledger_id).toBe(sut.ledgerId)
        }
      })

      it('given appended entries, when they are read back, then entry(seq), head() and the row columns agree with the hashed entry, with numeric seqs', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const head = await sut.store.read().head()
        expect(head).toEqual({ seq: 5, hash: (await rows(sut.store)).at(-1)!.hash, ledger_id: sut.ledgerId })
        for (const r of await rows(sut.store)) {
          expect(typeof r.seq).toBe('number')
          const entry = await sut.store.read().entry(r.seq)
          expect(canonicalJson(entry)).toBe(r.canonical)
          expect([entry!.kind, entry!.actor, entry!.recorded_at, entry!.occurred_at, entry!.prev_hash]).toEqual([r.kind, r.actor, r.recorded_at, r.occurred_at, r.prev_hash])
        }
        expect(await sut.store.read().entry(99)).toBeUndefined()
      })

      it('given a ledger written by one store, when a second store opens it, then it sees the same head and can append after it', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const other = await sut.reopen()
        expect(await other.read().head()).toEqual(await sut.store.read().head())
        const { ledger } = ledgerOn(other)
        const pic = await ledger.authenticate('pic', PASS)
        const { stored } = await ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: pic })
        expect(stored.entry.seq).toBe(6)
        expect((await sut.store.read().head())?.hash).toBe(stored.hash)
      })
    })

    describe('idempotency and expected tip', () => {
      it('given a request id already used, when the write is retried, then the first entry is returned and nothing is appended', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        const first = await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { requestId: 'req-0001' })
        const again = await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { requestId: 'req-0001' })
        expect(first.replayed).toBe(false)
        expect(again).toEqual({ stored: first.stored, replayed: true })
        expect((await sut.store.read().head())?.seq).toBe(6)
        expect((await rows(sut.store)).at(-1)!.request_id).toBe('req-0001')
      })

      it('given a request id used on one workstation, when another workstation retries it, then it is replayed there too', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        const first = await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { requestId: 'req-0002' })
        const { ledger } = ledgerOn(await sut.reopen())
        const again = await ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { requestId: 'req-0002' })
        expect(again.replayed).toBe(true)
        expect(again.stored.hash).toBe(first.stored.hash)
      })

      it('given a decision made at an older tip, when it is appended with expectedTipSeq, then it is refused with TIP_MOVED and nothing is appended', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        const refused = c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { expectedTipSeq: 4 })
        await expect(refused).rejects.toBeInstanceOf(ConflictError)
        await expect(refused).rejects.toMatchObject({ code: 'TIP_MOVED' })
        expect((await sut.store.read().head())?.seq).toBe(5)
        const ok = await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { expectedTipSeq: 5 })
        expect(ok.stored.entry.seq).toBe(6)
      })
    })

    describe('projections', () => {
      it('given a clinic day (receipt, vial, dose, waste, co-sign, correction), when the ledger is verified, then the stored projections equal a rebuild from the entries', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        const report = await verifyLedger(sut.store)
        expect(report.findings).toEqual([])
        expect(report).toMatchObject({ ok: true, entries: 12, ledger_id: sut.ledgerId })
        const stock = await sut.store.read().get('stock', 'SAFE-1|KET-50|K2417A')
        expect(stock).toEqual({ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 3 })
        const container = await sut.store.read().get('container', 'C-0001')
        expect(container).toMatchObject({ remaining_ml: '9.2', status: 'open' })
      })

      it('given keys in mixed case and digits, when a kind is listed, then it is sorted by key in code point order, and projectionRows by kind then key', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        for (const code of ['b-1', 'B-2', 'a-3', 'Z-0', '0-x']) await c.ledger.addLocation({ code, name: `Location ${code}`, by: c.pic })
        const codes = (await sut.store.read().list('location')).map((l) => l.code)
        expect(codes).toEqual([...codes].sort(byCodeUnits))
        expect(codes).toEqual(['0-x', 'B-2', 'SAFE-1', 'Z-0', 'a-3', 'b-1'])
        const all = await sut.store.projectionRows()
        const sorted = [...all].sort((x, y) => byCodeUnits(x.kind, y.kind) || byCodeUnits(x.key, y.key))
        expect(all).toEqual(sorted)
      })

      it('given a clinic day, when projections are asked as of every earlier seq, then each equals a replay of the entries up to that seq', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        const all = await rows(sut.store)
        for (let seq = 0; seq <= all.length; seq++) {
          for (const kind of ['stock', 'container', 'user'] as const) {
            expect(await sut.store.projectionsAt(kind, seq), `${kind} as of seq ${seq}`).toEqual(await replayedAt(all, kind, seq))
          }
        }
      })

      it('given a vial emptied and another opened, then the open containers (now and as of every seq) are exactly the open ones of a replay, through the store\'s index', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        const { container } = await runClinicDay(c)
        const left = (await sut.store.read().get('container', container))!.remaining_ml
        await c.ledger.waste({ container, amount: `${left}mL`, reason: 'vial discarded at close', witness: c.pic, by: c.nurse })
        await c.ledger.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: c.nurse })
        expect(typeof sut.store.read().openContainers).toBe('function')
        expect(typeof sut.store.openContainersAt).toBe('function')
        const open = (xs: readonly unknown[]) => (xs as ContainerState[]).filter((x) => x.status === 'open')
        expect((await sut.store.read().openContainers!()).map((x) => x.container)).toEqual(['C-0002'])
        const all = await rows(sut.store)
        for (let seq = 0; seq <= all.length; seq++) {
          expect(await sut.store.openContainersAt!(seq), `open containers as of seq ${seq}`).toEqual(open(await replayedAt(all, 'container', seq)))
        }
        // Inside a write, the decision sees the store's open containers too (a count reads them).
        await sut.store.writeTransaction(async (tx) => {
          expect((await tx.openContainers!()).map((x) => x.container)).toEqual(['C-0002'])
        })
      })
    })

    describe('time and order', () => {
      it('given entries recorded one after another, when seqAtTime is asked, then it gives the last seq recorded at or before that instant', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        const all = await rows(sut.store)
        for (const r of all) expect(await sut.store.seqAtTime(r.recorded_at)).toBe(r.seq)
        expect(await sut.store.seqAtTime(new Date(Date.parse(START) - 1).toISOString())).toBe(0)
        expect(await sut.store.seqAtTime('2099-01-01T00:00:00.000Z')).toBe(all.length)
      })

      it('given entries, when rows are streamed with and without a range, then they come in seq order, bounded by the range', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        expect((await rows(sut.store)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        expect((await rows(sut.store, { fromSeq: 3, toSeq: 5 })).map((r) => r.seq)).toEqual([3, 4, 5])
        expect((await rows(sut.store, { fromSeq: 11 })).map((r) => r.seq)).toEqual([11, 12])
        expect(await rows(sut.store, { fromSeq: 13 })).toEqual([])
      })

      it('given an empty ledger, then it has no head, no rows, no projections and seq 0 at any time', async () => {
        expect(await sut.store.read().head()).toBeNull()
        expect(await rows(sut.store)).toEqual([])
        expect(await sut.store.projectionRows()).toEqual([])
        expect(await sut.store.seqAtTime('2099-01-01T00:00:00.000Z')).toBe(0)
      })
    })

    describe('credentials', () => {
      it('given users added with passphrases, then their hashes are stored beside the chain and check out; an unknown user has none', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        expect((await sut.store.credential('pic'))?.passphrase_hash).toMatch(/^scrypt\$/)
        expect((await sut.store.credential('nurse'))?.username).toBe('nurse')
        expect(await sut.store.credential('nobody')).toBeUndefined()
        await expect(c.ledger.authenticate('nurse', 'wrong horse battery')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
        for (const r of await rows(sut.store)) expect(r.canonical).not.toContain('scrypt$')
      })

      it('given a stored credential, when it is written again, then the new hash replaces the old one', async () => {
        await initClinic(sut.store, sut.ledgerId)
        await sut.store.writeTransaction((tx) => tx.putCredential({ username: 'nurse', passphrase_hash: 'scrypt$1024$8$1$AAAA$BBBB', updated_at: '2026-03-03T00:00:00.000Z' }))
        expect(await sut.store.credential('nurse')).toEqual({ username: 'nurse', passphrase_hash: 'scrypt$1024$8$1$AAAA$BBBB', updated_at: '2026-03-03T00:00:00.000Z' })
      })
    })

    describe('rollback', () => {
      it('given a write that fails after inserting its entry, projections and credential, then none of it is kept', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const before = { head: await sut.store.read().head(), projections: await sut.store.projectionRows() }
        const failing = sut.store.writeTransaction(async (tx) => {
          const entry = await nextEntry(sut.store, sut.ledgerId)
          const { canonical, hash } = hashEntry(entry)
          await tx.insertEntry({ entry, canonical, hash })
          await tx.putProjections(entry.seq, [{ kind: 'location', key: 'FORGED', value: { code: 'FORGED', name: 'Forged location' } }])
          await tx.putCredential({ username: 'ghost', passphrase_hash: 'scrypt$1$1$1$AA$BB', updated_at: entry.recorded_at })
          expect((await tx.head())?.seq).toBe(6)
          throw new Error('power cut after the writes')
        })
        await expect(failing).rejects.toThrow('power cut after the writes')
        expect(await sut.store.read().head()).toEqual(before.head)
        expect(await sut.store.projectionRows()).toEqual(before.projections)
        expect(await sut.store.credential('ghost')).toBeUndefined()
        expect((await verifyLedger(sut.store)).ok).toBe(true)
      })

      it('given a rule violation (a dose from a vial that was never opened), then it is refused and the ledger is unchanged', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        const head = await sut.store.read().head()
        await expect(c.ledger.administer({ container: 'C-0009', dose: '35mg', drawn: '0.8mL', patient: 'P-1042', by: c.nurse })).rejects.toHaveProperty('code')
        expect(await sut.store.read().head()).toEqual(head)
      })

      it('given an entry that does not continue the chain, when the store inserts it, then the database refuses it (APPEND_REJECTED) and nothing is kept', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const stale = await nextEntry(sut.store, sut.ledgerId, { seq: 7 })
        const attempt = sut.store.writeTransaction(async (tx) => {
          await tx.insertEntry({ entry: stale, ...hashEntry(stale) })
        })
        await expect(attempt).rejects.toMatchObject({ code: 'APPEND_REJECTED' })
        expect((await sut.store.read().head())?.seq).toBe(5)
      })
    })

    describe('database guards (the second line of defence)', () => {
      it('refuses an UPDATE of an entry', async () => {
        await initClinic(sut.store, sut.ledgerId)
        await expect(sut.raw.updateEntryActor(2, 'mallory')).rejects.toThrow(/append-only/)
        expect((await rows(sut.store))[1]!.actor).toBe('pic')
      })

      it('refuses a DELETE of an entry', async () => {
        await initClinic(sut.store, sut.ledgerId)
        await expect(sut.raw.deleteEntry(5)).rejects.toThrow(/append-only/)
        expect((await sut.store.read().head())?.seq).toBe(5)
      })

      it('refuses an insert that skips a seq', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const head = await sut.store.read().head()
        await expect(sut.raw.insertEntryRow(rowOf(await nextEntry(sut.store, sut.ledgerId, { seq: 7, prev_hash: head!.hash })))).rejects.toThrow(/continuity/)
      })

      it('refuses an insert whose prev_hash is not the hash of the last entry', async () => {
        await initClinic(sut.store, sut.ledgerId)
        await expect(sut.raw.insertEntryRow(rowOf(await nextEntry(sut.store, sut.ledgerId, { prev_hash: 'a'.repeat(64) })))).rejects.toThrow(/continuity/)
      })

      it('accepts a well-formed next entry from outside the store, then refuses a fork: a second entry after the same one', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const base = await nextEntry(sut.store, sut.ledgerId)
        await sut.raw.insertEntryRow(rowOf(base))
        const fork = { ...base, data: { code: 'FORK', name: 'A fork' } } as Entry
        await expect(sut.raw.insertEntryRow(rowOf(fork))).rejects.toThrow(/continuity|unique|duplicate/i)
        expect((await sut.store.read().head())?.hash).toBe(rowOf(base).hash)
      })

      it('refuses an UPDATE or DELETE of an entry signature, and a signature added to an entry already written', async () => {
        const c = await signedClinic()
        const before = await signatures(sut.store)
        await expect(sut.raw.updateSignatureSigner(3, 'actor', 'mallory')).rejects.toThrow(/append-only/)
        await expect(sut.raw.deleteSignature(3, 'actor')).rejects.toThrow(/append-only/)
        const theirs = before.find((x) => x.seq === 5)!
        await expect(sut.raw.insertSignatureRow({ seq: 3, role: 'witness', signer: 'pic', signature: theirs.signature })).rejects.toThrow(/never added later/)
        expect(await signatures(sut.store)).toEqual(before)
        expect((await c.ledger.verify()).findings).toEqual([])
      })

      it('refuses an UPDATE or DELETE of a checkpoint', async () => {
        const c = await signedClinic()
        await c.ledger.checkpoint({ by: c.pic })
        const before = await checkpoints(sut.store)
        await expect(sut.raw.updateCheckpointSize(1)).rejects.toThrow(/append-only/)
        await expect(sut.raw.deleteCheckpoints()).rejects.toThrow(/append-only/)
        expect(await checkpoints(sut.store)).toEqual(before)
      })

      it('refuses a second entry carrying a request id already used', async () => {
        const c = await initClinic(sut.store, sut.ledgerId)
        await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic }, { requestId: 'req-0003' })
        const dup = await nextEntry(sut.store, sut.ledgerId, { request_id: 'req-0003' })
        await expect(sut.raw.insertEntryRow(rowOf(dup))).rejects.toThrow(/continuity|unique|duplicate/i)
      })
    })

    describe.skipIf(!harness.tamperAvailable)('tamper evidence (a superuser edits rows with the guards off)', () => {
      it('given an entry whose stored bytes were edited, when verified, then HASH_MISMATCH names it', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        const original = (await rows(sut.store))[7]!
        const edited = canonicalJson({ ...JSON.parse(original.canonical), data: { ...JSON.parse(original.canonical).data, patient: 'P-9999' } })
        await sut.tamper.replaceCanonical(8, edited)
        const report = await verifyLedger(sut.store)
        expect(report.ok).toBe(false)
        expect(report.findings).toContainEqual(expect.objectContaining({ code: 'HASH_MISMATCH', seq: 8 }))
      })

      it('given an entry rewritten with a recomputed hash, when verified, then the next entry no longer links to it (PREV_MISMATCH)', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        const original = (await rows(sut.store))[6]!
        const forged = canonicalJson({ ...JSON.parse(original.canonical), actor: 'doc' })
        await sut.tamper.rewriteEntry(7, forged, hashCanonical(forged))
        const report = await verifyLedger(sut.store)
        expect(report.findings).toContainEqual(expect.objectContaining({ code: 'PREV_MISMATCH', seq: 8 }))
      })

      it("given an entry signature replaced by another of the signer's signatures, when verified, then BAD_ENTRY_SIGNATURE names the entry", async () => {
        const c = await signedClinic()
        const { doseSeq } = await runClinicDay(c)
        const all = await signatures(sut.store)
        const dose = all.find((x) => x.seq === doseSeq && x.role === 'actor')!
        const another = all.find((x) => x.signer === dose.signer && x.seq !== doseSeq)!
        await sut.tamper.replaceSignature(doseSeq, 'actor', another.signature)
        expect((await signatures(sut.store)).find((x) => x.seq === doseSeq)?.signature).toBe(another.signature)
        const report = await c.ledger.verify()
        expect(report.ok).toBe(false)
        expect(report.findings).toEqual([expect.objectContaining({ code: 'BAD_ENTRY_SIGNATURE', seq: doseSeq })])
      })

      it('given an entry signature deleted, when verified, then UNSIGNED names the entry', async () => {
        const c = await signedClinic()
        await runClinicDay(c)
        const witnessed = (await signatures(sut.store)).find((x) => x.role === 'witness')!
        await sut.tamper.deleteSignature(witnessed.seq, 'witness')
        const report = await c.ledger.verify()
        expect(report.findings).toEqual([expect.objectContaining({ code: 'UNSIGNED', seq: witnessed.seq })])
      })

      it('given a deleted entry, when verified, then SEQ_GAP names the missing seq', async () => {
        await runClinicDay(await initClinic(sut.store, sut.ledgerId))
        await sut.tamper.deleteEntry(6)
        const report = await verifyLedger(sut.store)
        expect(report.findings).toContainEqual(expect.objectContaining({ code: 'SEQ_GAP', seq: 6 }))
      })
    })
  })
}
