import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendEntry, canSign, fixedClock, hashEntry, signEntryHash } from '@csledger/ledger-core'
import { type Clinic, PASS, START, initClinic, runClinicDay } from './clinic-scenario.ts'
import { checkpoints, expectedSlots, nextEntry, publicKeyOf, rows, signatures } from './contract-helpers.ts'
import type { StoreHarness, StoreUnderTest } from './store-harness.ts'

/**
 * The signing part of the LedgerStore contract (docs/signatures.md §6.1): every store that signs
 * must pass it. Each test gets a fresh, empty ledger from the harness.
 */
export function describeSigningContract(harness: StoreHarness): void {
  describe.skipIf(!harness.available)(`LedgerStore contract, signing: ${harness.name}`, () => {
    let sut: StoreUnderTest
    beforeEach(async () => { sut = await harness.create() })
    afterEach(async () => { await sut.dispose() })
    /** Entries 1-5 written as the CLI writes them: every user has a key and every entry is signed. */
    const signedClinic = (): Promise<Clinic> => initClinic(sut.store, sut.ledgerId, fixedClock(START), { signing: true })

    describe('signing (docs/signatures.md §6.1)', () => {
      it('given the store, then it has the signing capability, so the CLI opens it with signing on', () => {
        expect(canSign(sut.store)).toBe(true)
      })

      it("given a clinic day written with signing on, then each entry has its actor's signature and a witnessed entry its witness's, read back in (seq, role) order and bounded by a range, and the ledger verifies every one", async () => {
        const c = await signedClinic()
        await runClinicDay(c)
        const all = await rows(sut.store)
        const stored = await signatures(sut.store)
        const slots = expectedSlots(all)
        expect(stored.map((x) => `${x.seq}:${x.role}:${x.signer}`)).toEqual(slots)
        expect(slots.filter((x) => x.includes(':witness:')).length).toBeGreaterThanOrEqual(3)
        for (const x of stored) expect([typeof x.seq, x.signature]).toEqual(['number', expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/)])
        expect((await signatures(sut.store, { fromSeq: 7, toSeq: 9 })).map((x) => `${x.seq}:${x.role}:${x.signer}`))
          .toEqual(slots.filter((x) => [7, 8, 9].includes(Number(x.split(':')[0]))))
        expect(await signatures(sut.store, { fromSeq: 13 })).toEqual([])
        const report = await c.ledger.verify()
        expect(report.findings).toEqual([])
        expect(report).toMatchObject({ ok: true, entries: 12, signatures: { verified: slots.length, unsigned_without_key: 0, keyed_users: 3 } })
      })

      it('given a write that fails after its entry and signatures were inserted, or a signature the database refuses, then neither the entry nor any signature is kept', async () => {
        const c = await signedClinic()
        const before = { head: await sut.store.read().head(), signatures: await signatures(sut.store) }
        const failing = sut.store.writeTransaction(async (tx) => {
          const entry = await nextEntry(sut.store, sut.ledgerId)
          const { canonical, hash } = hashEntry(entry)
          await tx.insertEntry({ entry, canonical, hash })
          await tx.putSignatures!([{ seq: entry.seq, role: 'actor', signer: 'pic', signature: signEntryHash(c.pic.signingKey!, 'actor', hash) }])
          expect((await tx.head())?.seq).toBe(6)
          throw new Error('power cut after the signatures')
        })
        await expect(failing).rejects.toThrow('power cut after the signatures')
        const malformed = appendEntry(sut.store, {
          clock: fixedClock('2026-03-02T12:00:00.000Z'),
          decide: async () => ({ draft: { kind: 'location', occurred_at: '2026-03-02T12:00:00.000Z', actor: 'pic', data: { code: 'SAFE-9', name: 'Vault' } } }),
          sign: async (_tx, stored) => [{ seq: stored.entry.seq, role: 'actor', signer: 'pic', signature: 'not 88 characters' }],
        })
        await expect(malformed).rejects.toMatchObject({ code: 'APPEND_REJECTED' })
        expect(await sut.store.read().head()).toEqual(before.head)
        expect(await signatures(sut.store)).toEqual(before.signatures)
        expect((await c.ledger.verify()).findings).toEqual([])
      })

      it('given a signature for an entry other than the one being appended, or a second one in the same role, then the store refuses it and keeps nothing', async () => {
        const c = await signedClinic()
        const before = { head: await sut.store.read().head(), signatures: await signatures(sut.store) }
        const old = before.signatures.find((x) => x.seq === 3)!
        await expect(sut.store.writeTransaction((tx) => tx.putSignatures!([{ ...old, role: 'witness' }]))).rejects.toMatchObject({ code: 'APPEND_REJECTED' })
        const twice = sut.store.writeTransaction(async (tx) => {
          const entry = await nextEntry(sut.store, sut.ledgerId)
          const { canonical, hash } = hashEntry(entry)
          await tx.insertEntry({ entry, canonical, hash })
          const signature = { seq: entry.seq, role: 'actor' as const, signer: 'pic', signature: signEntryHash(c.pic.signingKey!, 'actor', hash) }
          await tx.putSignatures!([signature])
          await tx.putSignatures!([signature])
        })
        await expect(twice).rejects.toMatchObject({ code: 'APPEND_REJECTED' })
        expect(await sut.store.read().head()).toEqual(before.head)
        expect(await signatures(sut.store)).toEqual(before.signatures)
      })

      it('given checkpoints signed at two sizes, the second with a co-signer, then both are stored verbatim and listed in the order stored, and verify checks them', async () => {
        const c = await signedClinic()
        const first = await c.ledger.checkpoint({ by: c.pic })
        await c.ledger.addLocation({ code: 'SAFE-2', name: 'Second safe', by: c.pic })
        const second = await c.ledger.checkpoint({ by: c.pic, cosigners: [c.doc] })
        const listed = await checkpoints(sut.store)
        expect(listed).toEqual([
          { size: 5, root: Buffer.from(first.checkpoint.rootHash).toString('hex'), note: first.note, created_at: expect.stringMatching(/^2026-03-02T\d\d:\d\d:00\.000Z$/) },
          { size: 6, root: Buffer.from(second.checkpoint.rootHash).toString('hex'), note: second.note, created_at: expect.stringMatching(/^2026-03-02T/) },
        ])
        for (const cp of listed) expect(cp.note).toContain(`\ntime ${cp.created_at}\n`)
        expect(listed[0]!.created_at < listed[1]!.created_at).toBe(true)
        const report = await c.ledger.verify()
        expect(report.findings).toEqual([])
        expect(report.checkpoints?.map((v) => [v.status, v.size, v.signed_by])).toEqual([['ok', 5, ['pic']], ['ok', 6, ['pic', 'doc']]])
      })

      it('given users created with signing on, then each has a sealed key beside the chain; a passphrase change re-seals the same key under the new passphrase and appends nothing', async () => {
        const c = await signedClinic()
        const before = (await sut.store.credential('nurse'))!
        expect(before.sealed_key).toMatch(/^sealed-ed25519-v1\$/)
        for (const r of await rows(sut.store)) expect(r.canonical).not.toContain('sealed-ed25519')
        const head = await sut.store.read().head()
        expect(await c.ledger.changePassphrase({ username: 'nurse', passphrase: PASS, newPassphrase: 'a brand new passphrase' })).toEqual({})
        expect(await sut.store.read().head()).toEqual(head)
        const after = (await sut.store.credential('nurse'))!
        expect(after.sealed_key).toMatch(/^sealed-ed25519-v1\$/)
        expect([after.sealed_key === before.sealed_key, after.passphrase_hash === before.passphrase_hash]).toEqual([false, false])
        await expect(c.ledger.authenticate('nurse', PASS)).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' })
        const nurse = await c.ledger.authenticate('nurse', 'a brand new passphrase')
        expect(publicKeyOf(nurse.signingKey)).toBe(publicKeyOf(c.nurse.signingKey))
        // She goes on signing with the same key: her entries verify against the key the chain recorded at entry 2.
        await runClinicDay({ ...c, nurse })
        const report = await c.ledger.verify()
        expect(report.findings).toEqual([])
        expect(report.signatures?.verified).toBe(expectedSlots(await rows(sut.store)).length)
      })

      it('given a credential written with a sealed key and then without one, then each reads back exactly as written (the whole record is replaced)', async () => {
        await initClinic(sut.store, sut.ledgerId)
        const sealed = { username: 'nurse', passphrase_hash: 'scrypt$1024$8$1$AAAA$BBBB', updated_at: '2026-03-03T00:00:00.000Z', sealed_key: 'sealed-ed25519-v1$AAAA$BBBB$CCCC' }
        await sut.store.writeTransaction((tx) => tx.putCredential(sealed))
        expect(await sut.store.credential('nurse')).toEqual(sealed)
        const plain = { username: 'nurse', passphrase_hash: 'scrypt$1024$8$1$DDDD$EEEE', updated_at: '2026-03-04T00:00:00.000Z' }
        await sut.store.writeTransaction((tx) => tx.putCredential(plain))
        expect(await sut.store.credential('nurse')).toEqual(plain)
      })
    })
  })
}
