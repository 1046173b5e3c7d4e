import { Decimal } from 'decimal.js'
import { InputError, RuleViolation } from '../errors.ts'
import type { AdministrationData, Entry, ReceiptData, TransferData, WasteData } from '../model/entry.ts'
import { dec, fmtQty, parseCount, parseQuantity, toMlAndMg } from '../model/quantity.ts'
import type { Decision } from '../store/ledger-store.ts'
import { CORRECTABLE_KINDS, effectiveData } from '../state/evolve.ts'
import type { ProjectionView } from '../state/projections.ts'
import {
  CLINICAL_ROLES, type DecideContext, MULTILINE, PATIENT_RE, type Principal, USERNAME_RE, activeUser, ident, product, requireWitness, text,
} from './common.ts'

/** Replacement values for an amendment; which apply depends on the corrected entry's kind. */
export interface Amendments {
  readonly dose?: string
  readonly drawn?: string
  readonly patient?: string
  readonly prescriber?: string
  readonly amount?: string
  readonly containers?: string
  readonly invoice?: string
}

export interface CorrectCommand {
  readonly seq: number
  readonly reason: string
  /** Void the entry (no amendments) or amend it (some amendments given). */
  readonly amend?: Amendments
  readonly witness?: Principal
  readonly by: Principal
}

const ALLOWED: Record<string, ReadonlyArray<keyof Amendments>> = {
  administration: ['dose', 'drawn', 'patient', 'prescriber'],
  waste: ['amount'],
  receipt: ['containers', 'invoice'],
  transfer: ['containers'],
  container_opening: [],
}

/**
 * A correction: a new entry that voids or amends an earlier one, with a reason and a witness.
 * The original stays in the chain unchanged; the correction records its data before and after.
 */
export async function decideCorrection(view: ProjectionView & { entry(seq: number): Promise<Entry | undefined> }, cmd: CorrectCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'correct entries')
  await requireWitness(view, cmd.by.username, cmd.witness?.username, 'correction')
  const reason = text(cmd.reason, 'reason', 500, MULTILINE)
  const original = await view.entry(cmd.seq)
  if (!original) throw new RuleViolation('UNKNOWN_ENTRY', `no entry at seq ${cmd.seq}`, { hint: 'find it with `csledger log`' })
  if (!CORRECTABLE_KINDS.includes(original.kind)) {
    throw new RuleViolation('NOT_CORRECTABLE', `a ${original.kind} entry cannot be corrected`, {
      hint: original.kind === 'user' ? 'deactivate the user with `csledger user deactivate`' : 'record a new entry that states the right facts',
    })
  }
  const before = await effectiveData(view, original)
  if (before.voided) throw new RuleViolation('ALREADY_VOIDED', `entry ${cmd.seq} was already voided`)
  const given = Object.entries(cmd.amend ?? {}).filter(([, v]) => v !== undefined) as Array<[keyof Amendments, string]>
  const allowed = ALLOWED[original.kind] ?? []
  for (const [k] of given) {
    if (!allowed.includes(k)) throw new InputError('NOT_AMENDABLE', `--${k} cannot amend a ${original.kind}`, { hint: allowed.length ? `a ${original.kind} can be amended with ${allowed.map((a) => `--${a}`).join(', ')}` : `a ${original.kind} can only be voided` })
  }
  const base = { corrects: original.seq, corrects_kind: original.kind, reason }
  const at = ctx.now.toISOString()
  if (given.length === 0) {
    if (original.kind === 'administration') {
      const dose = await view.get('dose', String(original.seq))
      if (dose && !new Decimal(dose.wasted_ml).isZero()) {
        throw new RuleViolation('WASTE_OUTSTANDING', `${dose.wasted_ml} mL of dose ${original.seq} was recorded as waste; void that waste first`, { hint: `find it with \`csledger log --kind waste\`, then \`csledger correct <waste seq> …\`` })
      }
    }
    return { draft: { kind: 'correction', occurred_at: at, actor: cmd.by.username, witness: cmd.witness!.username, data: { ...base, action: 'void', before: before.data } as never } }
  }
  const amendments = Object.fromEntries(given) as Amendments
  const amended = await amend(view, original, before.data, amendments)
  return { draft: { kind: 'correction', occurred_at: at, actor: cmd.by.username, witness: cmd.witness!.username, data: { ...base, action: 'amend', before: before.data, amended } as never } }
}

async function amend(view: ProjectionView, original: Entry, data: Readonly<Record<string, unknown>>, a: Amendments): Promise<Record<string, unknown>> {
  switch (original.kind) {
    case 'administration': {
      const d = data as unknown as AdministrationData
      const p = await product(view, d.product)
      const conc = new Decimal(p.concentration_mg_per_ml)
      const given = a.dose ? toMlAndMg(parseQuantity(a.dose, { field: 'dose' }), conc) : { ml: new Decimal(d.given_ml), mg: new Decimal(d.given_mg) }
      const drawn = a.drawn ? toMlAndMg(parseQuantity(a.drawn, { field: 'drawn' }), conc) : a.dose && d.drawn_ml === d.given_ml ? given : { ml: new Decimal(d.drawn_ml), mg: new Decimal(d.drawn_mg) }
      if (drawn.ml.lessThan(given.ml)) throw new RuleViolation('DOSE_EXCEEDS_DRAWN', `dose ${fmtQty(given.mg, 'mg')} is more than the ${fmtQty(drawn.mg, 'mg')} drawn`)
      let prescriber = d.prescriber
      if (a.prescriber !== undefined) {
        prescriber = ident(a.prescriber, 'prescriber', USERNAME_RE, 'drlee')
        const u = await view.get('user', prescriber)
        if (!u || !u.active || u.role !== 'physician') throw new RuleViolation('PRESCRIBER_NOT_PHYSICIAN', `prescriber ${prescriber} is not an active physician`)
      }
      return {
        ...d, patient: a.patient !== undefined ? ident(a.patient, 'patient', PATIENT_RE, 'P-1042') : d.patient,
        given_ml: dec(given.ml), given_mg: dec(given.mg), drawn_ml: dec(drawn.ml), drawn_mg: dec(drawn.mg), ...(prescriber ? { prescriber } : {}),
      }
    }
    case 'waste': {
      const d = data as unknown as WasteData
      const p = await product(view, d.product)
      const amount = toMlAndMg(parseQuantity(a.amount!, { field: 'amount' }), new Decimal(p.concentration_mg_per_ml))
      return { ...d, amount_ml: dec(amount.ml), amount_mg: dec(amount.mg) }
    }
    case 'receipt': {
      const d = data as unknown as ReceiptData
      return { ...d, containers: a.containers !== undefined ? parseCount(a.containers, 'containers') : d.containers, invoice: a.invoice !== undefined ? text(a.invoice, 'invoice', 100) : d.invoice }
    }
    case 'transfer': {
      const d = data as unknown as TransferData
      return { ...d, containers: parseCount(a.containers!, 'containers') }
    }
    default:
      throw new RuleViolation('NOT_CORRECTABLE', `a ${original.kind} entry can only be voided`)
  }
}
