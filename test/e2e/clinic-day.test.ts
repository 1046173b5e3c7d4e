import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { CLINIC, type ClinicFacts, type LedgerDir, day } from '../support/clinic.ts'
import { useSharedClinic } from '../support/shared-clinic.ts'

// Each spawn of bin/csledger is a real process; on a busy 2-core machine a sequence of them
// (and the shared fixture, built once per run) can take minutes, so the bounds are generous.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

interface Written { seq: number; hash: string; kind: string }
interface BalanceRow { location: string; product: string; lot: string; sealed: number; open: Array<{ container: string; remaining_mL: string; remaining_mg: string }>; total_mg: string }

/**
 * One clinic day driven through the real bin/csledger, as the staff would type it: a delivery,
 * stock moved to the procedure-room lockbox, a vial opened, doses given, drawn-not-given
 * remainders and an end-of-day vial remainder wasted with a witness, the waste co-signed, a dose
 * corrected, then the count (balance), the export and verification. Every step asserts what it
 * recorded, and the end-of-day balance is checked to the milligram against hand arithmetic.
 */
describe('a scripted clinic day', () => {
  const shared = useSharedClinic()
  let l: LedgerDir
  let facts: ClinicFacts
  beforeAll(async () => { l = await shared.copy(); facts = shared.facts })

  test('receive, transfer, open, administer, waste with witness, co-sign, correct, balance, export and verify', async () => {
    // 07:45 the PIC checks in a delivery (text output, as at the counter).
    const received = await l.run(['receive', '--product', 'KET-50', '--lot', 'K2419B', '--expires', day(500), '--containers', '4', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-90210', '--by', 'pkim'], { as: 'pkim' })
    expect(received.stderr).toBe('')
    expect(received.code).toBe(0)
    expect(received.stdout).toMatch(new RegExp(`^recorded receipt #${facts.head + 1} \\(pkim\\): received 4 × KET-50 lot K2419B \\(exp ${day(500)}\\) into SAFE-1 from Acme Wholesale, invoice INV-90210\\n  hash [0-9a-f]{64}\\n$`))

    // 08:00 two sealed vials go to the procedure-room lockbox.
    const moved = await l.json<Written>(['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '2', '--from', 'SAFE-1', '--to', 'LOCKBOX-2', '--by', 'nkim'], { as: 'nkim' })
    expect(moved).toMatchObject({ kind: 'transfer', seq: facts.head + 2, containers: 2, from: 'SAFE-1', to: 'LOCKBOX-2' })
    expect(moved.hash).toMatch(/^[0-9a-f]{64}$/)

    // 08:05 a vial is opened in the lockbox; the CLI names it.
    const opened = await l.json<Written & { container: string }>(['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'LOCKBOX-2', '--by', 'rjones'], { as: 'rjones' })
    expect(opened.container).toBe('C-0002')

    // 09:10 and 10:30 two doses; the second is drawn as 30 mg and 25 mg given.
    const dose1 = await l.run(['administer', '--container', 'C-0002', '--dose', '50mg', '--patient', 'P-2001', '--prescriber', 'drlee', '--by', 'rjones'], { as: 'rjones' })
    expect(dose1.code).toBe(0)
    expect(dose1.stdout).toContain(`recorded administration #${facts.head + 4} (rjones): 50 mg (1 mL) to P-2001 from C-0002, ordered by drlee`)
    const dose2 = await l.json<Written & { given_mg: string; drawn_mg: string; drawn_ml: string }>(['administer', '--container', 'C-0002', '--dose', '0.5mL', '--drawn', '30mg', '--patient', 'P-2002', '--prescriber', 'drpark', '--by', 'nkim'], { as: 'nkim' })
    expect(dose2).toMatchObject({ given_mg: '25', drawn_mg: '30', drawn_ml: '0.6' })

    // The 5 mg drawn and not given is wasted in front of a witness.
    const doseWaste = await l.run(['waste', '--administration', String(dose2.seq), '--amount', '5mg', '--reason', 'partial dose, remainder in syringe', '--by', 'nkim', '--witness', 'rjones'], { as: 'nkim', witness: 'rjones' })
    expect(doseWaste.code).toBe(0)
    expect(doseWaste.stdout).toContain(`recorded waste #${dose2.seq + 1} (nkim, witnessed by rjones): wasted 5 mg (0.1 mL) of dose ${dose2.seq}: partial dose, remainder in syringe`)
    const doseWasteSeq = dose2.seq + 1

    // End of day: the rest of C-0001 (9.2 mL) is wasted, witnessed by a physician.
    const vialWaste = await l.json<Written & { amount_mg: string }>(['waste', '--container', 'C-0001', '--amount', '9.2mL', '--reason', 'end of day, multi-dose vial discarded', '--by', 'nkim', '--witness', 'drlee'], { as: 'nkim', witness: 'drlee' })
    expect(vialWaste).toMatchObject({ kind: 'waste', amount_mg: '460', witness: 'drlee' })

    // Three wastes await a co-sign: the fixture's and today's two.
    const pending = await l.json<Array<{ seq: number }>>(['cosign', '--pending'])
    expect(pending.map((w) => w.seq)).toEqual([facts.pendingWaste, doseWasteSeq, vialWaste.seq])
    // drlee witnessed the vial waste, so drpark co-signs that one; drlee co-signs the others.
    for (const [seq, by] of [[facts.pendingWaste, 'drlee'], [doseWasteSeq, 'drlee'], [vialWaste.seq, 'drpark']] as const) {
      const cosigned = await l.json<Written & { waste: number }>(['cosign', String(seq), '--by', by], { as: by })
      expect(cosigned).toMatchObject({ kind: 'cosign', waste: seq, actor: by })
    }
    expect(await l.json(['cosign', '--pending'])).toEqual([])

    // The 09:10 dose was 40 mg, not 50 mg: corrected with a witness; the original stays.
    const dose1Seq = facts.head + 4
    const corrected = await l.json<Written & { action: string; corrects: number; amended: { given_mg: string; drawn_mg: string } }>(['correct', String(dose1Seq), '--dose', '40mg', '--reason', 'dose misread from the order', '--by', 'rjones', '--witness', 'nkim'], { as: 'rjones', witness: 'nkim' })
    expect(corrected).toMatchObject({ kind: 'correction', action: 'amend', corrects: dose1Seq, amended: { given_mg: '40', drawn_mg: '40' } })

    // The count. C-0002: 500 mg - 40 (corrected dose) - 30 (drawn) = 430 mg = 8.6 mL.
    const balance = await l.json<BalanceRow[]>(['balance'])
    expect(balance).toEqual([
      { location: 'LOCKBOX-2', product: 'KET-50', lot: 'K2417A', sealed: 1, open: [{ container: 'C-0002', remaining_mL: '8.6', remaining_mg: '430' }], total_mg: '930', total_mL: '18.6' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 7, open: [], total_mg: '3500', total_mL: '70' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2419B', sealed: 4, open: [], total_mg: '2000', total_mL: '40' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'OLD1', sealed: 2, open: [], total_mg: '1000', total_mL: '20' },
      { location: 'SAFE-1', product: 'MDZ-5', lot: 'M7731', sealed: 5, open: [], total_mg: '50', total_mL: '10' },
    ])
    const text = await l.run(['balance', '--location', 'LOCKBOX-2'])
    expect(text.stdout).toBe([
      `as of #${corrected.seq}`,
      'LOCATION   PRODUCT  LOT     SEALED  OPEN           TOTAL mg',
      '---------  -------  ------  ------  -------------  --------',
      'LOCKBOX-2  KET-50   K2417A       1  C-0002 8.6 mL       930',
      '',
    ].join('\n'))

    // The day in the log, in order.
    const log = await l.json<Array<{ seq: number; kind: string }>>(['log', '--from', day(0)])
    expect(log.filter((e) => e.seq > facts.head).map((e) => e.kind)).toEqual([
      'receipt', 'transfer', 'container_opening', 'administration', 'administration', 'waste', 'waste', 'cosign', 'cosign', 'cosign', 'correction',
    ])

    // Export: one line per entry, each line linked to the one before it.
    const out = join(l.dir, 'day.jsonl')
    const exported = await l.json<{ entries: number; head: { seq: number; hash: string } }>(['export', '--out', out])
    expect(exported.entries).toBe(corrected.seq)
    expect(exported.head).toEqual({ seq: corrected.seq, hash: corrected.hash })
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { entry: { seq: number; prev_hash: string }; hash: string })
    expect(lines.map((x) => x.entry.seq)).toEqual(Array.from({ length: corrected.seq }, (_, i) => i + 1))
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.entry.prev_hash).toBe(lines[i - 1]!.hash)

    // Verification: the chain and the balances rebuilt from the entries agree, up to the exported head.
    const verified = await l.run(['verify', '--head', `${exported.head.seq}:${exported.head.hash}`])
    expect(verified.code).toBe(0)
    // Then what signing adds (docs/signatures.md): the entry signatures and the checkpoints counts signed.
    expect(verified.stdout.startsWith(`ok: ${corrected.seq} entries verified; balances match the entries\n  head #${corrected.seq} ${corrected.hash}\n  signatures: `)).toBe(true)
  })
})
