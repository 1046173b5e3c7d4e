import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CountData, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { CLINIC, type ReliabilityClinic, prepareClinic } from '../support/reliability-clinic.ts'
import { type CliRun, runCli, stackTraceIn } from '../support/reliability-cli.ts'
import { FULL, RUN_SEED, seededRandom } from '../support/reliability-random.ts'

// Five workstations run the real bin/csledger against one SQLite file at once: four nurses record
// doses from the same 10 mL container (more than it holds, so the last millilitres are raced
// for), and a fifth counts the safe while they do. Each command carries a --request-id; a command
// that is killed mid-run (SIGKILL, a quarter of them) or answered BUSY (exit 4) is retried with the
// same id, as a careful client would. Afterwards: one unbroken chain, each request id at most
// once, every acknowledged entry present, every refused one absent, no balance ever negative, the
// container's remainder exactly 10 mL minus what was acknowledged, and every count agreeing with
// the book it was compared against.

const NURSES = 4
const OPS = FULL ? 25 : 3
const COUNTS = FULL ? 4 : 1
const KILL_RATE = 0.25
/** Draw sizes in mL: in total about 5% more than the container holds, so the end is contended. */
const DRAWS = [0.3, 0.5, 0.7, 1.1].map((d) => Math.max(0.01, Math.round((d * 4) / OPS * 100) / 100))

const tmp = makeTempDir('cli-concurrency')
const file = tmp.file('shared.db')
let clinic: ReliabilityClinic
const env = { CSLEDGER_DB: file, CSLEDGER_PASSPHRASE: CLINIC.passphrase, CSLEDGER_WITNESS_PASSPHRASE: CLINIC.passphrase }

type Final =
  | { rid: string; op: 'administer' | 'count'; ok: true; seq: number; hash: string; drawn_ml?: number; replayed: boolean }
  | { rid: string; op: 'administer' | 'count'; ok: false; code: string; drawn_ml?: number }
const finals: Final[] = []
const problems: string[] = []
const tally = { calls: 0, kills: 0, busy: 0, tipMoved: 0, replayed: 0 }

/** Runs a command until it has a final answer: retried with the same arguments after a kill or exit 4. */
async function settle(rid: string, args: readonly string[], rnd: ReturnType<typeof seededRandom>, mayKill: boolean, mustKill = false): Promise<CliRun | null> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const kill = mayKill && attempt === 0 && (mustKill || rnd.next() < KILL_RATE)
    const r = await runCli(args, { env, ...(kill ? { killAfterMs: rnd.int(150, 900) } : {}) })
    tally.calls++
    if (r.signal === 'SIGKILL') { tally.kills++; continue }
    const trace = stackTraceIn(r.stderr + r.stdout)
    if (trace) { problems.push(`${rid}: stack trace: ${trace}`); return null }
    if (r.code === 4) {
      const code = r.json?.error?.code
      if (code === 'BUSY') tally.busy++
      else if (code === 'TIP_MOVED') { tally.tipMoved++; return r }
      continue
    }
    return r
  }
  problems.push(`${rid}: no final answer after 30 attempts`)
  return null
}

async function nurse(w: number): Promise<void> {
  const rnd = seededRandom(RUN_SEED + w)
  for (let k = 0; k < OPS; k++) {
    const rid = `n${w}-${k}`
    const drawn = DRAWS[(k + w) % DRAWS.length]!
    const r = await settle(rid, ['administer', '--container', clinic.containers[0]!, '--dose', `${drawn}mL`, '--patient', `P-${rid}`, '--by', `nurse${w}`, '--request-id', rid, '--json'], rnd, true, w === 1 && k === 0) // at least one kill per run
    if (!r) continue
    if (r.code === 0 && r.json?.ok) {
      const d = r.json.data!
      if (d.replayed) tally.replayed++
      finals.push({ rid, op: 'administer', ok: true, seq: d.seq as number, hash: d.hash as string, drawn_ml: drawn, replayed: d.replayed === true })
    } else if (r.code === 3 && r.json?.error) finals.push({ rid, op: 'administer', ok: false, code: r.json.error.code, drawn_ml: drawn })
    else problems.push(`${rid}: exit ${String(r.code)}: ${r.stdout.slice(0, 300)}`)
  }
}

/** The fifth workstation: reads the book at a position, counts exactly that, submits against that position. */
async function counter(): Promise<void> {
  const rnd = seededRandom(RUN_SEED + 99)
  for (let k = 0; k < COUNTS; k++) {
    const rid = `count-${k}`
    let done = false
    for (let attempt = 0; attempt < 60 && !done; attempt++) {
      const store = await openSqliteStore(file, { readonly: true })
      const seq = (await store.read().head())!.seq
      await store.close()
      const b = await runCli(['balance', '--location', CLINIC.location, '--as-of', String(seq), '--json'], { env })
      tally.calls++
      if (b.code !== 0 || !b.json?.ok) { problems.push(`${rid}: balance exit ${String(b.code)}: ${b.stdout.slice(0, 200)}`); return }
      const rows = b.json.data as unknown as Array<{ lot: string; sealed: number; open: Array<{ container: string; remaining_mL: string }> }>
      const items = rows.flatMap((row) => [`${row.lot}=${row.sealed}`, ...row.open.map((o) => `${o.container}=${o.remaining_mL}mL`)])
      const r = await settle(rid, ['count', '--location', CLINIC.location, '--by', 'nurse1', '--witness', 'nurse2', '--based-on', String(seq), ...items.flatMap((i) => ['--item', i]), '--request-id', rid, '--json'], rnd, true)
      if (!r) return
      if (r.code === 4) { await new Promise((res) => setTimeout(res, rnd.int(0, 300))); continue } // the book moved: count again
      if (r.code === 0 && r.json?.ok) {
        finals.push({ rid, op: 'count', ok: true, seq: r.json.data!.seq as number, hash: r.json.data!.hash as string, replayed: r.json.data!.replayed === true })
        done = true
      } else {
        problems.push(`${rid}: count exit ${String(r.code)}: ${r.stdout.slice(0, 400)}`)
        return
      }
    }
    if (!done) problems.push(`${rid}: never counted (the book kept moving)`)
  }
}

beforeAll(async () => {
  clinic = await prepareClinic(file, { nurses: NURSES, sealed: 3, openContainers: 1 })
  await Promise.all([...Array.from({ length: NURSES }, (_, i) => nurse(i + 1)), counter()])
}, FULL ? 1_800_000 : 120_000)
afterAll(() => tmp.remove())

describe(`${NURSES} nurses and a counter running bin/csledger at once (${OPS} doses each, kills and retries)`, () => {
  it('given the rush, then every command got a final answer and none crashed', () => {
    expect(problems).toEqual([])
    expect(finals.filter((f) => f.op === 'administer')).toHaveLength(NURSES * OPS)
    expect(finals.filter((f) => f.op === 'count' && f.ok)).toHaveLength(COUNTS)
    for (const f of finals) if (!f.ok) expect(['DRAW_EXCEEDS_CONTAINER', 'CONTAINER_EMPTY', 'UNKNOWN_CONTAINER'], `${f.rid}: ${f.code}`).toContain(f.code)
  })

  it('given the rush, then the file holds one verified chain with each request id at most once: exactly the acknowledged entries, none of the refused', async () => {
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      const rows: Array<{ seq: number; hash: string; rid: string | null }> = []
      for await (const r of store.entryRows({ fromSeq: clinic.setupHead + 1 })) rows.push({ seq: r.seq, hash: r.hash, rid: r.request_id })
      const rids = rows.map((r) => r.rid)
      expect(new Set(rids).size).toBe(rids.length)
      const acked = finals.filter((f): f is Extract<Final, { ok: true }> => f.ok).map((f) => ({ seq: f.seq, hash: f.hash, rid: f.rid })).sort((a, b) => a.seq - b.seq)
      expect(rows).toEqual(acked)
      for (const f of finals) if (!f.ok) expect(rids).not.toContain(f.rid)
    } finally {
      await store.close()
    }
  })

  it('given the rush, then no balance was ever negative, the container lost exactly the acknowledged draws, and every count agreed with the book it was compared against', async () => {
    const store = await openSqliteStore(file, { readonly: true })
    try {
      const negative = (store.database.prepare('SELECT kind, key, seq, value FROM projection_history').all() as Array<{ kind: string; key: string; seq: number; value: string }>)
        .filter((r) => /"(remaining_ml|sealed|received|drawn_ml|given_ml|wasted_ml)":"?-/.test(r.value))
      expect(negative).toEqual([])
      const container = (await store.read().get('container', clinic.containers[0]!))!
      const drawnHundredths = finals.filter((f) => f.op === 'administer' && f.ok).reduce((s, f) => s + Math.round(f.drawn_ml! * 100), 0)
      expect(Math.round(Number(container.remaining_ml) * 100)).toBe(1000 - drawnHundredths)
      const refusedDraws = finals.filter((f) => f.op === 'administer' && !f.ok)
      for (const f of refusedDraws) expect(Math.round(f.drawn_ml! * 100), `${f.rid} was refused`).toBeGreaterThan(Math.round(Number(container.remaining_ml) * 100))
      for (const f of finals.filter((x) => x.op === 'count' && x.ok)) {
        const e = await store.read().entry((f as { seq: number }).seq)
        expect((e!.data as CountData).discrepancies, `count ${f.rid}`).toEqual([])
      }
      console.log(`cli concurrency: seed ${RUN_SEED}, ${tally.calls} csledger runs, ${tally.kills} killed and retried, ${tally.busy} BUSY retried, ${tally.tipMoved} counts re-taken after TIP_MOVED, ` +
        `${tally.replayed} retries answered with the entry a killed run had committed; ${finals.filter((f) => f.ok).length} entries, ${refusedDraws.length} draws refused; container left ${container.remaining_ml} mL`)
    } finally {
      await store.close()
    }
  })
})
