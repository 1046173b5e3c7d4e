import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { SAMPLE_PASSPHRASE, TEST_KDF } from '../support/build-sample-ledger.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { DRAWS_ML, type Op, SCARCE_PRODUCT, SHARED_CONTAINER, type WorkerOutcome } from './append-worker.ts'

// Four processes append to one SQLite file at once, as four workstations of a clinic would:
// receipts, doses drawn from one shared 10 mL container (the last millilitres are raced for) and
// openings of a lot with only 3 sealed vials. Afterwards the file must hold one unbroken chain
// with exactly the acknowledged entries, no balance may ever have gone negative, and every refusal
// must be a typed one.

const WORKERS = 4
const APPENDS_PER_WORKER = process.env.CSLEDGER_FULL ? 200 : 24
const SCARCE_SEALED = 3
const CONTAINER_TENTHS_ML = 100 // 10 mL
const WORKER_SCRIPT = join(import.meta.dirname, 'append-worker.ts')

/** Typed refusals each operation may meet under contention; anything else fails the test. */
const ALLOWED_REFUSALS: Record<Op, readonly string[]> = {
  receive: ['BUSY'],
  administer: ['DRAW_EXCEEDS_CONTAINER', 'INSUFFICIENT_STOCK', 'CONTAINER_EMPTY', 'BUSY'],
  open: ['INSUFFICIENT_STOCK', 'BUSY'],
}

const tmp = makeTempDir('concurrency')
const file = tmp.file('shared.db')
let setupHead: number
let outcomes: WorkerOutcome[]
let exits: Array<{ worker: number; code: number | null; stderr: string }>

/** The clinic before the rush: four nurses, a ketamine container open, three sealed midazolam vials. */
async function prepareLedger(): Promise<number> {
  const store = await openSqliteStore(file, { create: true })
  try {
    const L = new Ledger({ store, kdf: TEST_KDF })
    await L.init({ registrant: 'Busy Clinic', address: '2 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: SAMPLE_PASSPHRASE, ledgerId: crypto.randomUUID() })
    const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
    for (let w = 1; w <= WORKERS; w++) await L.addUser({ username: `nurse${w}`, name: `Nurse ${w}`, role: 'nurse', passphrase: SAMPLE_PASSPHRASE, by: pic })
    await L.addLocation({ code: 'SAFE-1', name: 'Main safe', by: pic })
    await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
    await L.addProduct({ code: 'MID-5', drug: 'midazolam', ndc: '0641-6057-10', concentration: '5mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
    // 21 CFR 1304.11(b): the initial inventory (zero here) comes before the first receipt.
    await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await store.read().head())!.seq, items: [], by: pic, witness: { username: 'nurse1' } })
    const supplier = { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563' }
    await L.receive({ product: 'KET-50', lot: 'K2417A', expires: '2030-01-31', containers: 1, location: 'SAFE-1', ...supplier, invoice: 'INV-0', by: pic })
    const opened = await L.open({ product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', by: pic })
    expect((opened.stored.entry.data as { container: string }).container).toBe(SHARED_CONTAINER)
    await L.receive({ ...SCARCE_PRODUCT, expires: '2030-06-30', containers: SCARCE_SEALED, ...supplier, invoice: 'INV-00', by: pic })
    return (await store.read().head())!.seq
  } finally {
    await store.close()
  }
}

/** Starts the workers, waits until all are authenticated and ready, says "go", waits for all to exit. */
async function runWorkers(): Promise<Array<{ worker: number; code: number | null; stderr: string }>> {
  const children: Array<{ worker: number; child: ChildProcess; stderr: string[] }> = []
  for (let w = 1; w <= WORKERS; w++) {
    const child = spawn(process.execPath, ['--conditions=@csledger/source', WORKER_SCRIPT, file, String(w), String(APPENDS_PER_WORKER), tmp.file(`worker-${w}.jsonl`)], { stdio: ['pipe', 'pipe', 'pipe'] })
    const stderr: string[] = []
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
    children.push({ worker: w, child, stderr })
  }
  const exited = children.map(({ worker, child, stderr }) => new Promise<{ worker: number; code: number | null; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ worker, code, stderr: stderr.join('') }))
  }))
  const ready = children.map(({ child }) => new Promise<boolean>((resolve) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => { if (line === 'ready') resolve(true) })
    child.on('exit', () => resolve(false))
  }))
  const allReady = (await Promise.all(ready)).every(Boolean)
  for (const { child } of children) child.stdin!.end(allReady ? 'go\n' : '')
  return Promise.all(exited)
}

beforeAll(async () => {
  setupHead = await prepareLedger()
  exits = await runWorkers()
  outcomes = []
  for (let w = 1; w <= WORKERS; w++) {
    const text = (() => { try { return readFileSync(tmp.file(`worker-${w}.jsonl`), 'utf8') } catch { return '' } })()
    outcomes.push(...text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as WorkerOutcome))
  }
})
afterAll(() => tmp.remove())

const acknowledged = () => outcomes.filter((o): o is Extract<WorkerOutcome, { ok: true }> => o.ok)
const refused = () => outcomes.filter((o): o is Extract<WorkerOutcome, { ok: false }> => !o.ok)
const tenths = (ml: string) => Math.round(Number(ml) * 10)

describe(`${WORKERS} processes appending ${APPENDS_PER_WORKER} times each to one SQLite file`, () => {
  it('given the rush, then every worker finished cleanly and reported every one of its appends', () => {
    expect(exits.map((e) => ({ worker: e.worker, code: e.code, stderr: e.stderr }))).toEqual(
      Array.from({ length: WORKERS }, (_, i) => ({ worker: i + 1, code: 0, stderr: '' })),
    )
    expect(outcomes).toHaveLength(WORKERS * APPENDS_PER_WORKER)
  })

  it('given the rush, then no append crashed: every refusal is a typed error the operation can meet', () => {
    for (const r of refused()) {
      expect(r.crash, r.crash).toBeUndefined()
      expect(['RuleViolation', 'ConflictError'], `${r.requestId}: ${r.name} ${r.code}`).toContain(r.name)
      expect(ALLOWED_REFUSALS[r.op], `${r.requestId} (${r.op}) refused with ${r.code}`).toContain(r.code)
    }
  })

  it('given the rush, then the file holds one unbroken chain whose new entries are exactly the acknowledged appends', async () => {
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.ok).toBe(true)

      const stored: Array<{ seq: number; hash: string; request_id: string | null }> = []
      for await (const row of store.entryRows({ fromSeq: setupHead + 1 })) stored.push({ seq: row.seq, hash: row.hash, request_id: row.request_id })
      const acked = acknowledged().map((a) => ({ seq: a.seq, hash: a.hash, request_id: a.requestId })).sort((a, b) => a.seq - b.seq)
      expect(new Set(acked.map((a) => a.seq)).size).toBe(acked.length) // no seq acknowledged twice
      expect(stored).toEqual(acked) // none lost, none extra, same bytes
      expect(report.entries).toBe(setupHead + acked.length)
    } finally {
      await store.close()
    }
  })

  it('given the rush, then no projection was ever negative, in any history row', async () => {
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const rows = store.database.prepare('SELECT kind, key, seq, value FROM projection_history').all() as Array<{ kind: string; key: string; seq: number; value: string }>
      expect(rows.length).toBeGreaterThan(0)
      const negatives: string[] = []
      const walk = (where: string, v: unknown): void => {
        if (typeof v === 'number' && v < 0) negatives.push(`${where} = ${v}`)
        else if (typeof v === 'string' && /^-\d/.test(v)) negatives.push(`${where} = ${v}`)
        else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(`${where}.${k}`, x)
      }
      for (const r of rows) walk(`${r.kind} ${r.key} @${r.seq}`, JSON.parse(r.value))
      expect(negatives).toEqual([])
    } finally {
      await store.close()
    }
  })

  it('given the rush, then the shared container lost exactly the acknowledged draws, every refused draw was really too big, and exactly the sealed vials were opened', async () => {
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const container = (await store.read().get('container', SHARED_CONTAINER))!
      const drawnTenths = acknowledged().filter((a) => a.op === 'administer').reduce((s, a) => s + tenths(a.drawn_ml!), 0)
      expect(tenths(container.remaining_ml)).toBe(CONTAINER_TENTHS_ML - drawnTenths)
      // The container only ever shrinks, so a draw refused at any time was also too big at the end.
      const refusedDraws = refused().filter((r) => r.op === 'administer' && r.code !== 'BUSY')
      expect(refusedDraws.length).toBeGreaterThan(0) // the race for the last millilitres happened
      for (const r of refusedDraws) expect(tenths(r.drawn_ml!), `${r.requestId} refused ${r.drawn_ml} mL`).toBeGreaterThan(tenths(container.remaining_ml))

      const opened = acknowledged().filter((a) => a.op === 'open').length
      const busyOpens = refused().filter((r) => r.op === 'open' && r.code === 'BUSY').length
      expect(opened).toBeLessThanOrEqual(SCARCE_SEALED)
      if (busyOpens === 0) expect(opened).toBe(SCARCE_SEALED)
      expect((await store.read().get('stock', `${SCARCE_PRODUCT.location}|${SCARCE_PRODUCT.product}|${SCARCE_PRODUCT.lot}`))!.sealed).toBe(SCARCE_SEALED - opened)

      const bySeq = acknowledged().sort((a, b) => a.seq - b.seq)
      const switches = bySeq.filter((a, i) => i > 0 && a.worker !== bySeq[i - 1]!.worker).length
      const tally = new Map<string, number>()
      for (const r of refused()) tally.set(`${r.op}:${r.code}`, (tally.get(`${r.op}:${r.code}`) ?? 0) + 1)
      const codes = [...tally].map(([k, v]) => `${k}=${v}`).join(' ')
      console.log(`concurrency: ${outcomes.length} attempts, ${bySeq.length} appended (${setupHead + 1}..${setupHead + bySeq.length}), ${switches} worker switches along the chain, refused: ${codes || 'none'}; draws ${DRAWS_ML.join('/')} mL`)
    } finally {
      await store.close()
    }
  })
})
