import { Decimal } from 'decimal.js'
import type { CountDiscrepancy, CountItem } from '@csledger/ledger-core'

/** "expected 4 sealed, counted 3 (1 short)" / "expected 3.6 mL, counted 3.2 mL (0.4 mL short)". */
export function describeDifference(item: CountItem): string {
  if (item.type === 'sealed') {
    const d = item.counted - item.expected
    return `expected ${item.expected} sealed, counted ${item.counted} (${d === 0 ? 'exact' : d < 0 ? `${-d} short` : `${d} over`})`
  }
  const d = new Decimal(item.counted_ml).minus(item.expected_ml)
  return `expected ${item.expected_ml} mL, counted ${item.counted_ml} mL (${d.isZero() ? 'exact' : d.isNegative() ? `${d.negated().toFixed()} mL short` : `${d.toFixed()} mL over`})`
}

export function describeItem(item: CountItem): string {
  return item.type === 'sealed' ? `${item.location} ${item.product} lot ${item.lot}` : `${item.location} ${item.container} (${item.product} lot ${item.lot})`
}

export function discrepancyLine(d: CountDiscrepancy): string {
  return `${d.id}  ${describeItem(d.item)}: ${describeDifference(d.item)}`
}
