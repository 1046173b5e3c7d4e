import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { tempDir } from '../support/cli.ts'
import { CLINIC, type ClinicFacts, LedgerDir, PEOPLE, day } from '../support/clinic.ts'
import { useSharedClinic } from '../support/shared-clinic.ts'
import { literal, postgresEnv, query, superuserSql } from '../postgres/pg-test-env.ts'

// Real bin/csledger processes against a real server: generous bounds on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

const env = postgresEnv()

interface Written { seq: number; hash: string }
interface VerifyJson { ok: boolean; entries: number; signatures?: { verified: number; unsigned_without_key: number }; checkpoints?: Array<{ status: string; size: number; signed_by: string[] }>; findings: Array<{ code: string; seq: number | null }> }

/** `--db postgres://…?ledger=<id>`: the application login of the test server, one ledger named. */
function ledgerUrl(ledgerId: string): string {
  const u = new URL(env!.appUrl)
  u.searchParams.set('ledger', ledgerId)
  return u.toString()
}

/** The signature rows PostgreSQL holds for a ledger (as the owner), in (seq, role) order. */
async function storedSignatures(ledgerId: string): Promise<Array<{ seq: number; role: string; signer: string; signature: string }>> {
  return (await query<{ seq: number; role: string; signer: string; signature: string }>(env!.ownerUrl,
    'SELECT seq::int AS seq, role, signer, signature FROM entry_signature WHERE ledger_id = $1 ORDER BY seq, role', [ledgerId])).rows
}

describe.skipIf(!env)('signing through the CLI on PostgreSQL (--db postgres://…?ledger=<id>)', () => {
  let l: LedgerDir
  let ledgerId: string
  beforeAll(async () => {
    const { dir, remove } = await tempDir('csledger-e2e-pg-')
    ledgerId = randomUUID()
    l = new LedgerDir(dir, ledgerUrl(ledgerId), remove)
  })
  afterAll(async () => { await l?.remove() })

  test('a clinic set up on the server signs every entry; a dose and a receipt verify with their signatures, a checkpoint is written and verifies, and an edited signature is named by verify', async () => {
    const init = await l.json<{ ledger_id: string }>(['init', '--registrant', CLINIC.registrant, '--address', CLINIC.address, '--dea', CLINIC.dea, '--admin', 'pkim', '--admin-name', PEOPLE.pkim.name], { newPassphrase: PEOPLE.pkim.passphrase })
    expect(init.ledger_id).toBe(ledgerId)
    for (const u of ['nkim', 'rjones', 'drlee'] as const) {
      await l.json(['user', 'add', u, '--name', PEOPLE[u].name, '--role', PEOPLE[u].role, '--by', 'pkim'], { as: 'pkim', newPassphrase: PEOPLE[u].passphrase })
    }
    await l.json(['location', 'add', 'SAFE-1', '--name', 'Main safe, medication room', '--by', 'pkim'], { as: 'pkim' })
    await l.json(['product', 'add', 'KET-50', '--drug', 'ketamine', '--ndc', '67457-108-10', '--concentration', '50mg/mL', '--volume', '10mL', '--dose-form', 'multi-dose', '--by', 'pkim'], { as: 'pkim' })
    // The initial inventory signs a checkpoint too (by the counter and the witness), as every count does.
    const inventory = await l.json<Written & { checkpoint?: { code: string } }>(['inventory', '--kind', 'initial', '--at', 'opening', '--zero', '--by', 'pkim', '--witness', 'nkim'], { as: 'pkim', witness: 'nkim' })
    expect(inventory.checkpoint?.code).toMatch(new RegExp(`^${inventory.seq} `))
    const receipt = await l.json<Written>(['receive', '--product', 'KET-50', '--lot', 'K2417A', '--expires', day(400), '--containers', '4', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-5501', '--by', 'nkim'], { as: 'nkim' })
    const opened = await l.json<Written & { container: string }>(['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim'], { as: 'nkim' })
    const dose = await l.json<Written>(['administer', '--container', opened.container, '--dose', '35mg', '--drawn', '40mg', '--patient', 'P-1042', '--prescriber', 'drlee', '--by', 'nkim'], { as: 'nkim' })
    const waste = await l.json<Written>(['waste', '--administration', String(dose.seq), '--amount', '5mg', '--reason', 'partial dose', '--by', 'nkim', '--witness', 'rjones'], { as: 'nkim', witness: 'rjones' })

    // Every entry carries its actor's signature, the witnessed ones their witness's too.
    const stored = await storedSignatures(ledgerId)
    const bySeq = (seq: number) => stored.filter((x) => x.seq === seq).map((x) => `${x.role}:${x.signer}`)
    expect(new Set(stored.map((x) => x.seq)).size).toBe(waste.seq)
    expect([bySeq(receipt.seq), bySeq(dose.seq), bySeq(waste.seq)]).toEqual([['actor:nkim'], ['actor:nkim'], ['actor:nkim', 'witness:rjones']])
    const sealed = await query<{ n: number }>(env!.ownerUrl, 'SELECT count(*)::int AS n FROM credential WHERE ledger_id = $1 AND sealed_key LIKE $2', [ledgerId, 'sealed-ed25519-v1$%'])
    expect(sealed.rows[0]!.n).toBe(4)

    const verified = await l.run(['verify'])
    expect(verified.stderr).toBe('')
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(new RegExp(`^ok: ${waste.seq} entries verified; balances match the entries\\n  head #${waste.seq} ${waste.hash}\\n  signatures: ${stored.length} verified\\n`))

    // A checkpoint signed by the PIC and the physician, written to a file, stored, and checked by verify.
    const out = join(l.dir, 'checkpoint.txt')
    const cp = await l.run(['checkpoint', '--out', out, '--by', 'pkim', '--cosigner', 'drlee'], { as: 'pkim', witness: 'drlee' })
    expect(cp.stderr).toBe('')
    expect(cp.code).toBe(0)
    expect(cp.stdout).toContain(`written to ${out}`)
    const note = readFileSync(out, 'utf8')
    expect(note.startsWith(`csledger.invalid/${ledgerId}\n${waste.seq}\n`)).toBe(true)
    const kept = await query<{ note: string; size: number }>(env!.ownerUrl, 'SELECT note, size::int AS size FROM checkpoint WHERE ledger_id = $1 ORDER BY id', [ledgerId])
    expect(kept.rows).toEqual([{ note: expect.stringContaining(`\n${inventory.seq}\n`), size: inventory.seq }, { note, size: waste.seq }])
    const withCheckpoint = await l.json<VerifyJson>(['verify', '--checkpoint', out])
    expect(withCheckpoint).toMatchObject({ ok: true, entries: waste.seq, signatures: { verified: stored.length, unsigned_without_key: 0 }, findings: [] })
    expect(withCheckpoint.checkpoints?.map((c) => [c.status, c.size, c.signed_by])).toEqual([
      ['ok', inventory.seq, ['pkim', 'nkim']], ['ok', waste.seq, ['pkim', 'drlee']], ['ok', waste.seq, ['pkim', 'drlee']],
    ])

    // A superuser swaps the dose's signature for the receipt's (both nurse nkim's): verify names the dose.
    if (!env!.superuser) return
    const receiptSignature = stored.find((x) => x.seq === receipt.seq)!.signature
    superuserSql(env!, `BEGIN;
      ALTER TABLE entry_signature DISABLE TRIGGER USER;
      UPDATE entry_signature SET signature = ${literal(receiptSignature)} WHERE ledger_id = ${literal(ledgerId)} AND seq = ${dose.seq} AND role = 'actor';
      ALTER TABLE entry_signature ENABLE TRIGGER USER;
      COMMIT;`)
    const tampered = await l.run(['verify'])
    expect(tampered.code).toBe(5)
    expect(tampered.stdout).toMatch(/^FAILED: 1 finding\(s\)/)
    expect(tampered.stdout).toContain(`[BAD_ENTRY_SIGNATURE] the actor signature on entry ${dose.seq} (administration, actor nkim) does not verify with nkim's key`)
  })
})

describe.skipIf(!env)('csledger copy of a signed clinic file to PostgreSQL', () => {
  const shared = useSharedClinic()
  let l: LedgerDir
  let facts: ClinicFacts
  beforeAll(async () => { l = await shared.copy(); facts = shared.facts })

  test('the copy brings the signatures, and the clinic goes on signing on the server', async () => {
    const before = await l.json<VerifyJson>(['verify'])
    expect(before.signatures?.verified).toBeGreaterThan(facts.head)
    const copied = await l.json<{ ledger_id: string; entries: number; target_ok: boolean; signatures: number; checkpoints: number; sealed_keys: number; credentials: number }>(['copy', '--from', l.db, '--to', env!.appUrl])
    expect(copied).toMatchObject({ entries: facts.head, target_ok: true, signatures: before.signatures!.verified })
    expect(copied.sealed_keys).toBe(copied.credentials)
    const onServer = new LedgerDir(l.dir, ledgerUrl(copied.ledger_id), async () => {})
    expect(await onServer.json<VerifyJson>(['verify'])).toMatchObject({ ok: true, entries: facts.head, signatures: { verified: before.signatures!.verified } })
    // drpark co-signs the pending waste on the server, with the key sealed under his passphrase in the file.
    await onServer.json(['cosign', String(facts.pendingWaste), '--by', 'drpark'], { as: 'drpark' })
    const after = await onServer.json<VerifyJson>(['verify'])
    expect(after).toMatchObject({ ok: true, entries: facts.head + 1, signatures: { verified: before.signatures!.verified + 1 } })
    expect(existsSync(l.db)).toBe(true)
  })
})
