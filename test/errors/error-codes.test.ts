import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { envelope } from '../support/cli.ts'
import { type ClinicFacts, LedgerDir } from '../support/clinic.ts'
import { sharedClinic } from '../support/shared-clinic.ts'
import { REPRODUCERS, type ReproContext } from './reproducers.ts'

// Each spawn of bin/csledger is a real process; on a busy 2-core machine a sequence of them
// (and the shared fixture, built once per run) can take minutes, so the bounds are generous.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

/**
 * Runs every reproducer against the real bin/csledger and checks that the error comes out as
 * promised: the exit code of its category, and the code, message and hint in the form its
 * mode gives (one --json document; or the house text format on stderr, or on a terminal).
 */
describe('every error code csledger can print today, reproduced', () => {
  let template: LedgerDir
  let facts: ClinicFacts
  const made: LedgerDir[] = []
  beforeAll(async () => { ({ template, facts } = await sharedClinic()) })
  afterAll(async () => { await Promise.all(made.map((l) => l.remove())) })
  const ctx = (): ReproContext => ({
    get facts() { return facts },
    clinic: async () => { const l = await template.copy(); made.push(l); return l },
    empty: async () => { const l = await LedgerDir.empty(); made.push(l); return l },
  })

  test.concurrent.each(REPRODUCERS.map((r) => [`${r.code} (exit ${r.exit}): ${r.how}`, r] as const))('%s', async (_name, r) => {
    const run = await r.run(ctx())
    const shown = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`
    expect(run.code, shown).toBe(r.exit)
    if (r.mode === 'json') {
      const doc = envelope(run)
      if (doc.ok) throw new Error(`expected a failure, got ${run.stdout}`)
      expect(Object.keys(doc.error).filter((k) => k !== 'details').sort(), shown).toEqual(['code', 'hint', 'message'])
      expect(doc.error.code, shown).toBe(r.code)
      expect(doc.error.message.length, shown).toBeGreaterThan(0)
      expect(doc.error.hint.length, shown).toBeGreaterThan(0)
      expect(run.stderr, shown).toBe('')
    } else {
      const text = r.mode === 'text' ? run.stderr : run.stderr.slice(run.stderr.indexOf('csledger: error['))
      if (r.mode === 'text') expect(run.stdout, shown).toBe('')
      expect(text, shown).toMatch(new RegExp(`^csledger: error\\[${r.code}\\]: \\S.*\\n(  .*\\n)*hint: \\S.*\\n`))
    }
  })
})
