import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CountData, Ledger, verifyLedger } from '@csledger/ledger-core'
import { type SqliteLedgerStore, openSqliteStore } from '@csledger/ledger-sqlite'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { CLINIC, prepareClinic } from '../support/reliability-clinic.ts'
import { FULL, RUN_SEED, seededRandom } from '../support/reliability-random.ts'
import { workerEnv } from '../support/reliability-cli.ts'
import type { DuelCommand, DuelOutcome } from './duel-worker.ts'

// Four nurses, each in their own process, reach for the last 0.35 mL of one vial at the same
// moment, while a fifth process submits a count of the safe against the book as it stood just
// before. Round after round, with a fresh vial each time: exactly one draw wins, the others are
// refused by a rule (never by a crash, never by taking the vial below zero), and a count that is
// accepted always matches the book it was compared against (else it is refused TIP_MOVED).

const DRAWERS = 4
const ROUNDS = FULL ? 60 : 5
const LAST = '0.35mL'
const WORKER = join(import.meta.dirname, 'duel-worker.ts')

const tmp = makeTempDir('last-mg')
const file = tmp.file('duel.db')
let store: SqliteLedgerStore
let L: Ledger
const workers: Array<{ child: ChildProcess; lines: Interface; next: () => Promise<DuelOutcome> }> = []
const rounds: Array<{ container: string; draws: DuelOutcome[]; count: DuelOutcome; countItems: number }> = []

function startWorker(username: string): Promise<(typeof workers)[number]> {
  const child = spawn(process.execPath, ['--conditions=@csledger/source', WORKER, file, username], { stdio: ['pipe', 'pipe', 'inherit'], env: workerEnv() })
  const lines = createInterface({ input: child.stdout! })
  const queue: string[] = []
  const waiting: Array<(l: string) => void> = []
  lines.on('line', (l) => { const w = waiting.shift(); if (w) w(l); else queue.push(l) })
  const nextLine = () => new Promise<string>((resolve) => { const l = queue.shift(); if (l !== undefined) resolve(l); else waiting.push(resolve) })
  return nextLine().then((first) => {
    if (first !== 'ready') throw new Error(`worker ${username} said ${first}`)
    return { child, lines, next: async () => JSON.parse(await nextLine()) as DuelOutcome }
  })
}
const send = (w: (typeof workers)[number], cmd: DuelCommand) => w.child.stdin!.write(`${JSON.stringify(cmd)}\n`)

beforeAll(async () => {
  await prepareClinic(file, { nurses: DRAWERS + 1, sealed: ROUNDS })
  store = await openSqliteStore(file)
  L = new Ledger({ store })
  const pic = await L.authenticate('pic', CLINIC.passphrase)
  workers.push(...(await Promise.all(Array.from({ length: DRAWERS + 1 }, (_, i) => startWorker(`nurse${i + 1}`)))))
  const rnd = seededRandom(RUN_SEED + 3)
  for (let r = 0; r < ROUNDS; r++) {
    // A fresh vial drawn down to its last 0.35 mL by the PIC.
    const opened = await L.open({ product: CLINIC.product, lot: CLINIC.lot, location: CLINIC.location, by: pic })
    const container = (opened.stored.entry.data as { container: string }).container
    await L.administer({ container, dose: '9.65mL', patient: `P-setup-${r}`, by: pic })
    // The count sheet: the book at this position, counted exactly.
    const at = (await store.read().head())!.seq
    const { rows } = await L.balance({ location: CLINIC.location })
    const items = rows.flatMap((row) => [{ ref: row.lot, value: String(row.sealed) }, ...row.open.map((o) => ({ ref: o.container, value: `${o.remaining_mL}mL` }))])
    // Everyone at once: the drawers reach for the last millilitres, the counter submits.
    // (in a random order each round, so that sometimes the count reaches the write lock first)
    const commands: Array<() => void> = [
      ...Array.from({ length: DRAWERS }, (_, w) => () => send(workers[w]!, { op: 'draw', rid: `r${r}-n${w + 1}`, container, amount: LAST })),
      () => send(workers[DRAWERS]!, { op: 'count', rid: `r${r}-count`, basedOnSeq: at, items }),
    ]
    for (let i = commands.length - 1; i > 0; i--) { const j = rnd.int(0, i); [commands[i], commands[j]] = [commands[j]!, commands[i]!] }
    for (const c of commands) c()
    const outcomes = await Promise.all(workers.map((w) => w.next()))
    rounds.push({ container, draws: outcomes.slice(0, DRAWERS), count: outcomes[DRAWERS]!, countItems: items.length })
  }
}, FULL ? 600_000 : 120_000)

afterAll(async () => {
  for (const w of workers) { send(w, { op: 'quit' }); w.child.stdin!.end() }
  await Promise.all(workers.map((w) => new Promise((r) => { if (w.child.exitCode !== null) r(null); else w.child.on('exit', r) })))
  await store?.close()
  tmp.remove()
})

describe(`${DRAWERS} nurses drawing the last ${LAST} of a vial at the same moment, with a count submitted meanwhile (${ROUNDS} rounds)`, () => {
  it('given each round, then exactly one draw won and every other was refused by a rule', () => {
    for (const [i, round] of rounds.entries()) {
      const won = round.draws.filter((d) => d.ok)
      expect(won, `round ${i}: ${JSON.stringify(round.draws)}`).toHaveLength(1)
      for (const d of round.draws.filter((x) => !x.ok)) {
        expect(d, `round ${i}`).toMatchObject({ name: 'RuleViolation' })
        expect(['CONTAINER_EMPTY', 'DRAW_EXCEEDS_CONTAINER']).toContain((d as { code: string }).code)
      }
    }
  })

  it('given each round, then the vial ends at exactly 0 mL, and no stored balance of any kind was ever negative', async () => {
    for (const round of rounds) expect((await store.read().get('container', round.container))).toMatchObject({ remaining_ml: '0', status: 'empty' })
    const negative = (store.database.prepare('SELECT kind, key, seq, value FROM projection_history').all() as Array<{ kind: string; key: string; seq: number; value: string }>)
      .filter((r) => /"(remaining_ml|sealed|received|drawn_ml|given_ml|wasted_ml)":"?-/.test(r.value))
    expect(negative).toEqual([])
  })

  it('given each round, then the count was either refused TIP_MOVED (a draw landed first) or accepted with no discrepancy', async () => {
    let accepted = 0
    for (const [i, round] of rounds.entries()) {
      if (round.count.ok) {
        accepted++
        const e = await store.read().entry(round.count.seq)
        expect((e!.data as CountData).discrepancies, `round ${i}`).toEqual([])
        expect((e!.data as CountData).items).toHaveLength(round.countItems)
      } else {
        expect(round.count, `round ${i}`).toMatchObject({ name: 'ConflictError', code: 'TIP_MOVED' })
      }
    }
    console.log(`last milligrams: ${ROUNDS} rounds, ${DRAWERS} drawers and 1 counter per round; ${accepted} counts landed before the winning draw, ${ROUNDS - accepted} were refused TIP_MOVED`)
  })

  it('given all rounds, then the ledger verifies', async () => {
    const report = await verifyLedger(store)
    expect(report.findings).toEqual([])
  })
})
