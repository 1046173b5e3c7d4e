import { createHash } from 'node:crypto'
import {
  canSign, ed25519KeyFromSeed, type AppendResult, type CountData, type CountEntryInput, type EntryKind, InputError, Ledger, type LedgerStore, type Principal,
  type ReconciliationData, fixedClock, stockKey,
} from '@csledger/ledger-core'
import { DEMO_CLINIC, DEMO_LOCATIONS, DEMO_PASSPHRASE, DEMO_PRODUCTS, DEMO_USERS, type DemoUser } from './demo-clinic.ts'
import { type SeededRandom, seededRandom } from './seeded-random.ts'
import { addDays, weekday, zonedTime } from './zoned-time.ts'

/** How much clinic to simulate. */
export interface DemoOptions {
  /** Calendar days simulated, from `start` (Sundays are closed). Default 30; 1 to 4000. */
  readonly days?: number
  /** Seed of the simulation: the same seed, start and days give the same chain. Default 1. */
  readonly seed?: number
  /** First day, YYYY-MM-DD (local date of the clinic). Default 2027-01-04, a Monday. */
  readonly start?: string
  /** Called after each simulated day (for a progress bar). */
  readonly onProgress?: (day: number, days: number) => void
}

/** What the demo built, for the caller to print and to generate the audit packet from. */
export interface DemoSummary {
  readonly ledger_id: string
  readonly timezone: string
  /** The simulated period (local dates, inclusive): the natural audit period. */
  readonly from: string
  readonly to: string
  readonly entries: number
  readonly head: { readonly seq: number; readonly hash: string }
  readonly kinds: Readonly<Record<string, number>>
  readonly users: readonly DemoUser[]
  /** The passphrase of every demo user. */
  readonly passphrase: string
  /** Notable events, one line each (discrepancies, their reconciliation, the correction, the loss, the destruction). */
  readonly story: readonly string[]
}

export const DEMO_DEFAULTS = { days: 30, seed: 1, start: '2027-01-04' } as const

const TZ = DEMO_CLINIC.timezone
const KET = DEMO_PRODUCTS.ketamine
const MDZ = DEMO_PRODUCTS.midazolam
const PAR = { [KET.code]: 4, [MDZ.code]: 12 } as Record<string, number>
const NURSES = DEMO_USERS.filter((u) => u.role === 'nurse').map((u) => u.username)
const PHYSICIANS = DEMO_USERS.filter((u) => u.role === 'physician').map((u) => u.username)

/**
 * Builds a realistic ketamine-clinic ledger in an empty store, through the Ledger API only: a zero
 * initial inventory, weekly receipts, morning transfers to the infusion room, 15-25 infusions a
 * day (ketamine from 10 mL multi-dose vials, midazolam pre-medication from 2 mL single-dose vials),
 * waste with witnesses and physician co-signs (some late, a few missing), blind counts of both
 * locations every evening with an occasional discrepancy and its reconciliation the next morning,
 * one correction, one loss (with its DEA notice and Form 106 filing), one on-site destruction,
 * and a biennial inventory every two years. Time comes from a fixed clock advanced through the
 * days, so the chain is the same for the same options. Each user authenticates once (default
 * scrypt cost) and the principal is reused.
 *
 * @example
 * const store = await openSqliteStore('demo.db', { create: true })
 * const summary = await buildDemoLedger(store, { days: 30 })
 */
export async function buildDemoLedger(store: LedgerStore, options: DemoOptions = {}): Promise<DemoSummary> {
  const days = options.days ?? DEMO_DEFAULTS.days
  if (!Number.isSafeInteger(days) || days < 1 || days > 4000) throw new InputError('INVALID_DAYS', `days must be a whole number from 1 to 4000, not ${String(days)}`, { hint: 'e.g. --days 30' })
  const start = options.start ?? DEMO_DEFAULTS.start
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || addDays(start, 0) !== start) throw new InputError('INVALID_DATE', `start "${start}" is not a date like 2027-01-04`, { hint: 'write the date as YYYY-MM-DD' })
  if (await store.read().head()) throw new InputError('LEDGER_NOT_EMPTY', 'the demo builds a new ledger and this one already has entries', { hint: 'give the demo a new --db path' })
  const seed = options.seed ?? DEMO_DEFAULTS.seed
  const sim = new DemoSimulation(store, seededRandom(seed), start, days, seed)
  await sim.setUp()
  for (let d = 0; d < days; d++) {
    await sim.runDay(d)
    options.onProgress?.(d + 1, days)
  }
  return sim.summary()
}

interface Scheduled { readonly at: string; readonly order: number; readonly run: () => Promise<void> }
type Deviation = { kind: 'unrecorded-dose'; container: string; mg: number; patient: string; prescriber: string; nurse: string; at: string }
  | { kind: 'unrecorded-waste'; container: string; tenths: number }
  | { kind: 'missing-vial'; location: string; product: string; lot: string }

/** The simulation: the book is the ledger; the physical stock is the book plus the deviations the story injects. */
class DemoSimulation {
  readonly #store: LedgerStore
  readonly #rng: SeededRandom
  readonly #start: string
  readonly #days: number
  readonly #clock = fixedClock('2000-01-01T00:00:00Z')
  readonly #L: Ledger
  readonly #who = new Map<string, Principal>()
  readonly #story: string[] = []
  /** Physical minus book: open containers (tenths of mL) and sealed lots (containers). */
  readonly #devMl = new Map<string, number>()
  readonly #devSealed = new Map<string, number>()
  /** Deviations found by a count, awaiting the PIC's reconciliation next morning. */
  #found: Array<{ discrepancy: string; deviation: Deviation; count: number }> = []
  readonly #pendingDeviations: Deviation[] = []
  /** Open ketamine vials in the infusion room, oldest first. */
  #openKet: string[] = []
  /** Lots per product, oldest first (FEFO: they expire in receipt order). */
  readonly #lots = new Map<string, string[]>([[KET.code, []], [MDZ.code, []]])
  #receiptNo = 0
  #lotNo = 0
  #queue: Scheduled[] = []
  #order = 0
  /** Waste entries not yet co-signed, with the day they are to be co-signed (-1: never). */
  #cosignDue: Array<{ seq: number; day: number; actor: string; witness: string }> = []
  #inventoryDay = 0
  readonly #plan: { correction: number; loss: number; destruction: number; lossFiledDay: number | null }

  constructor(store: LedgerStore, rng: SeededRandom, start: string, days: number, seed: number) {
    this.#store = store
    this.#rng = rng
    this.#start = start
    this.#days = days
    // A signed ledger, as the CLI keeps: every user gets a key, every entry is signed, every count
    // is followed by a checkpoint (on stores that keep signatures).
    // Keys come from the seed, so the same options give the same chain (DEMO DATA: never do this for real users).
    const newSigningKey = (username: string) => ed25519KeyFromSeed(createHash('sha256').update(`csledger demo key\u0000${seed}\u0000${username}`).digest())
    this.#L = new Ledger({ store, clock: this.#clock, signing: canSign(store), newSigningKey })
    this.#plan = { correction: this.#openDayAtOrAfter(Math.floor(days * 0.25)), loss: this.#openDayAtOrAfter(Math.floor(days * 0.45)), destruction: this.#openDayAtOrAfter(Math.floor(days * 0.7)), lossFiledDay: null }
  }

  async setUp(): Promise<void> {
    const L = this.#L
    const day = this.#start
    const r = this.#rng
    const hex = (n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('')
    const ledgerId = `${hex(8)}-${hex(4)}-4${hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`
    this.#at(day, '06:30')
    await L.init({ registrant: DEMO_CLINIC.registrant, address: DEMO_CLINIC.address, dea: DEMO_CLINIC.dea, admin: DEMO_CLINIC.admin.username, adminName: DEMO_CLINIC.admin.name, passphrase: DEMO_PASSPHRASE, ledgerId, timezone: TZ })
    const pic = await L.authenticate(DEMO_CLINIC.admin.username, DEMO_PASSPHRASE)
    this.#who.set(pic.username, pic)
    for (const u of DEMO_USERS.filter((x) => x.username !== pic.username)) await L.addUser({ username: u.username, name: u.name, role: u.role, passphrase: DEMO_PASSPHRASE, by: pic })
    // Checking passphrases writes nothing, so the users can authenticate in parallel (scrypt runs off the main thread).
    const others = DEMO_USERS.filter((x) => x.username !== pic.username)
    const principals = await Promise.all(others.map((u) => L.authenticate(u.username, DEMO_PASSPHRASE)))
    for (const p of principals) this.#who.set(p.username, p)
    for (const l of DEMO_LOCATIONS) await L.addLocation({ code: l.code, name: l.name, by: pic })
    for (const p of [KET, MDZ]) await L.addProduct({ code: p.code, drug: p.drug, ndc: p.ndc, concentration: p.concentration, volume: p.volume, doseForm: p.doseForm, by: pic })
    this.#at(day, '06:50')
    // 21 CFR 1304.11(b): nothing on hand yet, so the initial inventory is a zero inventory.
    await L.inventory({ type: 'initial', at: 'opening', basedOnSeq: await this.#head(), items: [], by: pic, witness: this.#p('nmartin') })
    this.#story.push(`${day}: initial inventory (zero: nothing on hand yet), then the first receipt`)
  }

  async runDay(d: number): Promise<void> {
    const date = addDays(this.#start, d)
    if (weekday(date) === 0) return // closed on Sundays
    this.#queue = []
    const last = d === this.#days - 1
    if (d > 0 && d - this.#inventoryDay >= 730 && this.#found.length === 0) this.#schedule(date, '06:55', () => this.#biennialInventory(date, d))
    this.#schedule(date, '07:10', () => this.#reconcileFound(date))
    if (d === 0 || weekday(date) === 1) this.#schedule(date, d === 0 ? '07:05' : '10:00', () => this.#receive(date, d === 0))
    this.#schedule(date, '07:30', () => this.#restock(date, '07:30'))
    const n = this.#rng.int(15, 25)
    const starts = Array.from({ length: n }, () => this.#rng.int(0, 495)).sort((a, b) => a - b)
    const skipDose = !last && d > 1 && d < this.#days - 2 && d !== this.#plan.loss && this.#rng.chance(1 / 14) ? this.#rng.int(3, n - 1) : -1
    starts.forEach((m, i) => this.#schedule(date, hhmm(8 * 60 + m), () => this.#infusion(date, 8 * 60 + m, { unrecorded: i === skipDose, wrongDose: d === this.#plan.correction && i === 0 })))
    if (!last && d > 1 && skipDose < 0 && d !== this.#plan.loss && this.#rng.chance(1 / 16)) this.#schedule(date, '16:35', () => this.#unrecordedWaste(date))
    if (d === this.#plan.loss && !last && d < this.#days - 1) this.#schedule(date, '12:05', () => this.#missingVial(date))
    if (d === this.#plan.destruction) this.#schedule(date, '11:20', () => this.#destroyDroppedVial(date))
    this.#schedule(date, '17:00', () => this.#endOfDayWaste(date))
    this.#schedule(date, '17:20', () => this.#cosignRound(date, d))
    this.#schedule(date, '17:30', () => this.#count(date, 'CART-2'))
    this.#schedule(date, '17:40', () => this.#count(date, 'SAFE-1'))
    while (this.#queue.length > 0) {
      const next = this.#queue.shift()!
      this.#clock.set(next.at)
      await next.run()
    }
  }

  async summary(): Promise<DemoSummary> {
    const kinds: Record<string, number> = {}
    let head = { seq: 0, hash: '' }
    let ledgerId = ''
    for await (const row of this.#store.entryRows()) {
      kinds[row.kind] = (kinds[row.kind] ?? 0) + 1
      head = { seq: row.seq, hash: row.hash }
      ledgerId = row.ledger_id
    }
    return {
      ledger_id: ledgerId, timezone: TZ, from: this.#start, to: addDays(this.#start, this.#days - 1), entries: head.seq, head,
      kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1))) as Record<EntryKind, number>,
      users: DEMO_USERS, passphrase: DEMO_PASSPHRASE, story: [...this.#story],
    }
  }

  // ---- the day's events ----

  async #receive(date: string, first: boolean): Promise<void> {
    const pic = this.#p('pkim')
    const nurse = this.#p(this.#rng.pick(NURSES))
    const invoice = `INV-${date.slice(0, 4)}-${String(++this.#receiptNo).padStart(4, '0')}`
    for (const [p, target, pack] of [[KET, 24, 5], [MDZ, 60, 25]] as const) {
      // Order up to a target stock, in whole cartons, so stock stays fresh however long the demo runs.
      const onHand = first ? 0 : (await this.#sealedTotal('SAFE-1', p.code)) + (await this.#sealedTotal('CART-2', p.code))
      const containers = first ? (p.code === KET.code ? 20 : 50) : Math.ceil(Math.max(0, target - onHand) / pack) * pack
      if (containers === 0) continue
      const lot = `${p.code === KET.code ? 'K' : 'M'}${date.slice(2, 4)}${String(++this.#lotNo).padStart(3, '0')}`
      const expires = endOfMonth(addDays(date, 540))
      await this.#L.receive({ product: p.code, lot, expires, containers, location: 'SAFE-1', supplier: DEMO_CLINIC.supplier.name, supplierAddress: DEMO_CLINIC.supplier.address, supplierDea: DEMO_CLINIC.supplier.dea, invoice, by: first ? pic : nurse })
      this.#lots.get(p.code)!.push(lot)
    }
  }

  /** Brings the infusion room up to par from the main safe, oldest lots first. */
  async #restock(date: string, time: string, only?: string): Promise<void> {
    const by = this.#p(this.#rng.pick(NURSES))
    for (const p of [KET, MDZ]) {
      if (only && p.code !== only) continue
      if (!only) await this.#dropUsedUpLots(p.code)
      let need = (only ? 1 : PAR[p.code]!) - (await this.#sealedTotal('CART-2', p.code))
      for (const lot of this.#lots.get(p.code)!) {
        if (need <= 0) break
        const available = Math.min(await this.#sealedBook('SAFE-1', p.code, lot), await this.#sealedPhysical('SAFE-1', p.code, lot))
        const n = Math.min(available, need)
        if (n <= 0) continue
        await this.#L.transfer({ product: p.code, lot, containers: n, from: 'SAFE-1', to: 'CART-2', by })
        need -= n
      }
    }
    void date
    void time
  }

  async #infusion(date: string, minute: number, flags: { unrecorded: boolean; wrongDose: boolean }): Promise<void> {
    const r = this.#rng
    const nurse = r.pick(NURSES)
    const prescriber = r.pick(PHYSICIANS)
    const patient = `P-${r.int(1001, 1320)}`
    const weight = r.int(50, 110)
    const dose = Math.max(25, Math.round((weight * 0.5) / 5) * 5)
    const stopped = !flags.unrecorded && !flags.wrongDose && r.chance(0.1)
    const given = stopped ? dose - r.pick([5, 10, 15]) : dose
    if (r.chance(0.3)) await this.#midazolam(date, minute, patient, prescriber, nurse)
    const container = await this.#ketamineVial(dose * 10 / KET.mgPerMl)
    if (flags.unrecorded) {
      // The dose is given but nobody records it: the vial physically holds less than the book says.
      this.#addDev(this.#devMl, container, -dose * 10 / KET.mgPerMl)
      this.#pendingDeviations.push({ kind: 'unrecorded-dose', container, mg: dose, patient, prescriber, nurse, at: this.#clock.now().toISOString() })
      return
    }
    const recorded = flags.wrongDose ? dose + 5 : dose
    const a = await this.#L.administer({ container, dose: `${flags.wrongDose ? recorded : given}mg`, ...(stopped ? { drawn: `${dose}mg` } : {}), patient, prescriber, by: this.#p(nurse) })
    if (flags.wrongDose) {
      this.#addDev(this.#devMl, container, 5 * 10 / KET.mgPerMl)
      this.#schedule(date, hhmm(minute + 20), async () => {
        const c = await this.#L.correct({ seq: a.stored.entry.seq, reason: `dose entered as ${recorded} mg; the order and the pump record show ${dose} mg`, amend: { dose: `${dose}mg` }, witness: this.#p('pkim'), by: this.#p(nurse) })
        this.#addDev(this.#devMl, container, -5 * 10 / KET.mgPerMl)
        this.#story.push(`${date}: dose #${a.stored.entry.seq} entered as ${recorded} mg instead of ${dose} mg; amended by correction #${c.stored.entry.seq}`)
      })
    }
    if (stopped) {
      const late = r.chance(0.04)
      const wasteAt = minute + 40
      const witness = this.#witnessFor(nurse)
      this.#schedule(date, hhmm(wasteAt + (late ? 45 : 0)), async () => {
        const w = await this.#L.waste({ administration: a.stored.entry.seq, amount: `${dose - given}mg`, reason: 'infusion stopped early; remainder in the syringe', witness: this.#p(witness), ...(late ? { at: zonedTime(date, hhmm(wasteAt), TZ) } : {}), by: this.#p(nurse) })
        this.#planCosign(w, nurse, witness)
      })
    }
  }

  async #midazolam(date: string, minute: number, patient: string, prescriber: string, nurse: string): Promise<void> {
    const vial = await this.#openVial(MDZ.code)
    const given = this.#rng.chance(0.6) ? 1 : 2
    const a = await this.#L.administer({ container: vial, dose: `${given}mg`, drawn: '2mg', patient, prescriber, by: this.#p(nurse) })
    if (given === 1) {
      const witness = this.#witnessFor(nurse)
      this.#schedule(date, hhmm(minute + 2), async () => {
        const w = await this.#L.waste({ administration: a.stored.entry.seq, amount: '1mg', reason: 'single-dose vial: remainder of the draw not given', witness: this.#p(witness), by: this.#p(nurse) })
        this.#planCosign(w, nurse, witness)
      })
    }
  }

  /** A ketamine vial in the infusion room holding at least `tenths` (book and shelf), else a new one. */
  async #ketamineVial(tenths: number): Promise<string> {
    for (const id of this.#openKet) {
      const book = await this.#remainingBook(id)
      if (book >= tenths && book + (this.#devMl.get(id) ?? 0) >= tenths) return id
    }
    const id = await this.#openVial(KET.code)
    this.#openKet.push(id)
    return id
  }

  async #openVial(product: string): Promise<string> {
    let lot = await this.#lotOnShelf('CART-2', product)
    if (!lot) {
      await this.#restock('', '', product)
      lot = await this.#lotOnShelf('CART-2', product)
      if (!lot) throw new Error(`demo ran out of ${product}; receipts are too small`)
    }
    const o = await this.#L.open({ product, lot, location: 'CART-2', by: this.#p(this.#rng.pick(NURSES)) })
    return (o.stored.entry.data as { container: string }).container
  }

  async #endOfDayWaste(date: string): Promise<void> {
    const keep: string[] = []
    const nextOpen = addDays(this.#start, this.#nextOpenDay(this.#dayIndex() + 1))
    for (const id of this.#openKet) {
      const book = await this.#remainingBook(id)
      if (book === 0) continue
      const c = await this.#store.read().get('container', id)
      const lot = c ? await this.#store.read().get('lot', `${c.product}|${c.lot}`) : undefined
      const expiring = (c?.beyond_use ?? '9999') < nextOpen || (lot?.expires ?? '9999') < nextOpen
      if ((book < 10 || expiring) && !this.#devMl.get(id)) {
        const nurse = this.#rng.pick(NURSES)
        const witness = this.#witnessFor(nurse)
        const reason = expiring ? 'end of day: beyond-use date reached; remainder discarded' : 'end of day: remainder too small for a dose; discarded per clinic policy'
        const w = await this.#L.waste({ container: id, amount: `${tenthsText(book)}mL`, reason, witness: this.#p(witness), by: this.#p(nurse) })
        this.#planCosign(w, nurse, witness)
        continue
      }
      keep.push(id)
    }
    this.#openKet = keep
    void date
  }

  async #cosignRound(date: string, d: number): Promise<void> {
    const due = this.#cosignDue.filter((w) => w.day >= 0 && w.day <= d)
    this.#cosignDue = this.#cosignDue.filter((w) => !(w.day >= 0 && w.day <= d))
    for (const w of due) {
      const physician = this.#rng.pick(PHYSICIANS.filter((p) => p !== w.actor && p !== w.witness))
      await this.#L.cosign({ waste: w.seq, by: this.#p(physician) })
    }
    void date
  }

  async #count(date: string, location: string): Promise<void> {
    const L = this.#L
    const counter = this.#rng.pick(NURSES)
    const witness = this.#rng.chance(0.2) ? 'pkim' : this.#rng.pick(NURSES.filter((n) => n !== counter))
    const sheet = await L.countSheet(location)
    const items: CountEntryInput[] = []
    for (const s of sheet.sealed) items.push({ ref: `${s.product}:${s.lot}`, value: String(await this.#sealedPhysical(location, s.product, s.lot)) })
    for (const c of sheet.open) items.push({ ref: c.container, value: `${tenthsText((await this.#remainingBook(c.container)) + (this.#devMl.get(c.container) ?? 0))}mL` })
    const r = await L.count({ location, basedOnSeq: sheet.based_on_seq, items, by: this.#p(counter), witness: this.#p(witness) })
    if (canSign(this.#store)) await L.checkpoint({ by: this.#p(counter), cosigners: [this.#p(witness)] })
    const data = r.stored.entry.data as CountData
    for (const x of data.discrepancies) {
      const deviation = this.#pendingDeviations.find((v) => (x.item.type === 'open' ? v.kind !== 'missing-vial' && v.container === x.item.container : v.kind === 'missing-vial' && v.lot === x.item.lot && v.location === x.item.location))
      if (!deviation) throw new Error(`demo: unexpected discrepancy ${x.id} at ${location}`)
      this.#pendingDeviations.splice(this.#pendingDeviations.indexOf(deviation), 1)
      this.#found.push({ discrepancy: x.id, deviation, count: r.stored.entry.seq })
      this.#story.push(`${date}: count #${r.stored.entry.seq} of ${location} found discrepancy ${x.id} (${x.item.type === 'open' ? `${x.item.container}: expected ${x.item.expected_ml} mL, counted ${x.item.counted_ml} mL` : `${x.item.product} lot ${x.item.lot}: expected ${x.item.expected} sealed, counted ${x.item.counted}`})`)
    }
  }

  /** Next morning: the PIC resolves what yesterday's counts found. */
  async #reconcileFound(date: string): Promise<void> {
    const pic = this.#p('pkim')
    for (const f of this.#found) {
      const v = f.deviation
      if (v.kind === 'unrecorded-dose') {
        const late = await this.#L.administer({ container: v.container, dose: `${v.mg}mg`, patient: v.patient, prescriber: v.prescriber, at: v.at, by: this.#p(v.nurse) })
        this.#addDev(this.#devMl, v.container, v.mg * 10 / KET.mgPerMl)
        const rec = await this.#L.reconcile({ discrepancy: f.discrepancy, reason: 'documentation-error', note: `dose of ${v.mg} mg to ${v.patient} at ${localTime(v.at)} was given but not recorded; recorded late as #${late.stored.entry.seq}`, linked: [late.stored.entry.seq], by: pic })
        this.#story.push(`${date}: ${f.discrepancy} reconciled as documentation-error (#${rec.stored.entry.seq}): the missing dose was recorded late as #${late.stored.entry.seq} with its real time`)
      } else if (v.kind === 'unrecorded-waste') {
        const rec = await this.#L.reconcile({ discrepancy: f.discrepancy, reason: 'unrecorded-waste', note: 'priming waste drawn into a syringe and discarded without a record; staff re-trained', by: pic })
        this.#devMl.delete(v.container)
        this.#story.push(`${date}: ${f.discrepancy} reconciled as unrecorded-waste (#${rec.stored.entry.seq}); the book was adjusted by ${tenthsText(-v.tenths)} mL`)
      } else {
        const rec = await this.#L.reconcile({ discrepancy: f.discrepancy, reason: 'loss', note: 'sealed vial not found after a search of the infusion room and the main safe; access log under review', by: pic })
        this.#devSealed.delete(stockKey(v.location, v.product, v.lot))
        const loss = (rec.stored.entry.data as ReconciliationData).loss!
        this.#story.push(`${date}: ${f.discrepancy} reconciled as a loss (#${rec.stored.entry.seq}): ${loss.id} opened, DEA notice due ${loss.notice_due}, Form 106 due ${loss.form106_due}`)
        const dayIndex = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.#start}T00:00:00Z`)) / 86_400_000)
        const noticeDay = dayIndex
        const filingDay = this.#nextOpenDay(dayIndex + 9)
        this.#deferred.push({ day: noticeDay, time: '09:00', run: async () => {
          const n = await this.#L.lossNotice({ loss: loss.id, method: 'written notice by e-mail', to: DEMO_CLINIC.fieldDivision, by: pic })
          this.#story.push(`${addDays(this.#start, noticeDay)}: written notice of ${loss.id} sent to the ${DEMO_CLINIC.fieldDivision} (#${n.stored.entry.seq})`)
        } })
        this.#deferred.push({ day: filingDay, time: '14:00', run: async () => {
          const n = await this.#L.lossFiling({ loss: loss.id, confirmation: `TLR-DEMO-${String(filingDay).padStart(6, '0')}`, by: pic })
          this.#story.push(`${addDays(this.#start, filingDay)}: DEA Form 106 for ${loss.id} filed through TLR (#${n.stored.entry.seq})`)
        } })
      }
    }
    this.#found = []
    const today = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.#start}T00:00:00Z`)) / 86_400_000)
    for (const job of this.#deferred.filter((j) => j.day === today)) this.#schedule(date, job.time, job.run)
    this.#deferred = this.#deferred.filter((j) => j.day !== today)
  }

  #deferred: Array<{ day: number; time: string; run: () => Promise<void> }> = []

  async #unrecordedWaste(date: string): Promise<void> {
    let id: string | undefined
    for (const c of this.#openKet) if (!id && !this.#devMl.get(c) && (await this.#remainingBook(c)) >= 15) id = c
    if (!id) return
    // Priming waste nobody recorded: 0.3 mL less in the vial than the book says (beyond the 0.1 mL tolerance).
    this.#addDev(this.#devMl, id, -3)
    this.#pendingDeviations.push({ kind: 'unrecorded-waste', container: id, tenths: -3 })
    void date
  }

  /** A sealed midazolam vial disappears from the infusion room: the evening count finds it. */
  async #missingVial(date: string): Promise<void> {
    for (const lot of this.#lots.get(MDZ.code)!) {
      if ((await this.#sealedPhysical('CART-2', MDZ.code, lot)) < 2) continue
      this.#addDev(this.#devSealed, stockKey('CART-2', MDZ.code, lot), -1)
      this.#pendingDeviations.push({ kind: 'missing-vial', location: 'CART-2', product: MDZ.code, lot })
      return
    }
    void date
  }

  async #destroyDroppedVial(date: string): Promise<void> {
    for (const id of this.#openKet) {
      if (this.#devMl.get(id) || (await this.#remainingBook(id)) < 20) continue
      const nurse = this.#rng.pick(NURSES)
      const d = await this.#L.dispose({
        method: 'destruction', items: [{ container: id }], reason: 'vial dropped after first puncture; stopper contaminated, sterility compromised',
        destruction: { method: 'chemical digestion in a Rx Destroyer container, rendering the drug non-retrievable', place: DEMO_CLINIC.destructionPlace },
        by: this.#p(nurse), witness: this.#p('pkim'),
      })
      this.#openKet = this.#openKet.filter((c) => c !== id)
      this.#story.push(`${date}: open vial ${id} destroyed on site with two employee witnesses (DEA Form 41 record #${d.stored.entry.seq})`)
      return
    }
  }

  async #biennialInventory(date: string, d: number): Promise<void> {
    const read = this.#store.read()
    const items: CountEntryInput[] = []
    for (const s of await read.list('stock')) if (s.sealed > 0) items.push({ ref: `${s.location}/${s.product}:${s.lot}`, value: String(await this.#sealedPhysical(s.location, s.product, s.lot)) })
    for (const id of this.#openKet) items.push({ ref: id, value: `${tenthsText((await this.#remainingBook(id)) + (this.#devMl.get(id) ?? 0))}mL` })
    const r = await this.#L.inventory({ type: 'biennial', at: 'opening', basedOnSeq: await this.#head(), items, by: this.#p('pkim'), witness: this.#p(this.#rng.pick(NURSES)) })
    this.#inventoryDay = d
    this.#story.push(`${date}: biennial inventory #${r.stored.entry.seq} at the opening of business (${items.length} item(s))`)
  }

  // ---- helpers ----

  #planCosign(w: AppendResult, actor: string, witness: string): void {
    const today = this.#dayIndex()
    const roll = this.#rng.next()
    // Most wastes are co-signed the same evening; some the next open day (late); a few never (missing).
    const day = roll < 0.02 ? -1 : roll < 0.06 ? this.#nextOpenDay(today + 1) : today
    this.#cosignDue.push({ seq: w.stored.entry.seq, day, actor, witness })
  }

  #witnessFor(actor: string): string {
    return this.#rng.pick([...NURSES.filter((n) => n !== actor), 'pkim'])
  }

  #schedule(date: string, time: string, run: () => Promise<void>): void {
    const at = zonedTime(date, time, TZ)
    const item = { at, order: this.#order++, run }
    const i = this.#queue.findIndex((q) => q.at > at)
    if (i < 0) this.#queue.push(item)
    else this.#queue.splice(i, 0, item)
  }

  #at(date: string, time: string): void { this.#clock.set(zonedTime(date, time, TZ)) }
  #p(username: string): Principal { return this.#who.get(username)! }
  async #head(): Promise<number> { return (await this.#store.read().head())?.seq ?? 0 }
  #dayIndex(): number {
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.#clock.now())
    return Math.round((Date.parse(`${local}T00:00:00Z`) - Date.parse(`${this.#start}T00:00:00Z`)) / 86_400_000)
  }
  #openDayAtOrAfter(d: number): number { return this.#nextOpenDay(d) }
  #nextOpenDay(d: number): number {
    let x = d
    while (weekday(addDays(this.#start, x)) === 0) x++
    return x
  }
  #addDev(map: Map<string, number>, key: string, delta: number): void {
    const v = (map.get(key) ?? 0) + delta
    if (v === 0) map.delete(key)
    else map.set(key, v)
  }
  async #remainingBook(container: string): Promise<number> {
    const c = await this.#store.read().get('container', container)
    return c && c.status === 'open' ? tenths(c.remaining_ml) : 0
  }
  async #sealedBook(location: string, product: string, lot: string): Promise<number> {
    return (await this.#store.read().get('stock', stockKey(location, product, lot)))?.sealed ?? 0
  }
  async #sealedPhysical(location: string, product: string, lot: string): Promise<number> {
    return (await this.#sealedBook(location, product, lot)) + (this.#devSealed.get(stockKey(location, product, lot)) ?? 0)
  }
  async #sealedTotal(location: string, product: string): Promise<number> {
    let n = 0
    for (const lot of this.#lots.get(product)!) n += await this.#sealedBook(location, product, lot)
    return n
  }
  /** Forgets lots with no sealed container left anywhere (keeps the daily lookups short). */
  async #dropUsedUpLots(product: string): Promise<void> {
    const keep: string[] = []
    for (const lot of this.#lots.get(product)!) {
      let n = 0
      for (const l of DEMO_LOCATIONS) n += Math.max(await this.#sealedBook(l.code, product, lot), await this.#sealedPhysical(l.code, product, lot))
      if (n > 0) keep.push(lot)
    }
    this.#lots.set(product, keep)
  }

  /** The oldest lot with a sealed container on the shelf (in the book and physically). */
  async #lotOnShelf(location: string, product: string): Promise<string | undefined> {
    for (const lot of this.#lots.get(product)!) {
      if ((await this.#sealedBook(location, product, lot)) >= 1 && (await this.#sealedPhysical(location, product, lot)) >= 1) return lot
    }
    return undefined
  }
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** A volume string with at most one decimal place as tenths of a mL (demo volumes are all multiples of 0.1 mL). */
function tenths(ml: string): number {
  const m = /^(\d+)(?:\.(\d))?$/.exec(ml)
  if (!m) throw new Error(`demo: volume ${ml} is not a multiple of 0.1 mL`)
  return Number(m[1]) * 10 + Number(m[2] ?? 0)
}

function tenthsText(t: number): string {
  const sign = t < 0 ? '-' : ''
  const a = Math.abs(t)
  return `${sign}${Math.floor(a / 10)}${a % 10 ? `.${a % 10}` : ''}`
}

function endOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

function localTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso))
}
