import type { Schedule } from '@csledger/ledger-core'

/*
 * The accountability section of the audit packet, as data (part of the report model of
 * audit-report.ts, which re-exports it).
 */

/** A quantity in the three units the accountability audit uses. `sealed` is null where it does not apply. */
export interface Amount {
  readonly mg: string
  readonly ml: string
  readonly sealed: number | null
}

/** Where a location's audit window starts or ends: a physical count or a formal inventory. */
export interface CountPoint {
  readonly seq: number
  /** The count's or inventory's entry hash (hex). */
  readonly hash: string
  readonly kind: 'count' | 'inventory'
  readonly at: string
}

/**
 * The accountability lines of one product (at one location, or all locations). Outflows are
 * magnitudes; transfers, adjustments and awaiting_waste are signed. The identity is
 *
 *   expected = opening + receipts - administered - wasted - awaiting_waste - disposed - lost + transfers + adjustments
 *
 * in mg and mL; for sealed containers, `opened` replaces the dose lines:
 *
 *   expected.sealed = opening + receipts - opened - disposed - lost + transfers + adjustments
 */
export interface AccountabilityLines {
  readonly opening: Amount
  readonly receipts: Amount
  readonly administered: Amount
  readonly wasted: Amount
  /** Drawn for a dose but neither given nor wasted (yet): a syringe not accounted for. */
  readonly awaiting_waste: Amount
  readonly disposed: Amount
  readonly lost: Amount
  readonly transfers: Amount
  readonly adjustments: Amount
  /** Sealed containers punctured (opened); moves stock from sealed to open, not out. */
  readonly opened: Amount
  readonly expected: Amount
  /** The physical count at the end of the window; null if not every location was counted in the period. */
  readonly counted: Amount | null
  /** counted - expected (negative: shortage); null without a count. */
  readonly difference: Amount | null
  /** difference in mg as a percentage of opening + receipts (two decimals); null without a count or activity. */
  readonly difference_percent: string | null
}

export interface LocationAccountability extends AccountabilityLines {
  readonly location: string
  /** The window start: the last count or inventory at or before the period start (null: the ledger's beginning, zero stock). */
  readonly opening_point: CountPoint | null
  /** The window end: the last count or inventory in the period (null: the period end, no count). */
  readonly closing_point: CountPoint | null
}

export interface ProductAccountability extends AccountabilityLines {
  readonly product: string
  readonly substance: string
  readonly schedule: Schedule
  readonly dea_code: string
  readonly ndc: string
  readonly concentration_mg_per_ml: string
  readonly container_ml: string
  readonly dose_form: string
  readonly locations: readonly LocationAccountability[]
}

/** Per schedule and substance, in mg only (mL of different concentrations do not add up). */
export interface ScheduleAccountability {
  readonly schedule: Schedule
  readonly substance: string
  readonly products: readonly string[]
  readonly mg: {
    readonly opening: string; readonly receipts: string; readonly administered: string; readonly wasted: string; readonly awaiting_waste: string
    readonly disposed: string; readonly lost: string; readonly transfers: string; readonly adjustments: string; readonly expected: string
    readonly counted: string | null; readonly difference: string | null
  }
  readonly difference_percent: string | null
}

export interface AccountabilitySection {
  readonly products: readonly ProductAccountability[]
  readonly schedules: readonly ScheduleAccountability[]
  /** How the windows were chosen, in words (printed under the tables). */
  readonly method: readonly string[]
}
