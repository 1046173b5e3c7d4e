import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { csledger, dataOf, envelope } from '../support/cli.ts'
import { CLINIC, type ClinicFacts, LedgerDir, PEOPLE, day } from '../support/clinic.ts'
import { sharedClinic } from '../support/shared-clinic.ts'

// Each spawn of bin/csledger is a real process; on a busy 2-core machine a sequence of them
// (and the shared fixture, built once per run) can take minutes, so the bounds are generous.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

/**
 * Every command of issue 3 through the real bin/csledger, in text and in --json, on a copy of
 * the clinic fixture. Write commands must print the appended entry (seq and hash at least);
 * --json must print exactly one JSON document; diagnostics go to stderr.
 */

const HASH = /^[0-9a-f]{64}$/
const RECORDED = (kind: string, seq: number, who: string) => new RegExp(`^recorded ${kind} #${seq} \\(${who.replace(/[()]/g, '\\$&')}\\): .+\\n  hash [0-9a-f]{64}\\n$`)

let template: LedgerDir
let facts: ClinicFacts
const copies: LedgerDir[] = []
async function clinic(): Promise<LedgerDir> {
  const l = await template.copy()
  copies.push(l)
  return l
}
beforeAll(async () => { ({ template, facts } = await sharedClinic()) })
afterAll(async () => { await Promise.all(copies.map((c) => c.remove())) })

describe.concurrent('init and the ledger location', () => {
  test('init creates the ledger at --db; the admin is its first PIC (text)', async () => {
    const l = await LedgerDir.empty()
    copies.push(l)
    const run = await csledger(['--db', 'clinic.db', 'init', '--registrant', CLINIC.registrant, '--address', CLINIC.address, '--dea', CLINIC.dea, '--admin', 'pkim', '--admin-name', 'Pat Kim'], { cwd: l.dir, env: { CSLEDGER_NEW_PASSPHRASE: PEOPLE.pkim.passphrase } })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toMatch(new RegExp(`^recorded registrant #1 \\(pkim\\): ledger opened for ${CLINIC.registrant} \\(DEA ${CLINIC.dea}\\)\\n  hash [0-9a-f]{64}\\n  ledger [0-9a-f-]{36} at clinic.db\\n$`))
    const users = dataOf<Array<{ username: string; role: string }>>(await csledger(['--db', 'clinic.db', 'user', 'list', '--json'], { cwd: l.dir }))
    expect(users).toEqual([{ username: 'pkim', name: 'Pat Kim', role: 'pic', active: true, since_seq: 1 }])
  })

  test('init --json; with neither --db nor CSLEDGER_DB the ledger is ./csledger.db in the working directory', async () => {
    const l = await LedgerDir.empty()
    copies.push(l)
    const run = await csledger(['init', '--registrant', CLINIC.registrant, '--address', CLINIC.address, '--dea', CLINIC.dea, '--admin', 'pkim', '--admin-name', 'Pat Kim', '--json'], { cwd: l.dir, env: { CSLEDGER_NEW_PASSPHRASE: PEOPLE.pkim.passphrase } })
    const data = dataOf<Record<string, unknown>>(run)
    expect(data).toMatchObject({ seq: 1, kind: 'registrant', db: 'csledger.db', name: CLINIC.registrant, dea_number: CLINIC.dea, admin: { username: 'pkim', name: 'Pat Kim' } })
    expect(data.hash).toMatch(HASH)
    expect(run.stderr).toBe('')
    const listed = await csledger(['balance', '--json'], { cwd: l.dir })
    expect(dataOf(listed)).toEqual([])
  })

  test('--db wins over CSLEDGER_DB', async () => {
    const l = await clinic()
    const run = await csledger(['--db', l.db, 'user', 'list', '--json'], { cwd: l.dir, env: { CSLEDGER_DB: join(l.dir, 'missing.db') } })
    expect(dataOf<unknown[]>(run)).toHaveLength(7)
    const viaEnv = await csledger(['user', 'list', '--json'], { cwd: l.dir, env: { CSLEDGER_DB: join(l.dir, 'missing.db') } })
    expect(viaEnv.code).toBe(2)
    expect(envelope(viaEnv)).toMatchObject({ ok: false, error: { code: 'NO_LEDGER' } })
  })
})

describe.concurrent('users, locations, products', () => {
  test('user add (text and --json), user list, user deactivate', async () => {
    const l = await clinic()
    const added = await l.run(['user', 'add', 'mchen', '--name', 'Mia Chen', '--role', 'nurse', '--by', 'pkim'], { as: 'pkim', newPassphrase: 'mchen: new passphrase 1' })
    expect(added.stdout).toMatch(RECORDED('user', facts.head + 1, 'pkim'))
    expect(added.stdout).toContain('user mchen (nurse) Mia Chen')
    const addedJson = await l.json<Record<string, unknown>>(['user', 'add', 'drng', '--name', 'Dr. Ana Ng', '--role', 'physician', '--by', 'pkim'], { as: 'pkim', newPassphrase: 'drng: new passphrase 2' })
    expect(addedJson).toMatchObject({ seq: facts.head + 2, kind: 'user', username: 'drng', role: 'physician', actor: 'pkim' })
    expect(addedJson.hash).toMatch(HASH)
    // The new user can sign with the passphrase given at creation.
    expect((await l.run(['open', '--product', 'MDZ-5', '--lot', 'M7731', '--location', 'SAFE-1', '--by', 'mchen', '--json'], { env: { CSLEDGER_PASSPHRASE: 'mchen: new passphrase 1' } })).code).toBe(0)

    const deactivated = await l.run(['user', 'deactivate', 'mchen', '--reason', 'moved to another clinic', '--by', 'pkim'], { as: 'pkim' })
    expect(deactivated.stdout).toMatch(RECORDED('user deactivation', facts.head + 4, 'pkim'))
    const again = await l.json<Record<string, unknown>>(['user', 'deactivate', 'drng', '--by', 'pkim'], { as: 'pkim' })
    expect(again).toMatchObject({ kind: 'user_deactivation', username: 'drng', seq: facts.head + 5 })

    const list = await l.run(['user', 'list'])
    expect(list.stdout.split('\n').slice(0, 2)).toEqual(['USERNAME  NAME          ROLE       STATUS       SINCE', '--------  ------------  ---------  -----------  -----'])
    expect(list.stdout).toMatch(/^mchen +Mia Chen +nurse +deactivated +#\d+$/m)
    const listJson = await l.json<Array<{ username: string; active: boolean }>>(['user', 'list'])
    expect(listJson.filter((u) => !u.active).map((u) => u.username).sort()).toEqual(['drng', 'mchen', 'tgone'])
  })

  test('location add and location list (text and --json)', async () => {
    const l = await clinic()
    const added = await l.run(['location', 'add', 'CART-3', '--name', 'Crash cart 3', '--by', 'pkim'], { as: 'pkim' })
    expect(added.stdout).toMatch(RECORDED('location', facts.head + 1, 'pkim'))
    const addedJson = await l.json<Record<string, unknown>>(['location', 'add', 'SAFE-2', '--name', 'Second safe', '--by', 'pkim'], { as: 'pkim' })
    expect(addedJson).toMatchObject({ seq: facts.head + 2, kind: 'location', code: 'SAFE-2', name: 'Second safe' })
    expect((await l.json<Array<{ code: string }>>(['location', 'list'])).map((x) => x.code).sort()).toEqual(['CART-3', 'LOCKBOX-2', 'SAFE-1', 'SAFE-2'])
    expect((await l.run(['location', 'list'])).stdout).toMatch(/^CART-3 +Crash cart 3$/m)
  })

  test('product add and product list (text and --json); the schedule follows from the drug, the NDC is padded to 11 digits', async () => {
    const l = await clinic()
    const added = await l.run(['product', 'add', 'KET-100', '--drug', 'ketamine', '--ndc', '0409-2051-05', '--concentration', '100mg/mL', '--volume', '5mL', '--dose-form', 'multi-dose', '--by', 'pkim'], { as: 'pkim' })
    expect(added.stdout).toMatch(RECORDED('product', facts.head + 1, 'pkim'))
    expect(added.stdout).toContain('product KET-100: Ketamine HCl 100 mg/mL × 5 mL multi-dose (CIII, NDC 0409-2051-05)')
    const addedJson = await l.json<Record<string, unknown>>(['product', 'add', 'MDZ-1', '--drug', 'midazolam', '--ndc', '70860-600-02', '--concentration', '1mg/mL', '--volume', '2mL', '--dose-form', 'single-dose', '--by', 'pkim'], { as: 'pkim' })
    expect(addedJson).toMatchObject({ kind: 'product', code: 'MDZ-1', schedule: 'IV', dea_code: '2884', ndc: '70860-600-02', ndc11: '70860060002', concentration_mg_per_ml: '1', volume_ml: '2' })
    const list = await l.json<Array<{ code: string; ndc11: string }>>(['product', 'list'])
    expect(list.find((p) => p.code === 'KET-100')?.ndc11).toBe('00409205105')
    expect((await l.run(['product', 'list'])).stdout).toMatch(/^KET-100 +ketamine +CIII +0409-2051-05 +00409205105 +100 mg\/mL +5 mL +multi-dose$/m)
  })
})

describe.concurrent('stock and doses', () => {
  test('receive (text and --json)', async () => {
    const l = await clinic()
    const text = await l.run(['receive', '--product', 'MDZ-5', '--lot', 'M7731', '--expires', facts.expires, '--containers', '3', '--location', 'LOCKBOX-2', ...CLINIC.supplier, '--invoice', 'INV-1', '--by', 'rjones'], { as: 'rjones' })
    expect(text.stdout).toMatch(RECORDED('receipt', facts.head + 1, 'rjones'))
    const json = await l.json<Record<string, unknown>>(['receive', '--product', 'KET-50', '--lot', 'K2500', '--expires', facts.expires, '--containers', '1', '--location', 'SAFE-1', ...CLINIC.supplier, '--invoice', 'INV-2', '--at', `${day(-1)}T09:30:00-05:00`, '--by', 'pkim'], { as: 'pkim' })
    expect(json).toMatchObject({ kind: 'receipt', seq: facts.head + 2, containers: 1, occurred_at: `${day(-1)}T14:30:00.000Z`, supplier: { name: 'Acme Wholesale', address: '9 Depot Rd, Columbus OH 43215', dea_number: 'AB1234563' } })
  })

  test('open prints the new container id (text), and data.container is the id (--json)', async () => {
    const l = await clinic()
    const text = await l.run(['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim'], { as: 'nkim' })
    expect(text.stdout).toMatch(RECORDED('container opening', facts.head + 1, 'nkim'))
    expect(text.stdout).toContain('opened C-0002: KET-50 lot K2417A at SAFE-1 (10 mL)')
    const json = await l.json<Record<string, unknown>>(['open', '--product', 'MDZ-5', '--lot', 'M7731', '--location', 'SAFE-1', '--by', 'nkim'], { as: 'nkim' })
    expect(json).toMatchObject({ container: 'C-0003', kind: 'container_opening', seq: facts.head + 2, volume_ml: '2' })
    expect(json.hash).toMatch(HASH)
  })

  test('administer in mg or mL (text and --json), exact to the microlitre', async () => {
    const l = await clinic()
    const text = await l.run(['administer', '--container', facts.container, '--dose', '12.5mg', '--patient', 'P-77', '--by', 'nkim'], { as: 'nkim' })
    expect(text.stdout).toMatch(RECORDED('administration', facts.head + 1, 'nkim'))
    expect(text.stdout).toContain(`12.5 mg (0.25 mL) to P-77 from ${facts.container}`)
    const json = await l.json<Record<string, unknown>>(['administer', '--container', facts.container, '--dose', '0.7mL', '--drawn', '0.75mL', '--patient', 'P-78', '--prescriber', 'drpark', '--by', 'drlee'], { as: 'drlee' })
    expect(json).toMatchObject({ kind: 'administration', given_ml: '0.7', given_mg: '35', drawn_ml: '0.75', drawn_mg: '37.5', prescriber: 'drpark', actor: 'drlee' })
  })

  test('waste --container and waste --administration need a witness who signs too (text and --json)', async () => {
    const l = await clinic()
    const dose = await l.json<{ seq: number }>(['administer', '--container', facts.container, '--dose', '20mg', '--drawn', '25mg', '--patient', 'P-9', '--by', 'rjones'], { as: 'rjones' })
    const text = await l.run(['waste', '--administration', String(dose.seq), '--amount', '0.1mL', '--reason', 'patient refused the rest', '--by', 'rjones', '--witness', 'nkim'], { as: 'rjones', witness: 'nkim' })
    expect(text.stdout).toMatch(RECORDED('waste', dose.seq + 1, 'rjones, witnessed by nkim'))
    const json = await l.json<Record<string, unknown>>(['waste', '--container', facts.container, '--amount', '1mL', '--reason', 'contaminated', '--by', 'nkim', '--witness', 'drlee'], { as: 'nkim', witness: 'drlee' })
    expect(json).toMatchObject({ kind: 'waste', container: facts.container, amount_ml: '1', amount_mg: '50', witness: 'drlee', actor: 'nkim', reason: 'contaminated' })
  })

  test('cosign --pending (text and --json) and cosign <seq> (text and --json)', async () => {
    const l = await clinic()
    const pendingText = await l.run(['cosign', '--pending'])
    expect(pendingText.stdout).toMatch(new RegExp(`^SEQ +WASTED BY +WITNESS +AT +AGE\\n[- ]+\\n#${facts.pendingWaste} +nkim +rjones +\\S+ +\\d+ h\\n$`))
    expect(await l.json(['cosign', '--pending'])).toEqual([expect.objectContaining({ seq: facts.pendingWaste, actor: 'nkim', witness: 'rjones' })])
    const cosigned = await l.run(['cosign', String(facts.pendingWaste), '--by', 'drlee'], { as: 'drlee' })
    expect(cosigned.stdout).toMatch(RECORDED('cosign', facts.head + 1, 'drlee'))
    expect(cosigned.stdout).toContain(`co-signed waste ${facts.pendingWaste}`)
    expect((await l.run(['cosign', '--pending'])).stdout).toBe('no waste awaits co-sign\n')

    const w = await l.json<{ seq: number }>(['waste', '--container', facts.container, '--amount', '1mg', '--reason', 'dropped', '--by', 'rjones', '--witness', 'nkim'], { as: 'rjones', witness: 'nkim' })
    const json = await l.json<Record<string, unknown>>(['cosign', String(w.seq), '--by', 'drpark'], { as: 'drpark' })
    expect(json).toMatchObject({ kind: 'cosign', waste: w.seq, seq: w.seq + 1, actor: 'drpark' })
  })

  test('transfer (text and --json)', async () => {
    const l = await clinic()
    const text = await l.run(['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '3', '--from', 'SAFE-1', '--to', 'LOCKBOX-2', '--by', 'nkim'], { as: 'nkim' })
    expect(text.stdout).toMatch(RECORDED('transfer', facts.head + 1, 'nkim'))
    expect(text.stdout).toContain('moved 3 × KET-50 lot K2417A from SAFE-1 to LOCKBOX-2')
    const json = await l.json<Record<string, unknown>>(['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '1', '--from', 'LOCKBOX-2', '--to', 'SAFE-1', '--by', 'pkim'], { as: 'pkim' })
    expect(json).toMatchObject({ kind: 'transfer', containers: 1, from: 'LOCKBOX-2', to: 'SAFE-1' })
    const rows = await l.json<Array<{ location: string; lot: string; sealed: number }>>(['balance', '--product', 'KET-50'])
    expect(rows.filter((r) => r.lot === 'K2417A').map((r) => [r.location, r.sealed])).toEqual([['LOCKBOX-2', 2], ['SAFE-1', 7]])
  })

  test('correct <seq>: amend (text) and void (--json); the original entry stays in the chain', async () => {
    const l = await clinic()
    const amend = await l.run(['correct', String(facts.dose), '--dose', '30mg', '--reason', 'dose misread from the order', '--by', 'nkim', '--witness', 'rjones'], { as: 'nkim', witness: 'rjones' })
    expect(amend.stdout).toMatch(RECORDED('correction', facts.head + 1, 'nkim, witnessed by rjones'))
    expect(amend.stdout).toContain(`amended entry ${facts.dose} (administration): dose misread from the order`)
    const extra = await l.json<{ seq: number }>(['administer', '--container', facts.container, '--dose', '10mg', '--patient', 'P-5', '--by', 'nkim'], { as: 'nkim' })
    const voided = await l.json<Record<string, unknown>>(['correct', String(extra.seq), '--reason', 'recorded twice', '--by', 'nkim', '--witness', 'drlee'], { as: 'nkim', witness: 'drlee' })
    expect(voided).toMatchObject({ kind: 'correction', action: 'void', corrects: extra.seq, corrects_kind: 'administration', witness: 'drlee' })
    // The voided dose is back in the container: 9.2 mL before it, 9.2 mL after the void.
    const [row] = await l.json<Array<{ open: Array<{ container: string; remaining_mL: string }> }>>(['balance', '--location', 'SAFE-1', '--product', 'KET-50'])
    expect(row!.open).toEqual([{ container: facts.container, remaining_mL: '9.2', remaining_mg: '460' }])
    const original = await l.json<Array<{ seq: number; data: { given_mg: string } }>>(['log', '--seq', String(facts.dose)])
    expect(original.map((e) => e.data.given_mg)).toEqual(['35'])
  })
})

describe.concurrent('reports, export and verification', () => {
  test('balance --json rows: location, product, lot, sealed (integer), open containers, total_mg (decimal string); text is an aligned table', async () => {
    const l = await clinic()
    const rows = await l.json<unknown[]>(['balance'])
    expect(rows).toEqual([
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 9, open: [{ container: 'C-0001', remaining_mL: '9.2', remaining_mg: '460' }], total_mg: '4960', total_mL: '99.2' },
      { location: 'SAFE-1', product: 'KET-50', lot: 'OLD1', sealed: 2, open: [], total_mg: '1000', total_mL: '20' },
      { location: 'SAFE-1', product: 'MDZ-5', lot: 'M7731', sealed: 5, open: [], total_mg: '50', total_mL: '10' },
    ])
    const text = await l.run(['balance'])
    expect(text.stdout).toBe([
      `as of #${facts.head}`,
      'LOCATION  PRODUCT  LOT     SEALED  OPEN           TOTAL mg',
      '--------  -------  ------  ------  -------------  --------',
      'SAFE-1    KET-50   K2417A       9  C-0001 9.2 mL      4960',
      'SAFE-1    KET-50   OLD1         2  -                  1000',
      'SAFE-1    MDZ-5    M7731        5  -                    50',
      '',
    ].join('\n'))
    // As it stood after the receipt of K2417A: ten sealed vials, nothing open.
    expect(await l.json(['balance', '--as-of', String(facts.receipt), '--product', 'KET-50'])).toEqual([
      { location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', sealed: 10, open: [], total_mg: '5000', total_mL: '100' },
    ])
    expect((await l.run(['balance', '--location', 'LOCKBOX-2'])).stdout).toBe(`nothing on hand (as of #${facts.head})\n`)
  })

  test('log lists entries in order (text and --json), filtered by kind, seq and date', async () => {
    const l = await clinic()
    const all = await l.json<Array<{ seq: number; kind: string; hash: string; backdated: boolean }>>(['log'])
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: facts.head }, (_, i) => i + 1))
    expect(all.every((e) => HASH.test(e.hash))).toBe(true)
    expect(all.filter((e) => e.backdated).map((e) => e.kind)).toEqual(['receipt']) // the OLD1 receipt, recorded 3 days late
    const text = await l.run(['log', '--kind', 'waste,administration'])
    expect(text.stdout.split('\n')[0]).toMatch(/^SEQ +OCCURRED \(UTC\) +KIND +BY\/WITNESS +WHAT$/)
    expect(text.stdout).toMatch(new RegExp(`^#${facts.dose} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +administration +nkim +35 mg \\(0\\.7 mL\\) to P-1042 from C-0001, drawn 40 mg \\(0\\.8 mL\\), ordered by drlee$`, 'm'))
    expect(text.stdout).toMatch(new RegExp(`^#${facts.pendingWaste} .+ waste +nkim/rjones +wasted 5 mg \\(0\\.1 mL\\) of dose ${facts.dose}: partial dose$`, 'm'))
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(4)
    const late = await l.run(['log', '--from', day(-3), '--to', day(-3)])
    expect(late.stdout).toMatch(/^#\d+ +\S+ \d\d:\d\d\* +receipt +nkim +received 2 × KET-50 lot OLD1/m)
    expect(late.stdout).toContain('* recorded more than 10 minutes after it happened (back-dated)')
    expect((await l.run(['log', '--from', day(1)])).stdout).toBe('no entries\n')
  })

  test('export --out writes the chain as JSONL exactly as hashed (text and --json)', async () => {
    const l = await clinic()
    const text = await l.run(['export', '--out', 'a.jsonl'])
    expect(text.stdout).toMatch(new RegExp(`^exported ${facts.head} entries to ${join(l.dir, 'a.jsonl').replace(/[.]/g, '\\.')}\\n  head #${facts.head} [0-9a-f]{64}\\n$`))
    const json = await l.json<{ out: string; entries: number; head: { seq: number; hash: string } }>(['export', '--out', 'b.jsonl'])
    expect(json).toMatchObject({ out: join(l.dir, 'b.jsonl'), entries: facts.head, head: { seq: facts.head } })
    const a = await readFile(join(l.dir, 'a.jsonl'))
    expect(a.equals(await readFile(join(l.dir, 'b.jsonl')))).toBe(true)
    const lines = a.toString('utf8').split('\n')
    expect(lines.pop()).toBe('')
    for (const line of lines) expect(line).toMatch(/^\{"entry":\{.*\},"hash":"[0-9a-f]{64}"\}$/)
    expect(JSON.parse(lines.at(-1)!).hash).toBe(json.head.hash)
  })

  test('verify: ok (text and --json); a tampered copy fails with exit 5 and names the edited entry', async () => {
    const l = await clinic()
    const ok = await l.run(['verify'])
    expect(ok).toMatchObject({ code: 0, stderr: '' })
    expect(ok.stdout).toMatch(new RegExp(`^ok: ${facts.head} entries verified; balances match the entries\\n  head #${facts.head} [0-9a-f]{64}\\n  signatures: \\d+ verified\\n`))
    const json = await l.json<{ ok: boolean; entries: number; findings: unknown[] }>(['verify'])
    expect(json).toMatchObject({ ok: true, entries: facts.head, findings: [] })

    tamper(l.db, facts.dose, (canonical) => canonical.replace('"P-1042"', '"P-1043"'))
    const bad = await l.run(['verify'])
    expect(bad.code).toBe(5)
    expect(bad.stdout).toMatch(new RegExp(`^FAILED: \\d+ finding\\(s\\) in ${facts.head} entries\\n  \\[HASH_MISMATCH\\] entry ${facts.dose} was edited`))
  })

  // Known bug (packages/cli/src/main.ts emit): a failed verify prints {"ok":false,"data":report}
  // with no "error" object, against the --json contract. Flip to test() when fixed.
  test('verify --json on a tampered ledger prints {"ok":false,"error":{code,message,hint}} (exit 5)', async () => {
    const l = await clinic()
    tamper(l.db, facts.dose, (canonical) => canonical.replace('"P-1042"', '"P-1043"'))
    const bad = await l.run(['verify', '--json'])
    expect(bad.code).toBe(5)
    expect(envelope(bad)).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String), hint: expect.any(String) } })
  })

  test('--request-id: a retried write returns the first entry and appends nothing', async () => {
    const l = await clinic()
    const args = ['administer', '--container', facts.container, '--dose', '5mg', '--patient', 'P-3', '--by', 'nkim', '--request-id', 'tablet-7:0042']
    const first = await l.json<{ seq: number; hash: string }>(args, { as: 'nkim' })
    const retry = await l.run(args, { as: 'nkim' })
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(new RegExp(`^already recorded administration #${first.seq} `))
    const again = await l.json<{ seq: number; hash: string; replayed: boolean }>(args, { as: 'nkim' })
    expect(again).toMatchObject({ seq: first.seq, hash: first.hash, replayed: true })
    expect((await l.json<unknown[]>(['log'])).length).toBe(first.seq)
  })

  test('failures: text on stderr in the house format with stdout empty; --json prints one error document and nothing on stderr', async () => {
    const l = await clinic()
    const text = await l.run(['administer', '--container', facts.container, '--dose', '500mg', '--patient', 'P-1', '--by', 'nkim'], { as: 'nkim' })
    expect(text.code).toBe(3)
    expect(text.stdout).toBe('')
    expect(text.stderr).toBe([
      `csledger: error[DRAW_EXCEEDS_CONTAINER]: cannot draw 500 mg (10 mL) from container ${facts.container}`,
      '  remaining:  460 mg (9.2 mL of 50 mg/mL)',
      '  requested:  500 mg (40 mg short)',
      'hint: check what is on hand with `csledger balance --product KET-50`',
      '',
    ].join('\n'))
    const json = await l.run(['administer', '--container', facts.container, '--dose', '500mg', '--patient', 'P-1', '--by', 'nkim', '--json'], { as: 'nkim' })
    expect(json.code).toBe(3)
    expect(json.stderr).toBe('')
    expect(envelope(json)).toEqual({ ok: false, error: { code: 'DRAW_EXCEEDS_CONTAINER', message: `cannot draw 500 mg (10 mL) from container ${facts.container}`, hint: 'check what is on hand with `csledger balance --product KET-50`', details: { remaining: '460 mg (9.2 mL of 50 mg/mL)', requested: '500 mg (40 mg short)' } } })
  })
})

describe.concurrent('errors and untrusted text in the text form', () => {
  test('facts are indented under the summary; a second message line is indented; the hint comes last', async () => {
    const l = await clinic()
    const forbidden = await l.run(['cosign', String(facts.pendingWaste), '--by', 'rjones'], { as: 'rjones' })
    expect(forbidden).toMatchObject({ code: 77, stdout: '' })
    expect(forbidden.stderr).toBe([
      'csledger: error[ROLE_FORBIDDEN]: rjones is a nurse and may not co-sign waste',
      '  role:     nurse',
      '  allowed:  physician',
      'hint: ask a physician to do it',
      '',
    ].join('\n'))
    const usage = await l.run(['administer', '--dose-mg', '5'])
    expect(usage).toMatchObject({ code: 2, stdout: '' })
    expect(usage.stderr).toBe("csledger: error[USAGE]: unknown option '--dose-mg'\n    (Did you mean --dose?)\nhint: see `csledger --help` or `csledger <command> --help`\n")
  })

  test('typed escape sequences and line breaks are shown as escapes, never sent to the terminal or split into rows', async () => {
    const l = await clinic()
    const escape = await l.run(['administer', '--container', facts.container, '--dose', '5mg', '--patient', 'P-1', '--by', 'x\u001b[2J\u001b]0;pwned\u0007'], { as: 'nkim' })
    expect(escape.code).toBe(77)
    expect(escape.stderr).toContain('no user x\\u001b[2J\\u001b]0;pwned\\u0007')
    expect(escape.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
    // Today the core stores a line break inside a reason (refusing it with INVALID_TEXT would be
    // fine too); once stored, the log must still show one row per entry.
    const run = await l.run(['waste', '--container', facts.container, '--amount', '1mg', '--reason', 'spilled\n#99  2026-01-01 00:00  waste  drlee  nothing to see', '--by', 'nkim', '--witness', 'rjones', '--json'], { as: 'nkim', witness: 'rjones' })
    const doc = envelope<{ seq: number }>(run)
    if (!doc.ok) {
      expect(doc.error.code).toBe('INVALID_TEXT')
      return
    }
    const forged = doc.data
    const log = await l.run(['log', '--kind', 'waste'])
    const rows = log.stdout.trimEnd().split('\n').slice(2)
    expect(rows).toHaveLength(2)
    expect(rows[1]).toMatch(new RegExp(`^#${forged.seq} .*spilled\\\\n#99  2026-01-01 00:00  waste  drlee  nothing to see$`))
  })
})

/** Rewrites one entry's stored canonical JSON behind csledger's back (the append-only trigger dropped first). */
function tamper(file: string, seq: number, edit: (canonical: string) => string): void {
  const db = new Database(file)
  try {
    db.exec('DROP TRIGGER IF EXISTS ledger_entry_no_update')
    const row = db.prepare('SELECT canonical FROM ledger_entry WHERE seq = ?').get(seq) as { canonical: string }
    db.prepare('UPDATE ledger_entry SET canonical = ? WHERE seq = ?').run(edit(row.canonical), seq)
  } finally {
    db.close()
  }
}
