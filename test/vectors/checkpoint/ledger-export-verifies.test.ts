// End to end through the real library: a ledger written with ledger-core, exported as JSON lines,
// its Merkle root taken with the frontier, checkpoints signed by the PIC's key (and countersigned
// by the medical director's), the bundle written to disk and checked by the standalone verifier.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Ledger, createInMemoryLedgerStore, fixedClock } from '@csledger/ledger-core'
// Deep imports until ledger-core's index exports the merkle/ and checkpoint/ modules.
import { MerkleFrontier } from '../../../packages/ledger-core/src/merkle/merkle-frontier.ts'
import { checkpointCode } from '../../../packages/ledger-core/src/checkpoint/checkpoint-code.ts'
import { checkpointOrigin } from '../../../packages/ledger-core/src/checkpoint/checkpoint-origin.ts'
import { generateNoteKey } from '../../../packages/ledger-core/src/checkpoint/note-key.ts'
import { cosignNote } from '../../../packages/ledger-core/src/checkpoint/signed-note.ts'
import { signCheckpoint } from '../../../packages/ledger-core/src/checkpoint/signed-checkpoint.ts'
import { verifyBundle } from '@csledger/verifier'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

async function exportedLedger(): Promise<{ lines: string[]; ledgerId: string }> {
  const ledgerId = '5b1c9e2e-8f7a-4d3b-9c1e-2a4b6c8d0e1f'
  const L = new Ledger({ store: createInMemoryLedgerStore(), clock: fixedClock('2026-11-02T15:00:00.000Z'), kdf: { N: 1024, r: 8, p: 1 } })
  const pass = 'correct horse battery'
  await L.init({ registrant: 'Test Ketamine Clinic', address: '1 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: pass, ledgerId })
  const pic = await L.authenticate('pic', pass)
  await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: pass, by: pic })
  await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const nurse = await L.authenticate('nurse', pass)
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await L.store.read().head())!.seq, items: [], by: pic, witness: nurse })
  await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 4, location: 'SAFE-1', supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: 'INV-1', by: nurse })
  const opened = await L.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: nurse })
  const container = (opened.stored.entry.data as { container: string }).container
  await L.administer({ container, dose: '35mg', drawn: '0.7mL', patient: 'P-1042', by: nurse })
  const lines: string[] = []
  for await (const l of L.exportJsonl()) lines.push(l.replace(/\n$/, ''))
  return { lines, ledgerId }
}

function writeBundle(lines: readonly string[], keys: readonly string[], checkpoints: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'csledger-export-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'entries.jsonl'), lines.map((l) => `${l}\n`).join(''))
  writeFileSync(join(dir, 'keys.txt'), `${keys.join('\n')}\n`)
  mkdirSync(join(dir, 'checkpoints'))
  for (const [name, note] of Object.entries(checkpoints)) writeFileSync(join(dir, 'checkpoints', name), note)
  return dir
}

describe('a ledger-core export checked by the standalone verifier', () => {
  it('given checkpoints signed with ledger-core over the exported entries, then the verifier finds the bundle verified and the printed code matches', async () => {
    const { lines, ledgerId } = await exportedLedger()
    const origin = checkpointOrigin(ledgerId)
    const pic = generateNoteKey(origin)
    const director = generateNoteKey(`${origin}/medical-director`)
    const frontier = new MerkleFrontier()
    const checkpoints: Record<string, string> = {}
    let code = ''
    for (const l of lines) {
      frontier.appendEntryHash((JSON.parse(l) as { hash: string }).hash)
      if (frontier.size === 4 || frontier.size === lines.length) {
        const cp = { origin, size: frontier.size, rootHash: frontier.root() }
        checkpoints[`${String(frontier.size).padStart(6, '0')}.txt`] = cosignNote(signCheckpoint(cp, [pic.signer]), [director.signer])
        code = checkpointCode(cp)
      }
    }
    const dir = writeBundle(lines, [pic.verifierKey, director.verifierKey], checkpoints)
    const report = await verifyBundle(dir, { codes: [code], require: [origin, director.signer.name] })
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(report.status).toBe('verified')
    expect(report.ledgerId).toBe(ledgerId)
    expect(report.entries).toBe(lines.length)
    expect(report.checkpoints.map((c) => c.status)).toEqual(['ok', 'ok'])
  })

  it('given the same bundle with one exported entry edited, then the verifier fails it and names the entry', async () => {
    const { lines, ledgerId } = await exportedLedger()
    const origin = checkpointOrigin(ledgerId)
    const pic = generateNoteKey(origin)
    const frontier = new MerkleFrontier()
    for (const l of lines) frontier.appendEntryHash((JSON.parse(l) as { hash: string }).hash)
    const note = signCheckpoint({ origin, size: frontier.size, rootHash: frontier.root() }, [pic.signer])
    const edited = [...lines]
    const last = edited.length - 1
    edited[last] = edited[last]!.replace('"given_mg":"35"', '"given_mg":"3.5"')
    expect(edited[last]).not.toBe(lines[last])
    const report = await verifyBundle(writeBundle(edited, [pic.verifierKey], { 'a.txt': note }))
    expect(report.status).toBe('failed')
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.seq ?? null])).toEqual([['HASH_MISMATCH', lines.length], ['ROOT_MISMATCH', null]])
  })
})
