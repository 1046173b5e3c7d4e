import { describe, expect, it } from 'vitest'
import { ChainLinkVerifier } from './verify-links.ts'
import { ChainVerifier } from './verify-chain.ts'
import { givenClinic } from '../testing/index.ts'
import type { EntryRow } from '../store/ledger-store.ts'
import { hashCanonical } from './hash-entry.ts'

async function clinicRows(): Promise<EntryRow[]> {
  const clinic = await givenClinic('receive KET-50 lot=K2417A containers=2', 'open KET-50 lot=K2417A', 'administer C-0001 dose=35mg').build()
  const rows: EntryRow[] = []
  for await (const r of clinic.store.entryRows()) rows.push(r)
  return rows
}
const run = (rows: readonly EntryRow[]) => { const v = new ChainLinkVerifier(); for (const r of rows) v.push(r); return v.finish() }

describe('the chain-only verifier (links and hashes at SHA-256 speed)', () => {
  it('given an intact chain, then it finds nothing, as the full verifier does', async () => {
    const rows = await clinicRows()
    const full = new ChainVerifier()
    for (const r of rows) full.push(r)
    expect(run(rows)).toEqual([])
    expect(full.finish()).toEqual([])
  })
  it('given an entry edited in place, then HASH_MISMATCH names it', async () => {
    const rows = await clinicRows()
    // seq 14 is the dose (the clinic set-up is seq 1-11, then the receipt and the opening)
    expect(rows[13]!.canonical).toContain('"given_mg":"35"')
    rows[13] = { ...rows[13]!, canonical: rows[13]!.canonical.replace('"given_mg":"35"', '"given_mg":"25"') }
    expect(run(rows)[0]).toMatchObject({ code: 'HASH_MISMATCH', seq: 14 })
  })
  it('given an entry edited and re-hashed, then the next entry no longer links to it', async () => {
    const rows = await clinicRows()
    const canonical = rows[12]!.canonical.replace('"K2417A"', '"K9999Z"')
    expect(canonical).not.toBe(rows[12]!.canonical)
    rows[12] = { ...rows[12]!, canonical, hash: hashCanonical(canonical) }
    expect(run(rows)[0]).toMatchObject({ code: 'PREV_MISMATCH', seq: 14 })
  })
  it('given a deleted entry, then the gap is found where it was', async () => {
    const rows = await clinicRows()
    rows.splice(5, 1)
    expect(run(rows)[0]).toMatchObject({ code: 'SEQ_MISMATCH', seq: 7 })
  })
})
