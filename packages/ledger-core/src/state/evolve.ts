import { Decimal } from 'decimal.js'
import { IntegrityError, RuleViolation } from '../errors.ts'
import type {
  AdministrationData, ContainerOpeningData, CorrectionData, Entry, EntryKind, ReceiptData, TransferData, WasteData,
} from '../model/entry.ts'
import { canonicalJson } from '../chain/canonical-json.ts'
import { dec, decimalOf } from '../model/quantity.ts'
import { Overlay } from './overlay.ts'
import { addRemaining, addSealed, nonNegativeCount } from './stock-effects.ts'
import { evolveAccountability } from './evolve-accountability.ts'
import { type ProjectionChange, type ProjectionView, REGISTRANT_KEY, lotKey } from './projections.ts'

/** Looks up a stored entry by seq (corrections need the entry they correct). */
export type EntryLookup = (seq: number) => Promise<Entry | undefined>

/**
 * Folds one entry into the projections: returns the projection writes it causes. Pure apart from
 * reads through `view`. Throws RuleViolation('INSUFFICIENT_STOCK') when a balance would go
 * negative, so the same fold guards appends and detects impossible histories on rebuild.
 *
 * @example
 * const changes = await evolve(view, entry, lookup)
 */
export async function evolve(view: ProjectionView, entry: Entry, lookup: EntryLookup): Promise<ProjectionChange[]> {
  const tx = new Overlay(view)
  const seq = entry.seq
  switch (entry.kind) {
    case 'registrant': {
      const d = entry.data
      tx.put('registrant', REGISTRANT_KEY, { ledger_id: entry.ledger_id, name: d.name, address: d.address, dea_number: d.dea_number, schedules: d.schedules, timezone: d.timezone ?? 'UTC' })
      tx.put('user', d.admin.username, { username: d.admin.username, name: d.admin.name, role: 'pic', active: true, since_seq: seq, ...(d.admin.public_key !== undefined ? { public_key: d.admin.public_key } : {}) })
      break
    }
    case 'user':
      tx.put('user', entry.data.username, { ...entry.data, active: true, since_seq: seq })
      break
    case 'user_deactivation': {
      const u = await tx.get('user', entry.data.username)
      if (!u) throw impossible(entry, `user ${entry.data.username} does not exist`)
      tx.put('user', u.username, { ...u, active: false })
      break
    }
    case 'user_key': {
      const u = await tx.get('user', entry.data.username)
      if (!u) throw impossible(entry, `user ${entry.data.username} does not exist`)
      tx.put('user', u.username, { ...u, public_key: entry.data.public_key })
      break
    }
    case 'location':
      tx.put('location', entry.data.code, { ...entry.data })
      break
    case 'product':
      tx.put('product', entry.data.code, { ...entry.data })
      break
    case 'container_opening': {
      await applyOpening(tx, entry.data, entry, 1)
      const c = await tx.get('counter', 'container')
      tx.put('counter', 'container', { value: (c?.value ?? 0) + 1 })
      break
    }
    case 'receipt': await applyReceipt(tx, entry.data, 1); break
    case 'administration': await applyAdministration(tx, entry.data, seq, 1); break
    case 'waste': {
      await applyWaste(tx, entry.data, 1)
      tx.put('waste', String(seq), {
        seq, actor: entry.actor, witness: entry.witness ?? '', occurred_at: entry.occurred_at, cosigned_by: null, cosign_seq: null, voided: false,
      })
      break
    }
    case 'cosign': {
      const w = await tx.get('waste', String(entry.data.waste))
      if (!w) throw impossible(entry, `waste ${entry.data.waste} does not exist`)
      tx.put('waste', String(w.seq), { ...w, cosigned_by: entry.actor, cosign_seq: seq })
      break
    }
    case 'transfer': await applyTransfer(tx, entry.data, 1); break
    case 'correction': await applyCorrection(tx, entry as Entry<'correction'>, lookup); break
    case 'setting': case 'count': case 'reconciliation': case 'loss': case 'loss_notice': case 'loss_filing': case 'disposal': case 'inventory':
      await evolveAccountability(tx, entry)
      break
    default: {
      const never: never = entry
      throw impossible(never as Entry, 'unknown entry kind')
    }
  }
  return tx.changes()
}

/** The data of an entry after every correction so far (what a new correction must start from). */
export async function effectiveData(view: ProjectionView, original: Entry): Promise<{ data: Readonly<Record<string, unknown>>; voided: boolean }> {
  const c = await view.get('correction', String(original.seq))
  if (c) return { data: c.current, voided: c.voided }
  return { data: original.data as unknown as Record<string, unknown>, voided: false }
}

/** Entry kinds whose quantities a correction can void or amend. */
export const CORRECTABLE_KINDS: readonly EntryKind[] = ['receipt', 'container_opening', 'administration', 'waste', 'transfer']

async function applyCorrection(tx: Overlay, entry: Entry<'correction'>, lookup: EntryLookup): Promise<void> {
  const d: CorrectionData = entry.data
  const original = await lookup(d.corrects)
  if (!original || original.kind !== d.corrects_kind) throw impossible(entry, `corrects ${d.corrects}, which is not a ${d.corrects_kind}`)
  const before = await effectiveData(tx, original)
  if (before.voided) throw impossible(entry, `entry ${d.corrects} was already voided`)
  if (canonicalJson(before.data) !== canonicalJson(d.before)) throw impossible(entry, `its "before" data is not entry ${d.corrects} as it stood`)
  if (d.action === 'void') await applyKind(tx, original, before.data, -1)
  else await applyAmendment(tx, original, before.data, d.amended ?? {})
  const prior = await tx.get('correction', String(original.seq))
  const corrected_by = [...(prior?.corrected_by ?? []), entry.seq]
  if (d.action === 'void') {
    tx.put('correction', String(original.seq), { seq: original.seq, corrected_by, voided: true, current: before.data })
    if (original.kind === 'waste') {
      const w = await tx.get('waste', String(original.seq))
      if (w) tx.put('waste', String(original.seq), { ...w, voided: true })
    }
  } else {
    tx.put('correction', String(original.seq), { seq: original.seq, corrected_by, voided: false, current: d.amended ?? {} })
  }
}

/**
 * Replaces an entry's effect by its amended effect. Only the end state must be non-negative: the
 * reversal and the new effect are applied unchecked on a scratch layer, then every stock,
 * lot and container they touched is checked, so raising a receipt's count after one of its vials
 * was opened is not refused for a negative value that exists only half-way through.
 */
async function applyAmendment(tx: Overlay, original: Entry, before: Readonly<Record<string, unknown>>, amended: Readonly<Record<string, unknown>>): Promise<void> {
  const scratch = new Overlay(tx)
  await applyKind(scratch, original, before, -1, false)
  await applyKind(scratch, original, amended, 1, false)
  for (const c of scratch.changes()) {
    const v = c.value as { sealed?: number; received?: number; remaining_ml?: string }
    const negative = (c.kind === 'stock' && (v.sealed ?? 0) < 0) || (c.kind === 'lot' && (v.received ?? 0) < 0) || (c.kind === 'container' && new Decimal(v.remaining_ml ?? '0').isNegative())
    if (negative) {
      throw new RuleViolation('INSUFFICIENT_STOCK', `the amendment would leave ${c.kind} ${c.key} below zero`, {
        hint: 'the stock it concerns has since been used or moved; correct those entries first',
      })
    }
    tx.put(c.kind, c.key, c.value as never)
  }
}

async function applyKind(tx: Overlay, original: Entry, data: Readonly<Record<string, unknown>>, sign: 1 | -1, check = true): Promise<void> {
  switch (original.kind) {
    case 'receipt': return applyReceipt(tx, data as unknown as ReceiptData, sign, check)
    case 'administration': return applyAdministration(tx, data as unknown as AdministrationData, original.seq, sign, check)
    case 'waste': return applyWaste(tx, data as unknown as WasteData, sign, check)
    case 'transfer': return applyTransfer(tx, data as unknown as TransferData, sign, check)
    case 'container_opening': return applyOpening(tx, data as unknown as ContainerOpeningData, original, sign)
    default: throw impossible(original, `a ${original.kind} entry cannot be corrected`)
  }
}

async function applyReceipt(tx: Overlay, d: ReceiptData, sign: 1 | -1, check = true): Promise<void> {
  const lk = lotKey(d.product, d.lot)
  const lot = await tx.get('lot', lk)
  const received = (lot?.received ?? 0) + sign * d.containers
  // A lot whose receipts were all voided takes the expiry of its next receipt (a mistyped expiry can be fixed).
  const expires = lot && lot.received > 0 ? lot.expires : d.expires
  tx.put('lot', lk, { product: d.product, lot: d.lot, expires, received: nonNegativeCount(received, `lot ${d.lot} received`, check) })
  await addSealed(tx, d.location, d.product, d.lot, sign * d.containers, check)
}

async function applyTransfer(tx: Overlay, d: TransferData, sign: 1 | -1, check = true): Promise<void> {
  await addSealed(tx, d.from, d.product, d.lot, -sign * d.containers, check)
  await addSealed(tx, d.to, d.product, d.lot, sign * d.containers, check)
}

async function applyOpening(tx: Overlay, d: ContainerOpeningData, entry: Entry, sign: 1 | -1): Promise<void> {
  await addSealed(tx, d.location, d.product, d.lot, -sign)
  if (sign === 1) {
    tx.put('container', d.container, {
      container: d.container, product: d.product, lot: d.lot, location: d.location, remaining_ml: d.volume_ml,
      opened_at: entry.occurred_at, opened_seq: entry.seq, beyond_use: d.beyond_use ?? null, status: 'open',
    })
    return
  }
  const c = await tx.get('container', d.container)
  if (!c || c.status === 'voided' || !new Decimal(c.remaining_ml).equals(d.volume_ml)) {
    throw new RuleViolation('NOT_CORRECTABLE', `container ${d.container} has been drawn from; its opening cannot be voided`, {
      hint: 'void the administrations and waste from it first, or record the remainder as waste',
    })
  }
  tx.put('container', d.container, { ...c, status: 'voided' })
}

async function applyAdministration(tx: Overlay, d: AdministrationData, seq: number, sign: 1 | -1, check = true): Promise<void> {
  await addRemaining(tx, d.container, decimalOf(d.drawn_ml).times(-sign), { check })
  const dose = await tx.get('dose', String(seq))
  if (sign === 1) {
    const wasted = decimalOf(dose?.wasted_ml ?? '0')
    if (decimalOf(d.given_ml).plus(wasted).greaterThan(decimalOf(d.drawn_ml))) {
      throw new RuleViolation('DOSE_EXCEEDS_DRAWN', `given ${d.given_ml} mL plus wasted ${dec(wasted)} mL exceeds drawn ${d.drawn_ml} mL`, {
        hint: 'the drawn amount must cover the dose given and any waste recorded against it',
      })
    }
    tx.put('dose', String(seq), { seq, container: d.container, drawn_ml: d.drawn_ml, given_ml: d.given_ml, wasted_ml: dec(wasted), voided: false })
  } else if (dose) {
    tx.put('dose', String(seq), { ...dose, drawn_ml: '0', given_ml: '0', voided: true })
  }
}

async function applyWaste(tx: Overlay, d: WasteData, sign: 1 | -1, check = true): Promise<void> {
  const amount = decimalOf(d.amount_ml)
  if (d.administration === undefined) {
    await addRemaining(tx, d.container, amount.times(-sign), { check })
    return
  }
  const key = String(d.administration)
  const dose = await tx.get('dose', key)
  if (!dose) throw new RuleViolation('UNKNOWN_ADMINISTRATION', `no administration at seq ${d.administration}`)
  const wasted = decimalOf(dose.wasted_ml).plus(amount.times(sign))
  if (wasted.isNegative()) throw new RuleViolation('INSUFFICIENT_STOCK', `waste against dose ${key} would go below zero`)
  if (sign === 1 && (dose.voided || wasted.plus(decimalOf(dose.given_ml)).greaterThan(decimalOf(dose.drawn_ml)))) {
    const left = new Decimal(dose.drawn_ml).minus(dose.given_ml).minus(dose.wasted_ml)
    throw new RuleViolation('WASTE_EXCEEDS_REMAINDER', `cannot waste ${dec(amount)} mL from dose ${key}: only ${dec(Decimal.max(left, 0))} mL was drawn and not given`, {
      details: { drawn_ml: dose.drawn_ml, given_ml: dose.given_ml, already_wasted_ml: dose.wasted_ml },
      hint: `see the dose with \`csledger log --seq ${key}\``,
    })
  }
  tx.put('dose', key, { ...dose, wasted_ml: dec(wasted) })
}

function impossible(entry: Entry, why: string): IntegrityError {
  return new IntegrityError('IMPOSSIBLE_ENTRY', `entry ${entry.seq} (${entry.kind}) cannot apply: ${why}`, {
    details: { seq: entry.seq, entry: canonicalJson(entry.data).slice(0, 200) },
  })
}
