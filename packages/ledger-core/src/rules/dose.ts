import { Decimal } from 'decimal.js'
import { RuleViolation } from '../errors.ts'
import { dec, decimalOf, fmtQty, parseQuantity, toMlAndMg } from '../model/quantity.ts'
import type { Decision } from '../store/ledger-store.ts'
import type { ProjectionView } from '../state/projections.ts'
import {
  CLINICAL_ROLES, type DecideContext, MULTILINE, PATIENT_RE, type Principal, USERNAME_RE, activeUser, ident, occurredAt, openContainer, product, requireWitness, text, usableLot, withinBeyondUse,
} from './common.ts'

export interface AdministerCommand {
  readonly container: string
  /** Dose given, e.g. "35mg" or "0.7mL". */
  readonly dose: string
  /** Amount drawn from the container (defaults to the dose); the rest must be wasted. */
  readonly drawn?: string
  readonly patient: string
  readonly prescriber?: string
  readonly at?: string
  readonly by: Principal
}

/** A dose drawn from an open container and given to a patient. */
export async function decideAdministration(view: ProjectionView, cmd: AdministerCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'record doses')
  const c = await openContainer(view, text(cmd.container, 'container', 20))
  const p = await product(view, c.product)
  const at = occurredAt(cmd.at, ctx)
  await usableLot(view, c.product, c.lot, ctx, at)
  await withinBeyondUse(view, c, ctx, at)
  const conc = decimalOf(p.concentration_mg_per_ml)
  const given = toMlAndMg(parseQuantity(cmd.dose, { field: 'dose' }), conc)
  const drawn = cmd.drawn === undefined ? given : toMlAndMg(parseQuantity(cmd.drawn, { field: 'drawn' }), conc)
  if (drawn.ml.lessThan(given.ml)) {
    throw new RuleViolation('DOSE_EXCEEDS_DRAWN', `dose ${fmtQty(given.mg, 'mg')} is more than the ${fmtQty(drawn.mg, 'mg')} drawn`, { hint: 'drawn must be at least the dose given' })
  }
  if (drawn.ml.greaterThan(decimalOf(c.remaining_ml))) {
    const remainingMg = new Decimal(c.remaining_ml).times(conc)
    throw new RuleViolation('DRAW_EXCEEDS_CONTAINER', `cannot draw ${fmtQty(drawn.mg, 'mg')} (${fmtQty(drawn.ml, 'mL')}) from container ${c.container}`, {
      details: { remaining: `${fmtQty(remainingMg, 'mg')} (${fmtQty(c.remaining_ml, 'mL')} of ${dec(conc)} mg/mL)`, requested: `${fmtQty(drawn.mg, 'mg')} (${fmtQty(drawn.mg.minus(remainingMg), 'mg')} short)` },
      hint: `check what is on hand with \`csledger balance --product ${p.code}\``,
    })
  }
  let prescriber: string | undefined
  if (cmd.prescriber !== undefined) {
    prescriber = ident(cmd.prescriber, 'prescriber', USERNAME_RE, 'drlee')
    const u = await view.get('user', prescriber)
    if (!u || !u.active || u.role !== 'physician') throw new RuleViolation('PRESCRIBER_NOT_PHYSICIAN', `prescriber ${prescriber} is not an active physician`, { hint: 'name the ordering physician\'s username' })
  }
  return {
    draft: {
      kind: 'administration', occurred_at: at, actor: cmd.by.username,
      data: {
        container: c.container, product: c.product, lot: c.lot, location: c.location, patient: ident(cmd.patient, 'patient', PATIENT_RE, 'P-1042'),
        given_ml: dec(given.ml), given_mg: dec(given.mg), drawn_ml: dec(drawn.ml), drawn_mg: dec(drawn.mg),
        ...(prescriber ? { prescriber } : {}),
      },
    },
  }
}

export interface WasteCommand {
  /** Waste of a container's remainder… */
  readonly container?: string
  /** …or of a dose's drawn-but-not-given remainder (the administration's seq). */
  readonly administration?: number
  readonly amount: string
  readonly reason: string
  readonly witness?: Principal
  readonly at?: string
  readonly by: Principal
}

/** Waste with a witness: a container's remainder, or the undelivered part of a drawn dose. */
export async function decideWaste(view: ProjectionView, cmd: WasteCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, CLINICAL_ROLES, 'record waste')
  await requireWitness(view, cmd.by.username, cmd.witness?.username, 'waste')
  if ((cmd.container === undefined) === (cmd.administration === undefined)) {
    throw new RuleViolation('WASTE_TARGET', 'waste names either a container or an administration, not both or neither', { hint: 'give --container <id> or --administration <seq>' })
  }
  let containerId: string
  if (cmd.administration !== undefined) {
    const dose = await view.get('dose', String(cmd.administration))
    if (!dose || dose.voided) throw new RuleViolation('UNKNOWN_ADMINISTRATION', `no administration at seq ${cmd.administration}`, { hint: 'find the dose with `csledger log --kind administration`' })
    containerId = dose.container
  } else {
    containerId = text(cmd.container, 'container', 20)
  }
  const c = await view.get('container', containerId)
  if (!c || c.status === 'voided' || c.status === 'disposed') throw new RuleViolation('UNKNOWN_CONTAINER', `no open container ${containerId}`, { hint: 'list open containers with `csledger balance`' })
  const p = await product(view, c.product)
  const amount = toMlAndMg(parseQuantity(cmd.amount, { field: 'amount' }), decimalOf(p.concentration_mg_per_ml))
  if (cmd.administration !== undefined) {
    const dose = (await view.get('dose', String(cmd.administration)))!
    const left = new Decimal(dose.drawn_ml).minus(dose.given_ml).minus(dose.wasted_ml)
    if (amount.ml.greaterThan(left)) {
      throw new RuleViolation('WASTE_EXCEEDS_REMAINDER', `cannot waste ${fmtQty(amount.ml, 'mL')} from dose ${cmd.administration}: ${fmtQty(left, 'mL')} was drawn and not given`, {
        details: { drawn_ml: dose.drawn_ml, given_ml: dose.given_ml, already_wasted_ml: dose.wasted_ml },
        hint: 'waste at most the drawn-but-not-given remainder',
      })
    }
  } else {
    await withinBeyondUse(view, c, ctx, occurredAt(cmd.at, ctx))
    if (amount.ml.greaterThan(c.remaining_ml)) {
      throw new RuleViolation('INSUFFICIENT_STOCK', `container ${c.container} holds ${fmtQty(c.remaining_ml, 'mL')}; cannot waste ${fmtQty(amount.ml, 'mL')}`, { hint: `check the container with \`csledger balance --product ${p.code}\`` })
    }
  }

  return {
    draft: {
      kind: 'waste', occurred_at: occurredAt(cmd.at, ctx), actor: cmd.by.username, witness: cmd.witness!.username,
      data: {
        container: c.container, ...(cmd.administration !== undefined ? { administration: cmd.administration } : {}),
        product: c.product, lot: c.lot, location: c.location, amount_ml: dec(amount.ml), amount_mg: dec(amount.mg), reason: text(cmd.reason, 'reason', 500, MULTILINE),
      },
    },
  }
}

export interface CosignCommand { readonly waste: number; readonly at?: string; readonly by: Principal }

/** A physician co-signs a waste: someone other than the person who wasted and the witness. */
export async function decideCosign(view: ProjectionView, cmd: CosignCommand, ctx: DecideContext): Promise<Decision> {
  await activeUser(view, cmd.by.username, ['physician'], 'co-sign waste')
  const w = await view.get('waste', String(cmd.waste))
  if (!w || w.voided) throw new RuleViolation('UNKNOWN_WASTE', `no waste at seq ${cmd.waste}`, { hint: 'list waste awaiting co-sign with `csledger cosign --pending`' })
  if (w.cosigned_by) throw new RuleViolation('ALREADY_COSIGNED', `waste ${cmd.waste} was co-signed by ${w.cosigned_by} (seq ${w.cosign_seq})`)
  if (w.actor === cmd.by.username || w.witness === cmd.by.username) {
    throw new RuleViolation('COSIGNER_NOT_INDEPENDENT', `${cmd.by.username} wasted or witnessed waste ${cmd.waste} and cannot also co-sign it`, { hint: 'ask another physician to co-sign' })
  }
  return { draft: { kind: 'cosign', occurred_at: occurredAt(cmd.at, ctx), actor: cmd.by.username, data: { waste: w.seq } } }
}
