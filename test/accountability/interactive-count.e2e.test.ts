// The blind count at a real terminal (tmux): the counter is walked through the sheet and never
// sees an expected value before the count is submitted. Screens are captured at every step.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CSLEDGER, FAKETIME, FRIDAY_4PM, type TestLedger, baseEnv, buildFixture, copyLedger, removeTempDirs, explain, faketimeSpec } from '../support/accountability-cli.ts'
import { TmuxSession, sh } from '../support/accountability-tmux.ts'
import { NURSE, PASSPHRASE, SUPPLIER } from '../support/accountability-world.ts'

/** What the book expects at SAFE-1 in this file's fixture: values that appear nowhere else on screen. */
const LEAK = /expected|6\.35|\b7\b|\b9\b|short|exact/

let fixture: string
beforeAll(async () => {
  // SAFE-1: K2417A 7 sealed, M7788 9 sealed, C-0001 6.35 mL
  fixture = await buildFixture({
    customise: async (w) => {
      w.at('2026-11-27T14:20:00Z')
      await w.ledger.receive({ product: 'KET-50', lot: 'K2417A', expires: '2028-03-31', containers: 4, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-1004', by: NURSE })
      await w.ledger.receive({ product: 'MDZ-5', lot: 'M7788', expires: '2026-12-31', containers: 7, location: 'SAFE-1', ...SUPPLIER, invoice: 'INV-1005', by: NURSE })
    },
  })
})

afterAll(removeTempDirs)

let session: TmuxSession | undefined
afterEach(() => { session?.kill(); session = undefined })

/** Starts `csledger count` for SAFE-1 in a tmux terminal, under faketime like every other run. */
function startCount(L: TestLedger): TmuxSession {
  const env = Object.entries({ ...baseEnv(), CSLEDGER_PASSPHRASE: '', CSLEDGER_WITNESS_PASSPHRASE: '' }).map(([k, v]) => `${k}=${sh(v)}`).join(' ')
  const cmd = `cd ${sh(L.dir)} && env -i ${env} TERM=xterm-256color ${FAKETIME} -f ${sh(faketimeSpec(FRIDAY_4PM))} ${sh(CSLEDGER)} --db ${sh(L.db)} count --location SAFE-1 --by pkim --witness nkim; echo "EXIT=$?"; sleep 120`
  return (session = TmuxSession.start(cmd))
}

/** Answers the three items of the sheet, checking each screen before typing. */
async function countItems(s: TmuxSession): Promise<void> {
  const first = await s.waitFor(/\[1\/3\] KET-50 lot K2417A: sealed containers counted/)
  expect(first).toContain('Blind count of SAFE-1: 3 item(s) to count, in shelf order.')
  expect(first).not.toMatch(LEAK)
  s.typeLine('6')
  expect(await s.waitFor(/\[2\/3\] MDZ-5 lot M7788: sealed containers counted/)).not.toMatch(LEAK)
  s.typeLine('8')
  expect(await s.waitFor(/\[3\/3\] C-0001 \(KET-50 lot K2417A\): mL left in the container/)).not.toMatch(LEAK)
  s.typeLine('5.95')
}

describe('interactive blind count in a terminal', () => {
  it('given a count typed at the prompts, then no expected value is on screen before submission, and after it the differences are shown (exit 1)', async () => {
    const L = copyLedger(fixture)
    const s = startCount(L)
    await countItems(s)
    expect(await s.waitFor(/pkim, passphrase:/)).not.toMatch(LEAK)
    s.typeLine(PASSPHRASE)
    const witness = await s.waitFor(/Witness nkim, passphrase:/)
    expect(witness).not.toMatch(LEAK)
    expect(witness).not.toContain(PASSPHRASE)
    // every screen seen so far, i.e. before the count was submitted
    expect(s.screens.length).toBeGreaterThanOrEqual(5)
    for (const screen of s.screens) expect(screen).not.toMatch(LEAK)

    s.typeLine(PASSPHRASE)
    const done = await s.waitFor(/EXIT=\d+/)
    expect(done).toContain('expected 7 sealed, counted 6 (1 short)')
    expect(done).toContain('expected 9 sealed, counted 8 (1 short)')
    expect(done).toContain('expected 6.35 mL, counted 5.95 mL (0.4 mL short)')
    expect(done).toContain('3 discrepancies opened')
    expect(done).toContain('EXIT=1')
    expect(done).not.toContain(PASSPHRASE)

    const check = await L.run(['discrepancies', '--open', '--json'])
    expect(check.json!.data.map((d: any) => d.difference), explain(check)).toEqual(['-1', '-1', '-0.4'])
  })

  it('given an administration at SAFE-1 recorded by someone else while the count is at the prompts, then the submission is refused with TIP_MOVED (exit 4), never compared against the wrong position', async () => {
    const L = copyLedger(fixture)
    const s = startCount(L)
    await countItems(s)
    await s.waitFor(/pkim, passphrase:/)
    const other = await L.run(['administer', '--container', 'C-0001', '--dose', '10mg', '--patient', 'P-1011', '--by', 'nkim'], { at: '2026-11-27T21:00:05Z' })
    expect(other.code, explain(other)).toBe(0)
    s.typeLine(PASSPHRASE)
    await s.waitFor(/Witness nkim, passphrase:/)
    s.typeLine(PASSPHRASE)
    const done = await s.waitFor(/EXIT=\d+/)
    expect(done).toContain('csledger: error[TIP_MOVED]: the stock counted changed while the count was under way (entries #18)')
    expect(done).toContain('EXIT=4')
    expect(done).not.toMatch(LEAK)
    const check = await L.run(['discrepancies', '--json'])
    expect(check.json!.data).toEqual([])
  })

  it('given an entry at another location while the count is at the prompts, then the count is re-based and recorded against the sheet position', async () => {
    const L = copyLedger(fixture)
    const s = startCount(L)
    await countItems(s)
    await s.waitFor(/pkim, passphrase:/)
    const other = await L.run(['open', '--product', 'KET-50', '--lot', 'K2501B', '--location', 'LOCKBOX-2', '--by', 'nkim'], { at: '2026-11-27T21:00:05Z' })
    expect(other.code, explain(other)).toBe(0)
    s.typeLine(PASSPHRASE)
    await s.waitFor(/Witness nkim, passphrase:/)
    s.typeLine(PASSPHRASE)
    const done = await s.waitFor(/EXIT=\d+/)
    expect(done).toContain('count #19 of SAFE-1 by pkim, witnessed by nkim: 3 item(s), compared with the ledger at #17')
    expect(done).toContain('EXIT=1')
  })
})
