import fc from 'fast-check'
import {
  type AppendResult, type ContainerState, type DoseState, type Entry, type Ledger, type LedgerStore, type Principal,
  InputError, RuleViolation,
} from '@csledger/ledger-core'
import { SAMPLE_PASSPHRASE } from './build-sample-ledger.ts'

/**
 * Random operation sequences for the property suites: what a clinic does (receive, open, draw a
 * dose, waste, transfer, void, amend, co-sign, count), chosen by index into whatever exists at the
 * time, so most are valid and some are refused by a rule. `applyOp` runs one against a Ledger;
 * `foldEntries` recomputes the stock from the entries alone, independently of the projections.
 */
export type Op =
  | { readonly t: 'receive'; readonly lot: number; readonly loc: number; readonly n: number }
  | { readonly t: 'open'; readonly lot: number; readonly loc: number }
  | { readonly t: 'administer'; readonly c: number; readonly givenTenths: number; readonly extraTenths: number; readonly by: number }
  | { readonly t: 'wasteDose'; readonly d: number; readonly all: boolean; readonly tenths: number }
  | { readonly t: 'wasteContainer'; readonly c: number; readonly tenths: number }
  | { readonly t: 'transfer'; readonly lot: number; readonly from: number; readonly n: number }
  | { readonly t: 'void'; readonly e: number }
  | { readonly t: 'amendDose'; readonly d: number; readonly givenTenths: number }
  | { readonly t: 'cosign'; readonly w: number }
  | { readonly t: 'count'; readonly loc: number }

export const LOTS = [
  { product: 'KET-50', lot: 'K1', expires: '2030-01-31' },
  { product: 'MID-5', lot: 'M1', expires: '2030-06-30' },
] as const
export const LOCATIONS = ['SAFE-1', 'BOX-2'] as const

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('receive' as const), lot: fc.nat(1), loc: fc.nat(1), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('open' as const), lot: fc.nat(1), loc: fc.nat(1) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('administer' as const), c: fc.nat(50), givenTenths: fc.integer({ min: 1, max: 40 }), extraTenths: fc.integer({ min: 0, max: 5 }), by: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('wasteDose' as const), d: fc.nat(50), all: fc.boolean(), tenths: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('wasteContainer' as const), c: fc.nat(50), tenths: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('transfer' as const), lot: fc.nat(1), from: fc.nat(1), n: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('void' as const), e: fc.nat(200) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('amendDose' as const), d: fc.nat(50), givenTenths: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cosign' as const), w: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('count' as const), loc: fc.nat(1) }) },
)

/** The people of the property ledgers. */
export interface Staff { readonly pic: Principal; readonly nurses: readonly [Principal, Principal]; readonly doc: Principal }

/**
 * Writes the starting clinic: registrant, a PIC, two nurses, a physician, two locations, ketamine
 * and midazolam, a zero initial inventory, 3 vials of each lot received into the safe and one of each open.
 */
export async function seedClinic(L: Ledger, ledgerId: string): Promise<Staff> {
  const pass = SAMPLE_PASSPHRASE
  await L.init({ registrant: 'Property Clinic', address: '4 Main St, Springfield', dea: 'BJ6125341', admin: 'pic', adminName: 'Pat Pic', passphrase: pass, ledgerId })
  const pic = await L.authenticate('pic', pass)
  await L.addUser({ username: 'nurse', name: 'Nora Nurse', role: 'nurse', passphrase: pass, by: pic })
  await L.addUser({ username: 'nina', name: 'Nina Night', role: 'nurse', passphrase: pass, by: pic })
  await L.addUser({ username: 'doc', name: 'Dana Doc', role: 'physician', passphrase: pass, by: pic })
  for (const code of LOCATIONS) await L.addLocation({ code, name: `Location ${code}`, by: pic })
  await L.addProduct({ code: 'KET-50', drug: 'ketamine', ndc: '67457-108-10', concentration: '50mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  await L.addProduct({ code: 'MID-5', drug: 'midazolam', ndc: '0641-6057-10', concentration: '5mg/mL', volume: '10mL', doseForm: 'multi-dose', by: pic })
  const staff: Staff = { pic, nurses: [await L.authenticate('nurse', pass), await L.authenticate('nina', pass)], doc: await L.authenticate('doc', pass) }
  await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: (await L.store.read().head())!.seq, items: [], by: pic, witness: staff.nurses[0] })
  for (const l of LOTS) await L.receive({ ...l, containers: 3, location: LOCATIONS[0], supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563', invoice: `INV-${l.lot}`, by: pic })
  for (const l of LOTS) await L.open({ product: l.product, lot: l.lot, location: LOCATIONS[0], by: pic })
  return staff
}

/**
 * Exact mL arithmetic without a decimal library: quantities in ten-thousandths of a mL (the
 * ledger's volumes here have at most 4 decimals), printed in the ledger's one spelling.
 */
export const units = (ml: string): number => Math.round(Number(ml) * 10_000)
export function unitsText(u: number): string {
  const sign = u < 0 ? '-' : ''
  const a = Math.abs(u)
  const frac = String(a % 10_000).padStart(4, '0').replace(/0+$/, '')
  return `${sign}${Math.floor(a / 10_000)}${frac ? `.${frac}` : ''}`
}

const SUPPLIER = { supplier: 'Acme Wholesale', supplierAddress: '9 Depot Rd', supplierDea: 'AB1234563' }
const ml = (tenths: number) => `${unitsText(tenths * 1000)}mL`

/** Runs one op; returns the append, or the typed refusal. Anything else thrown is a bug and propagates. */
export async function applyOp(L: Ledger, staff: Staff, op: Op): Promise<{ ok: true; result: AppendResult } | { ok: false; error: RuleViolation | InputError }> {
  const read = L.store.read()
  const containers = [...(await read.list('container'))].sort((a, b) => a.opened_seq - b.opened_seq)
  const doses = [...(await read.list('dose'))].sort((a, b) => a.seq - b.seq)
  const pickC = (i: number): ContainerState | undefined => containers[i % Math.max(1, containers.length)]
  const pickD = (i: number): DoseState | undefined => doses[i % Math.max(1, doses.length)]
  const [nurse, other] = staff.nurses
  try {
    const result = await (async (): Promise<AppendResult | null> => {
      switch (op.t) {
        case 'receive': return L.receive({ ...LOTS[op.lot]!, containers: op.n, location: LOCATIONS[op.loc]!, ...SUPPLIER, invoice: `INV-${op.n}`, by: nurse })
        case 'open': { const l = LOTS[op.lot]!; return L.open({ product: l.product, lot: l.lot, location: LOCATIONS[op.loc]!, by: nurse }) }
        case 'administer': {
          const c = pickC(op.c)
          if (!c) return null
          return L.administer({ container: c.container, dose: ml(op.givenTenths), drawn: ml(op.givenTenths + op.extraTenths), patient: 'P-1042', by: staff.nurses[op.by]! })
        }
        case 'wasteDose': {
          const d = pickD(op.d)
          if (!d) return null
          const left = units(d.drawn_ml) - units(d.given_ml) - units(d.wasted_ml)
          const amount = op.all && left > 0 ? `${unitsText(left)}mL` : ml(op.tenths)
          return L.waste({ administration: d.seq, amount, reason: 'drawn, not given', by: nurse, witness: other })
        }
        case 'wasteContainer': {
          const c = pickC(op.c)
          if (!c) return null
          return L.waste({ container: c.container, amount: ml(op.tenths), reason: 'end of day', by: nurse, witness: other })
        }
        case 'transfer': { const l = LOTS[op.lot]!; return L.transfer({ product: l.product, lot: l.lot, containers: String(op.n), from: LOCATIONS[op.from]!, to: LOCATIONS[1 - op.from]!, by: nurse }) }
        case 'void': {
          // Mostly entries a correction can void; every seventh pick is any entry (usually refused).
          const head = (await read.head())!.seq
          const candidates: number[] = []
          for await (const e of L.log({ kinds: ['receipt', 'container_opening', 'administration', 'waste', 'transfer'] })) candidates.push(e.entry.seq)
          const seq = op.e % 7 === 0 || candidates.length === 0 ? 1 + (op.e % head) : candidates[op.e % candidates.length]!
          return L.correct({ seq, reason: 'recorded in error', witness: other, by: nurse })
        }
        case 'amendDose': {
          const d = pickD(op.d)
          if (!d) return null
          return L.correct({ seq: d.seq, reason: 'dose misread', amend: { dose: ml(op.givenTenths) }, witness: other, by: nurse })
        }
        case 'cosign': {
          const wastes = [...(await read.list('waste'))].sort((a, b) => a.seq - b.seq)
          const w = wastes[op.w % Math.max(1, wastes.length)]
          if (!w) return null
          return L.cosign({ waste: w.seq, by: staff.doc })
        }
        case 'count': {
          const loc = LOCATIONS[op.loc]!
          const at = (await read.head())!.seq
          const { rows } = await L.balance({ location: loc })
          const items = rows.flatMap((r) => [{ ref: `${r.product}:${r.lot}`, value: String(r.sealed) }, ...r.open.map((o) => ({ ref: o.container, value: `${o.remaining_mL}mL` }))])
          return L.count({ location: loc, basedOnSeq: at, items, by: nurse, witness: other })
        }
      }
    })()
    if (result === null) return { ok: false, error: new RuleViolation('NOTHING_TO_PICK', 'nothing of that kind exists yet') }
    return { ok: true, result }
  } catch (err) {
    if (err instanceof RuleViolation || err instanceof InputError) return { ok: false, error: err }
    throw err
  }
}

/** Stock recomputed from the entries alone. */
export interface Fold {
  readonly sealed: Map<string, number>
  /** Remainders in ten-thousandths of a mL. */
  readonly remaining: Map<string, { ml: number; voided: boolean; product: string; lot: string; location: string }>
  /** Dose quantities in ten-thousandths of a mL. */
  readonly doses: Map<number, { drawn: number; given: number; wasted: number; voided: boolean }>
  /** Every value that went below zero along the way (must stay empty). */
  readonly negatives: string[]
}

/**
 * Folds entries (in seq order) into sealed counts, container remainders and doses, following the
 * meaning of each kind in docs/ledger-format.md, with corrections applied from the data they record.
 */
export function foldEntries(entries: readonly Entry[]): Fold {
  const f: Fold = { sealed: new Map(), remaining: new Map(), doses: new Map(), negatives: [] }
  const bySeq = new Map<number, Entry>()
  const effective = new Map<number, Record<string, unknown>>()
  const addSealed = (loc: string, product: string, lot: string, n: number, seq: number) => {
    const k = `${loc}|${product}|${lot}`
    const v = (f.sealed.get(k) ?? 0) + n
    if (v < 0) f.negatives.push(`sealed ${k} = ${v} at #${seq}`)
    f.sealed.set(k, v)
  }
  const addMl = (container: string, delta: number, seq: number) => {
    const c = f.remaining.get(container)!
    c.ml += delta
    if (c.ml < 0) f.negatives.push(`container ${container} = ${unitsText(c.ml)} mL at #${seq}`)
  }
  const apply = (kind: string, d: Record<string, unknown>, seq: number, sign: 1 | -1) => {
    switch (kind) {
      case 'receipt': addSealed(d.location as string, d.product as string, d.lot as string, sign * (d.containers as number), seq); break
      case 'transfer':
        addSealed(d.from as string, d.product as string, d.lot as string, -sign * (d.containers as number), seq)
        addSealed(d.to as string, d.product as string, d.lot as string, sign * (d.containers as number), seq)
        break
      case 'container_opening':
        addSealed(d.location as string, d.product as string, d.lot as string, -sign, seq)
        if (sign === 1) f.remaining.set(d.container as string, { ml: units(d.volume_ml as string), voided: false, product: d.product as string, lot: d.lot as string, location: d.location as string })
        else f.remaining.get(d.container as string)!.voided = true
        break
      case 'administration': {
        addMl(d.container as string, -sign * units(d.drawn_ml as string), seq)
        const prior = f.doses.get(seq)
        f.doses.set(seq, sign === 1
          ? { drawn: units(d.drawn_ml as string), given: units(d.given_ml as string), wasted: prior?.wasted ?? 0, voided: false }
          : { drawn: 0, given: 0, wasted: prior?.wasted ?? 0, voided: true })
        break
      }
      case 'waste':
        if (d.administration === undefined) addMl(d.container as string, -sign * units(d.amount_ml as string), seq)
        else {
          const dose = f.doses.get(d.administration as number)!
          dose.wasted += sign * units(d.amount_ml as string)
          if (dose.wasted < 0) f.negatives.push(`dose ${String(d.administration)} wasted ${unitsText(dose.wasted)} at #${seq}`)
        }
        break
    }
  }
  for (const e of entries) {
    bySeq.set(e.seq, e)
    if (e.kind === 'correction') {
      const c = e.data
      const target = bySeq.get(c.corrects)!
      const before = effective.get(c.corrects) ?? (target.data as unknown as Record<string, unknown>)
      apply(target.kind, before, target.seq, -1)
      if (c.action === 'amend') {
        apply(target.kind, c.amended as Record<string, unknown>, target.seq, 1)
        effective.set(c.corrects, c.amended as Record<string, unknown>)
      }
    } else {
      apply(e.kind, e.data as unknown as Record<string, unknown>, e.seq, 1)
    }
  }
  return f
}

/** Reads every entry of a store in seq order. */
export async function allEntries(store: LedgerStore): Promise<Entry[]> {
  const out: Entry[] = []
  for await (const r of store.entryRows()) out.push(JSON.parse(r.canonical) as Entry)
  return out
}

/** The exported chain as one string (what must stay byte-identical after a refusal). */
export async function exportText(L: Ledger): Promise<string> {
  let s = ''
  for await (const line of L.exportJsonl()) s += line
  return s
}
