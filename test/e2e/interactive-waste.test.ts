import { beforeAll, describe, expect, test, vi } from 'vitest'
import { type ClinicFacts, type LedgerDir, PEOPLE } from '../support/clinic.ts'
import { useSharedClinic } from '../support/shared-clinic.ts'
import { TmuxCli } from '../support/tmux.ts'

// Each spawn of bin/csledger is a real process; on a busy 2-core machine a sequence of them
// (and the shared fixture, built once per run) can take minutes, so the bounds are generous.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

/**
 * Waste with a witness as it happens at the medication cart: a nurse runs `csledger waste` in a
 * real terminal (tmux), answers the prompts for what the flags leave out, types her passphrase,
 * then hands the keyboard to the witness, who types theirs. Neither passphrase may ever appear
 * on screen, and the entry must be recorded with both names. No tmux means a failed test, not a
 * skipped one (bin/system-deps installs it).
 */
describe('interactive waste with a witness, in a real terminal', () => {
  const shared = useSharedClinic()
  let l: LedgerDir
  let facts: ClinicFacts
  beforeAll(async () => { l = await shared.copy(); facts = shared.facts })

  test('prompts for the missing values and both passphrases (hidden: not even their length shows), records the waste, shows no passphrase', async () => {
    const t = await TmuxCli.start(['waste', '--container', facts.container], { cwd: l.dir, env: { CSLEDGER_DB: l.db } })
    try {
      await t.answer(/Amount wasted \(e\.g\. 5mg or 0\.1mL\):/, '0.4mL')
      await t.answer(/Reason:/, 'end of day remainder')
      await t.answer(/Your username:/, 'nkim')
      await t.answer(/Witness username:/, 'rjones')
      await t.answer(/nkim, passphrase:/, PEOPLE.nkim.passphrase)
      await t.answer(/Witness rjones, passphrase:/, PEOPLE.rjones.passphrase)
      expect(await t.exitCode()).toBe(0)
      const screen = await t.screen()
      expect(screen).toMatch(new RegExp(`recorded waste #${facts.head + 1} \\(nkim, witnessed by rjones\\): wasted 20 mg \\(0\\.4 mL\\) from ${facts.container}: end of day remainder`))
      expect(screen).toMatch(/nkim, passphrase: *\n/)
      expect(screen).not.toMatch(/passphrase: \*/)
      for (const seen of t.screens) {
        expect(seen).not.toContain(PEOPLE.nkim.passphrase)
        expect(seen).not.toContain(PEOPLE.rjones.passphrase)
        expect(seen).not.toContain('copper lantern')
        expect(seen).not.toContain('velvet harbor')
      }
    } finally {
      await t.stop()
    }
    const [entry] = await l.json<Array<{ seq: number; actor: string; witness: string; data: { amount_ml: string; reason: string } }>>(['log', '--seq', String(facts.head + 1)])
    expect(entry).toMatchObject({ seq: facts.head + 1, kind: 'waste', actor: 'nkim', witness: 'rjones', data: { amount_ml: '0.4', amount_mg: '20', container: facts.container, reason: 'end of day remainder' } })
  })

  test('a wrong witness passphrase at the prompt records nothing (exit 77)', async () => {
    const t = await TmuxCli.start(['waste', '--container', facts.container, '--amount', '1mg', '--reason', 'spilled', '--by', 'nkim', '--witness', 'rjones'], { cwd: l.dir, env: { CSLEDGER_DB: l.db } })
    let head: number
    try {
      head = (await l.json<Array<{ seq: number }>>(['log'])).length
      await t.answer(/nkim, passphrase:/, PEOPLE.nkim.passphrase)
      await t.answer(/Witness rjones, passphrase:/, 'not the witness passphrase')
      expect(await t.exitCode()).toBe(77)
      expect(await t.screen()).toMatch(/csledger: error\[BAD_PASSPHRASE\]: wrong passphrase for rjones\nhint: /)
    } finally {
      await t.stop()
    }
    expect((await l.json<unknown[]>(['log'])).length).toBe(head)
  })
})
