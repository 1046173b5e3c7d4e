import { describe, expect, it } from 'vitest'
import { givenClinic, ledger } from './testing/index.ts'
import type { LedgerStore } from './store/ledger-store.ts'
import { verifyLedger } from './verify-ledger.ts'

// Every kind of entry, including a correction and a co-signature.
const fullDay = ledger`
  receive    KET-50 lot=K2417A containers=3 supplier_dea=FS3456782 dea_override="verified on the certificate"   as=receipt
  transfer   KET-50 lot=K2417A containers=1 to=LOCKBOX-2
  open       KET-50 lot=K2417A
  administer C-0001 dose=35mg drawn=0.8mL patient=P-1042 prescriber=drlee   as=dose
  waste      dose=$dose amount=5mg witness=rdiaz                            as=waste
  cosign     $waste by=drpatel
  administer C-0001 dose=25mg patient=P-1043                                as=second
  amend      $second dose=20mg reason="misread the order" witness=rdiaz
  waste      container=C-0001 amount=8.1mL witness=drlee reason="vial discarded at close"
  user       mtran nurse "Mai Tran"
  deactivate rdiaz reason="left the practice"
`

describe('verifyLedger', () => {
  it('a clean in-memory ledger verifies with no findings', async () => {
    const clinic = await givenClinic(fullDay).build()
    const head = await clinic.head()
    const report = await clinic.ledger.verify()
    expect(report).toEqual({ ok: true, entries: head!.seq, head: { seq: head!.seq, hash: head!.hash }, ledger_id: head!.ledger_id, findings: [] })
  })

  it('against the head exported now, and against an earlier one, it still verifies', async () => {
    const clinic = await givenClinic(fullDay).build()
    const head = (await clinic.head())!
    const dose = (await clinic.ledger.log({ fromSeq: clinic.seq('dose'), toSeq: clinic.seq('dose') })[Symbol.asyncIterator]().next()).value!
    expect((await clinic.ledger.verify({ expectedHead: { seq: head.seq, hash: head.hash } })).findings).toEqual([])
    expect((await clinic.ledger.verify({ expectedHead: { seq: dose.entry.seq, hash: dose.hash } })).findings).toEqual([])
  })

  it('against a head it never reached, it reports the truncation', async () => {
    const clinic = await givenClinic(fullDay).build()
    const head = (await clinic.head())!
    const report = await clinic.ledger.verify({ expectedHead: { seq: head.seq + 2, hash: 'f'.repeat(64) } })
    expect(report.ok).toBe(false)
    expect(report.findings).toEqual([expect.objectContaining({ code: 'TRUNCATED', seq: head.seq + 1 })])
  })

  it('against a head with another hash at that seq, it reports the rewrite', async () => {
    const clinic = await givenClinic(fullDay).build()
    const report = await clinic.ledger.verify({ expectedHead: { seq: clinic.seq('dose'), hash: 'f'.repeat(64) } })
    expect(report.findings).toEqual([expect.objectContaining({ code: 'HEAD_MISMATCH', seq: clinic.seq('dose') })])
  })

  it('the export is the hashed bytes, one entry per line', async () => {
    const clinic = await givenClinic(fullDay).build()
    const lines: string[] = []
    for await (const line of clinic.ledger.exportJsonl()) lines.push(line)
    expect(lines).toHaveLength((await clinic.head())!.seq)
    const last = JSON.parse(lines.at(-1)!) as { entry: { seq: number }; hash: string }
    expect(last.hash).toBe((await clinic.head())!.hash)
  })
})

describe('verifyLedger while someone appends', () => {
  it('given an append while verify streams the entries (as a snapshot, like SQLite\'s), then it verifies the ledger as it stood when verify started, without false findings', async () => {
    const clinic = await givenClinic(fullDay).build()
    const startHead = (await clinic.head())!
    const inner = clinic.store
    let appended = false
    // The store streams the rows that existed when the stream started (a read snapshot) and,
    // after the first row, a nurse records a dose: its projections are written before verify
    // reads the stored ones.
    const store: LedgerStore = Object.create(inner, {
      entryRows: {
        value: (range?: { fromSeq?: number; toSeq?: number }) => (async function* () {
          const snapshot = []
          for await (const row of inner.entryRows({ ...range, toSeq: Math.min(range?.toSeq ?? Infinity, (await inner.read().head())?.seq ?? 0) })) snapshot.push(row)
          for (const row of snapshot) {
            yield row
            if (!appended) { appended = true; await clinic.run('administer C-0001 dose=10mg patient=P-2001') }
          }
        })(),
      },
    })
    const report = await verifyLedger(store)
    expect(appended).toBe(true)
    expect((await clinic.head())!.seq).toBe(startHead.seq + 1)
    expect(report).toEqual({ ok: true, entries: startHead.seq, head: { seq: startHead.seq, hash: startHead.hash }, ledger_id: startHead.ledger_id, findings: [] })
    // Once nobody writes, the next run covers the new entry too.
    expect(await verifyLedger(inner)).toMatchObject({ ok: true, entries: startHead.seq + 1 })
  })
})
