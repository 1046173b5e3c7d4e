import type { Ledger, WriteOptions } from '../ledger.ts'
import type { Principal } from '../rules/common.ts'
import type { AppendResult } from '../store/append-entry.ts'
import type { Clock } from '../store/ports.ts'

/**
 * A tiny line language for ledger fixtures, so a test's "given" reads like the clinic's book:
 *
 * ```
 * receive     KET-50 lot=K2417A containers=2
 * open        KET-50 lot=K2417A
 * administer  C-0001 dose=35mg drawn=0.8mL patient=P-1042        as=dose
 * waste       dose=$dose amount=5mg witness=rdiaz                 as=waste
 * cosign      $waste by=drlee
 * ```
 *
 * Each line is `verb positional... key=value...`; values with spaces go in double quotes; `$label`
 * is the seq of an earlier line tagged `as=label`; `request=` and `tip=` become write options.
 * A line starting with `#` is a comment. Unknown keys are refused, so a typo cannot silently drop
 * a field from a fixture.
 */
export interface ScriptStep {
  /** The line as written, for failure messages. */
  readonly line: string
  run(env: ScriptEnv): Promise<AppendResult | undefined>
}

/** What a script line runs against. */
export interface ScriptEnv {
  readonly ledger: Ledger
  readonly clock: Clock & { set(iso: string): void }
  /** seq of every entry appended by a line tagged `as=label`. */
  readonly labels: Map<string, number>
}

/** Passphrase of every fixture user (long enough for MIN_PASSPHRASE_LENGTH). */
export const FIXTURE_PASSPHRASE = 'correct horse battery staple'
/** Ledger id of every fixture ledger. */
export const FIXTURE_LEDGER_ID = '3f0c9a52-7d1e-4c4b-9a38-5b2d6e1f0a11'

type Args = { readonly pos: readonly string[]; readonly kv: Map<string, string>; readonly env: ScriptEnv }
/** Reads its arguments now (so unknown keys are refused before anything is written) and returns the write. */
type Verb = (a: Args) => () => Promise<AppendResult | undefined>

const TOKEN_RE = /([A-Za-z_]+)=(?:"([^"]*)"|(\S*))|"([^"]*)"|(\S+)/g

/**
 * Parses fixture lines (template literal: interpolated values are inserted as text).
 *
 * @example
 * const steps = ledger`
 *   receive KET-50 lot=K2417A containers=2
 *   open    KET-50 lot=K2417A
 * `
 */
export function ledger(strings: TemplateStringsArray | string, ...values: unknown[]): ScriptStep[] {
  const text = typeof strings === 'string' ? strings : strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '')
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map(parseLine)
}

/** Parses one fixture line into a step. */
export function parseLine(line: string): ScriptStep {
  const pos: string[] = []
  const kv = new Map<string, string>()
  let verbName: string | undefined
  for (const m of line.matchAll(TOKEN_RE)) {
    const [, key, quotedValue, plainValue, quoted, bare] = m
    if (key !== undefined && verbName !== undefined) {
      if (kv.has(key)) throw new Error(`fixture line "${line}": ${key}= given twice`)
      kv.set(key, quotedValue ?? plainValue ?? '')
    } else if (verbName === undefined) verbName = bare ?? key
    else pos.push(quoted ?? bare ?? '')
  }
  const verb = verbName !== undefined ? VERBS[verbName] : undefined
  if (!verbName || !verb) throw new Error(`fixture line "${line}": unknown verb ${verbName ?? '(none)'}; known: ${Object.keys(VERBS).join(', ')}`)
  return {
    line,
    async run(env) {
      const args = new Map([...kv].map(([k, v]) => [k, resolve(v, env, line)]))
      const label = take(args, 'as')
      const write = verb({ pos: pos.map((p) => resolve(p, env, line)), kv: args, env })
      if (args.size > 0) throw new Error(`fixture line "${line}": unknown key(s) ${[...args.keys()].join(', ')} for ${verbName}`)
      const result = await write()
      if (label !== undefined) {
        if (!result) throw new Error(`fixture line "${line}": as= needs a line that appends an entry`)
        env.labels.set(label, result.stored.entry.seq)
      }
      return result
    },
  }
}

function resolve(value: string, env: ScriptEnv, line: string): string {
  if (!value.startsWith('$')) return value
  const seq = env.labels.get(value.slice(1))
  if (seq === undefined) throw new Error(`fixture line "${line}": no earlier line is tagged as=${value.slice(1)}`)
  return String(seq)
}

function take(kv: Map<string, string>, key: string): string | undefined
function take(kv: Map<string, string>, key: string, fallback: string): string
function take(kv: Map<string, string>, key: string, fallback?: string): string | undefined {
  const v = kv.get(key)
  kv.delete(key)
  return v ?? fallback
}

function who(kv: Map<string, string>, key: string, fallback?: string): Principal | undefined {
  const u = take(kv, key) ?? fallback
  return u === undefined ? undefined : { username: u }
}

function writeOptions(kv: Map<string, string>): WriteOptions {
  const requestId = take(kv, 'request')
  const tip = take(kv, 'tip')
  return { ...(requestId !== undefined ? { requestId } : {}), ...(tip !== undefined ? { expectedTipSeq: Number(tip) } : {}) }
}

function at(kv: Map<string, string>): { at?: string } {
  const v = take(kv, 'at')
  return v === undefined ? {} : { at: v }
}

function positional(a: Args, i: number, what: string): string {
  const v = a.pos[i]
  if (v === undefined) throw new Error(`fixture: ${what} is missing (positional ${i + 1})`)
  return v
}

/** The PIC of the fixture clinic, who does the administrative steps unless `by=` says otherwise. */
const PIC = 'pkim'
/** The nurse who does the clinical steps unless `by=` says otherwise. */
const NURSE = 'nlopez'
/** The physician who co-signs unless `by=` says otherwise. */
const PHYSICIAN = 'drlee'

const VERBS: Record<string, Verb> = {
  init(a) {
    const deaOverride = take(a.kv, 'dea_override')
    const cmd = {
      registrant: positional(a, 0, 'registrant name'),
      address: take(a.kv, 'address', '1 Main St, Springfield, IL 62701'),
      dea: take(a.kv, 'dea', 'BJ6125341'),
      ...(deaOverride !== undefined ? { deaOverride } : {}),
      admin: take(a.kv, 'admin', PIC),
      adminName: take(a.kv, 'admin_name', 'Pat Kim'),
      passphrase: take(a.kv, 'passphrase', FIXTURE_PASSPHRASE),
      ledgerId: take(a.kv, 'ledger', FIXTURE_LEDGER_ID),
    }
    return () => a.env.ledger.init(cmd)
  },
  user(a) {
    const cmd = {
      username: positional(a, 0, 'username'), role: positional(a, 1, 'role'), name: positional(a, 2, 'name'),
      passphrase: take(a.kv, 'passphrase', FIXTURE_PASSPHRASE), by: who(a.kv, 'by', PIC)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.addUser(cmd, opts)
  },
  deactivate(a) {
    const reason = take(a.kv, 'reason')
    const cmd = { username: positional(a, 0, 'username'), ...(reason !== undefined ? { reason } : {}), by: who(a.kv, 'by', PIC)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.deactivateUser(cmd, opts)
  },
  location(a) {
    const cmd = { code: positional(a, 0, 'code'), name: positional(a, 1, 'name'), by: who(a.kv, 'by', PIC)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.addLocation(cmd, opts)
  },
  product(a) {
    const cmd = {
      code: positional(a, 0, 'code'), drug: positional(a, 1, 'drug'), concentration: positional(a, 2, 'concentration'),
      volume: positional(a, 3, 'volume'), doseForm: positional(a, 4, 'dose form'), ndc: take(a.kv, 'ndc', ''), by: who(a.kv, 'by', PIC)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.addProduct(cmd, opts)
  },
  inventory(a) {
    // `inventory initial|biennial [at=opening|close] [witness=…] [by=…]`: a zero inventory unless items are given.
    const type = positional(a, 0, 'kind')
    const when = take(a.kv, 'at', 'opening')
    const witness = who(a.kv, 'witness', NURSE)
    const by = who(a.kv, 'by', PIC)!
    const opts = writeOptions(a.kv)
    return async () => a.env.ledger.inventory({ type, at: when, basedOnSeq: (await a.env.ledger.store.read().head())?.seq ?? 0, items: [], by, ...(witness ? { witness } : {}) }, opts)
  },
  receive(a) {
    const supplierDeaOverride = take(a.kv, 'dea_override')
    const cmd = {
      product: positional(a, 0, 'product'), lot: take(a.kv, 'lot', ''), expires: take(a.kv, 'expires', '2027-06-30'),
      containers: take(a.kv, 'containers', '1'), location: take(a.kv, 'location', 'SAFE-1'),
      supplier: take(a.kv, 'supplier', 'Cardinal Health 110'), supplierAddress: take(a.kv, 'supplier_address', '7000 Cardinal Pl, Dublin, OH 43017'),
      supplierDea: take(a.kv, 'supplier_dea', 'PS1234563'), ...(supplierDeaOverride !== undefined ? { supplierDeaOverride } : {}),
      invoice: take(a.kv, 'invoice', 'INV-1001'), ...at(a.kv), by: who(a.kv, 'by', NURSE)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.receive(cmd, opts)
  },
  open(a) {
    const cmd = { product: positional(a, 0, 'product'), lot: take(a.kv, 'lot', ''), location: take(a.kv, 'location', 'SAFE-1'), ...at(a.kv), by: who(a.kv, 'by', NURSE)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.open(cmd, opts)
  },
  administer(a) {
    const drawn = take(a.kv, 'drawn')
    const prescriber = take(a.kv, 'prescriber')
    const cmd = {
      container: positional(a, 0, 'container'), dose: take(a.kv, 'dose', ''), patient: take(a.kv, 'patient', 'P-1042'),
      ...(drawn !== undefined ? { drawn } : {}), ...(prescriber !== undefined ? { prescriber } : {}), ...at(a.kv), by: who(a.kv, 'by', NURSE)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.administer(cmd, opts)
  },
  waste(a) {
    const container = take(a.kv, 'container')
    const dose = take(a.kv, 'dose')
    const witness = who(a.kv, 'witness')
    const cmd = {
      ...(container !== undefined ? { container } : {}), ...(dose !== undefined ? { administration: Number(dose) } : {}),
      amount: take(a.kv, 'amount', ''), reason: take(a.kv, 'reason', 'drawn, not given'), ...(witness ? { witness } : {}), ...at(a.kv), by: who(a.kv, 'by', NURSE)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.waste(cmd, opts)
  },
  cosign(a) {
    const cmd = { waste: Number(positional(a, 0, 'waste seq')), ...at(a.kv), by: who(a.kv, 'by', PHYSICIAN)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.cosign(cmd, opts)
  },
  transfer(a) {
    const cmd = {
      product: positional(a, 0, 'product'), lot: take(a.kv, 'lot', ''), containers: take(a.kv, 'containers', '1'),
      from: take(a.kv, 'from', 'SAFE-1'), to: take(a.kv, 'to', 'LOCKBOX-2'), ...at(a.kv), by: who(a.kv, 'by', NURSE)!,
    }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.transfer(cmd, opts)
  },
  void(a) {
    const witness = who(a.kv, 'witness')
    const cmd = { seq: Number(positional(a, 0, 'seq')), reason: take(a.kv, 'reason', ''), ...(witness ? { witness } : {}), by: who(a.kv, 'by', NURSE)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.correct(cmd, opts)
  },
  amend(a) {
    const witness = who(a.kv, 'witness')
    const amend: Record<string, string> = {}
    for (const k of AMENDABLE) {
      const v = take(a.kv, k)
      if (v !== undefined) amend[k] = v
    }
    const cmd = { seq: Number(positional(a, 0, 'seq')), reason: take(a.kv, 'reason', ''), amend, ...(witness ? { witness } : {}), by: who(a.kv, 'by', NURSE)! }
    const opts = writeOptions(a.kv)
    return () => a.env.ledger.correct(cmd, opts)
  },
  clock(a) {
    const time = positional(a, 0, 'time')
    return async () => {
      a.env.clock.set(time)
      return undefined
    }
  },
}

const AMENDABLE = ['dose', 'drawn', 'patient', 'prescriber', 'amount', 'containers', 'invoice'] as const
