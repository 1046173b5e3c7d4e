import { beforeAll, describe, expect, it } from 'vitest'
import { type VerifyReport, checkpointCode, checkpointOrigin, generateNoteKey, ledgerTree, signCheckpoint } from '@csledger/ledger-core'
import { type SmallClinic, countAsBook, smallClinic } from '../testing/small-clinic.ts'
import { buildAuditReport } from './build-audit-report.ts'
import { summarizeAudit } from './summarize-audit.ts'

// The cover prints the signed checkpoint the packet is consistent with, and checks it against the
// packet's own entries: the Merkle root of entries 1..size must be the signed root.
let c: SmallClinic
let verification: VerifyReport
const GENERATED = '2027-03-02T12:00:00Z'
const LEDGER_ID = '00000000-0000-4000-8000-000000000001'
const signer = generateNoteKey(checkpointOrigin(LEDGER_ID)).signer

beforeAll(async () => {
  c = await smallClinic()
  c.at('2027-03-01T11:50:00Z')
  await c.L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await c.store.read().head())!.seq, items: [], by: c.pic, witness: c.nurse })
  c.at('2027-03-01T13:00:00Z')
  await c.L.receive({ product: 'KET-50', lot: 'K1', expires: '2029-01-31', containers: 4, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: c.nurse })
  c.at('2027-03-01T22:40:00Z')
  await countAsBook(c, 'SAFE-1')
  verification = await c.L.verify()
})

async function noteAt(size?: number, tweak: (root: Uint8Array) => Uint8Array = (r) => r): Promise<string> {
  const tree = await ledgerTree(c.store, size !== undefined ? { toSeq: size } : {})
  return signCheckpoint({ origin: checkpointOrigin(LEDGER_ID), size: size ?? tree.size, rootHash: tweak(tree.root), extensions: ['time 2027-03-01T22:41:00.000Z'] }, [signer])
}

async function packet(note: string | null) {
  return buildAuditReport(
    { source: c.source, verification, checkpoint: note === null ? null : { note, signed_by: ['pkim'], basis: 'signed-now' } },
    { from: '2027-03-01', to: '2027-03-01', generatedAt: GENERATED, generatedBy: 'pkim' },
  )
}

describe('the cover checkpoint', () => {
  it('given a checkpoint of the whole ledger, when the packet is built, then the cover prints it as consistent', async () => {
    const note = await noteAt()
    const r = await packet(note)
    const tree = await ledgerTree(c.store)
    expect(r.cover.checkpoint).toEqual({
      code: checkpointCode({ size: tree.size, rootHash: tree.root }), origin: checkpointOrigin(LEDGER_ID), size: tree.size, root: Buffer.from(tree.root).toString('base64'),
      time: '2027-03-01T22:41:00.000Z', signed_by: ['pkim'], basis: 'signed-now', note, consistent: true,
    })
    expect(r.cover.checkpoint!.size).toBe(r.cover.ledger.head!.seq)
    const s = await summarizeAudit(r)
    expect(s.checkpoint).toEqual({ code: r.cover.checkpoint!.code, consistent: true })
    expect(s.exit_code).not.toBe(5)
  })

  it('given a checkpoint of an earlier size, when the packet is built, then the ledger extends it and it is consistent', async () => {
    const r = await packet(await noteAt(9))
    expect(r.cover.checkpoint).toMatchObject({ size: 9, consistent: true })
    expect(r.cover.ledger.head!.seq).toBeGreaterThan(9)
  })

  it('given a checkpoint whose root the entries do not have (history rewritten), when built, then the cover says CHECKPOINT MISMATCH and the summary exits 5', async () => {
    const r = await packet(await noteAt(9, (root) => { const x = Uint8Array.from(root); x[0] = x[0]! ^ 1; return x }))
    expect(r.cover.checkpoint).toMatchObject({ size: 9, consistent: false })
    expect(r.cover.notes[0]).toMatch(/^CHECKPOINT MISMATCH: the entries of this packet do not have the root signed in checkpoint 9 /)
    expect((await summarizeAudit(r)).exit_code).toBe(5)
  })

  it('given a checkpoint of more entries than the ledger holds (truncated), when built, then it is not consistent and the cover says so', async () => {
    const whole = await ledgerTree(c.store)
    const note = signCheckpoint({ origin: checkpointOrigin(LEDGER_ID), size: whole.size + 5, rootHash: whole.root }, [signer])
    const r = await packet(note)
    expect(r.cover.checkpoint).toMatchObject({ size: whole.size + 5, consistent: false })
    expect(r.cover.notes[0]).toContain(`(it covers ${whole.size + 5} entries; the ledger read has ${whole.size})`)
  })

  it('given no checkpoint, when built, then the cover has none and a note says how to get one', async () => {
    const r = await packet(null)
    expect(r.cover.checkpoint).toBeNull()
    expect(r.cover.notes.at(-1)).toMatch(/^No signed checkpoint is printed/)
    expect((await summarizeAudit(r)).checkpoint).toBeNull()
  })

  it('given text that is not a signed checkpoint, when built, then it is refused with MALFORMED_CHECKPOINT', async () => {
    await expect(packet('not a checkpoint\n')).rejects.toMatchObject({ code: 'MALFORMED_CHECKPOINT' })
  })
})
