import { expect } from 'vitest'
import { hashEntry } from '../chain/hash-entry.ts'
import { LedgerError } from '../errors.ts'
import { Ledger } from '../ledger.ts'
import type { Entry } from '../model/entry.ts'
import type { AppendResult } from '../store/append-entry.ts'
import { createInMemoryLedgerStore } from '../store/in-memory-ledger-store.ts'
import type { ChainHead, LedgerStore } from '../store/ledger-store.ts'
import { fixedClock } from '../store/ports.ts'
import { verifyLedger } from '../verify-ledger.ts'
import { type ScriptEnv, type ScriptStep, ledger, parseLine } from './clinic-script.ts'

/** When every fixture ledger starts: a Thursday afternoon at the clinic (UTC). */
export const FIXTURE_NOW = '2026-11-26T15:00:00.000Z'
/**
 * A cheap scrypt cost for fixtures: about 0.5 ms per passphrase here, against ~13 ms for N=1024 r=8
 * and tens of ms for the real default. Every case builds a ledger with six users, so it adds up.
 */
export const FIXTURE_KDF = { N: 1024, r: 1, p: 1 } as const

/**
 * The Springfield Ketamine Clinic, as the PIC set it up: six people, a safe and a lockbox, two
 * multi-dose products and the zero initial inventory that must precede the first receipt. Seq 1-11. Tests that need stock receive it themselves, so every quantity a
 * test asserts is visible in the test.
 */
export const SPRINGFIELD_CLINIC: readonly ScriptStep[] = ledger`
  init      "Springfield Ketamine Clinic" dea=BJ6125341 admin=pkim admin_name="Pat Kim"
  user      nlopez  nurse      "Nora Lopez"
  user      rdiaz   nurse      "Rosa Diaz"
  user      drlee   physician  "Dana Lee"
  user      drpatel physician  "Raj Patel"
  user      aford   auditor    "Alex Ford"
  location  SAFE-1    "Main safe"
  location  LOCKBOX-2 "Procedure room lockbox"
  product   KET-50 ketamine  50mg/mL 10mL multi-dose ndc=68083-162-10
  product   MDZ-1  midazolam 1mg/mL  10mL multi-dose ndc=0409-2587-05
  inventory initial at=opening witness=nlopez
`

/** A ledger built from fixture steps, with what a test needs to look inside it. */
export interface Clinic extends ScriptEnv {
  readonly store: LedgerStore
  readonly clock: ReturnType<typeof fixedClock>
  /** The seq of the entry a fixture line tagged `as=label`. */
  seq(label: string): number
  /** Runs more fixture lines (or one) and returns the last write's result. */
  run(lines: string | readonly ScriptStep[]): Promise<AppendResult | undefined>
  head(): Promise<ChainHead | null>
  /** The stored entry at `seq`. */
  entry(seq: number): Promise<Entry>
}

/** What the "when" does: one fixture line, or a function of the clinic that makes one write. */
export type Action = string | ((clinic: Clinic) => Promise<AppendResult>)

/** A constructor of a LedgerError subclass (InputError, RuleViolation, AuthError, ...). */
export type ErrorClass = abstract new (...args: never[]) => LedgerError

/** An object whose fields, at any depth, may be left out: what `thenEntry` matches. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T

/**
 * Given/when/then for ledger rules (Emmett's DeciderSpecification): a fresh in-memory ledger per
 * case, the given steps appended in order, then one command and its outcome.
 *
 * @example
 * await givenClinic(ledger`
 *   receive KET-50 lot=K2417A containers=1
 *   open    KET-50 lot=K2417A
 * `)
 *   .when('administer C-0001 dose=600mg patient=P-1042')
 *   .thenRejects('DRAW_EXCEEDS_CONTAINER', RuleViolation)
 */
export function givenLedger(...steps: ReadonlyArray<ScriptStep | readonly ScriptStep[] | string>): LedgerSpec {
  return new LedgerSpec(steps.flatMap((s) => (typeof s === 'string' ? ledger(s) : Array.isArray(s) ? s : [s as ScriptStep])))
}

/** `givenLedger` that starts from the set-up Springfield Ketamine Clinic (SPRINGFIELD_CLINIC). */
export function givenClinic(...steps: ReadonlyArray<ScriptStep | readonly ScriptStep[] | string>): LedgerSpec {
  return givenLedger(SPRINGFIELD_CLINIC, ...steps)
}

/** The "given" half of a case: the steps, replayed on a new ledger each time a case runs. */
export class LedgerSpec {
  readonly #steps: readonly ScriptStep[]
  constructor(steps: readonly ScriptStep[]) {
    this.#steps = steps
  }

  /** Builds the ledger and appends the given steps (for assertions that are not one write). */
  async build(): Promise<Clinic> {
    const store = createInMemoryLedgerStore()
    const clock = fixedClock(FIXTURE_NOW)
    const labels = new Map<string, number>()
    const ledgerService = new Ledger({ store, clock, kdf: FIXTURE_KDF })
    const clinic: Clinic = {
      ledger: ledgerService, store, clock, labels,
      seq(label) {
        const seq = labels.get(label)
        if (seq === undefined) throw new Error(`no given step is tagged as=${label}`)
        return seq
      },
      async run(lines) {
        let last: AppendResult | undefined
        for (const step of typeof lines === 'string' ? ledger(lines) : lines) last = await runStep(step, clinic)
        return last
      },
      head: () => store.read().head(),
      async entry(seq) {
        const e = await store.read().entry(seq)
        if (!e) throw new Error(`no entry at seq ${seq}`)
        return e
      },
    }
    for (const step of this.#steps) {
      try {
        await runStep(step, clinic)
      } catch (err) {
        const why = err instanceof LedgerError ? `${err.code}: ${err.message}` : String(err instanceof Error ? err.message : err)
        throw new Error(`given step "${step.line}" failed: ${why}`, { cause: err })
      }
    }
    return clinic
  }

  /** The one command under test. */
  when(action: Action): LedgerCase {
    return new LedgerCase(this, action)
  }
}

/** The "then" half: each assertion builds its own ledger, so cases never share state. */
export class LedgerCase {
  readonly #spec: LedgerSpec
  readonly #action: Action
  constructor(spec: LedgerSpec, action: Action) {
    this.#spec = spec
    this.#action = action
  }

  /**
   * The command appends exactly one entry that matches `expected` (a partial entry, matched at any
   * depth), linked to the previous head, hashed as stored, and the whole ledger still verifies.
   */
  async thenEntry(expected: DeepPartial<Entry>): Promise<{ clinic: Clinic; entry: Entry; result: AppendResult }> {
    const clinic = await this.#spec.build()
    const before = await clinic.head()
    const result = await act(this.#action, clinic)
    const { entry } = result.stored
    expect(result.replayed, 'a new entry, not a replayed one').toBe(false)
    expect(entry).toMatchObject(expected)
    expect(entry.seq, 'the next seq').toBe((before?.seq ?? 0) + 1)
    if (before) expect(entry.prev_hash, 'linked to the previous head').toBe(before.hash)
    expect(hashEntry(entry), 'stored bytes and hash are the entry’s').toEqual({ canonical: result.stored.canonical, hash: result.stored.hash })
    expect(await clinic.head(), 'the entry is the new head').toEqual({ seq: entry.seq, hash: result.stored.hash, ledger_id: entry.ledger_id })
    const report = await verifyLedger(clinic.store)
    expect(report.findings, 'the ledger verifies after the append').toEqual([])
    return { clinic, entry, result }
  }

  /**
   * The command is refused with `code` (and, if given, an error of `errorClass`), and the refusal
   * changed nothing: same head, same projections.
   */
  async thenRejects(code: string, errorClass?: ErrorClass): Promise<{ clinic: Clinic; error: LedgerError }> {
    const clinic = await this.#spec.build()
    const head = await clinic.head()
    const projections = await clinic.store.projectionRows()
    let error: unknown
    let result: AppendResult | undefined
    try {
      result = await act(this.#action, clinic)
    } catch (err) {
      error = err
    }
    if (error === undefined) {
      throw new Error(`expected the command to be refused with ${code}, but it appended entry ${result?.stored.entry.seq} (${result?.stored.entry.kind})`)
    }
    if (!(error instanceof LedgerError)) throw error
    expect({ code: error.code, message: error.message }).toMatchObject({ code })
    if (errorClass) expect(error, `a ${errorClass.name}`).toBeInstanceOf(errorClass)
    expect(await clinic.head(), 'the refusal left the chain unchanged').toEqual(head)
    expect(await clinic.store.projectionRows(), 'the refusal left the projections unchanged').toEqual(projections)
    return { clinic, error }
  }
}

async function act(action: Action, clinic: Clinic): Promise<AppendResult> {
  if (typeof action === 'function') return action(clinic)
  const result = await runStep(parseLine(action.trim()), clinic)
  if (!result) throw new Error(`"${action}" appends nothing; a "when" must be one write`)
  return result
}

async function runStep(step: ScriptStep, clinic: Clinic): Promise<AppendResult | undefined> {
  return step.run(clinic)
}
