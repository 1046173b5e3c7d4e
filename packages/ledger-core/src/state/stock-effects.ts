import { Decimal } from 'decimal.js'
import { RuleViolation } from '../errors.ts'
import { dec, decimalOf } from '../model/quantity.ts'
import type { Overlay } from './overlay.ts'
import { type ContainerState, stockKey } from './projections.ts'

/** Adds `delta` sealed containers at a location; refuses to go below zero. */
export async function addSealed(tx: Overlay, location: string, product: string, lot: string, delta: number, check = true): Promise<void> {
  const key = stockKey(location, product, lot)
  const s = await tx.get('stock', key)
  const sealed = (s?.sealed ?? 0) + delta
  if (check && sealed < 0) {
    throw new RuleViolation('INSUFFICIENT_STOCK', `not enough sealed containers of ${product} lot ${lot} at ${location}`, {
      details: { on_hand: s?.sealed ?? 0, requested: -delta },
      hint: `check what is on hand with \`csledger balance --location ${location} --product ${product}\``,
    })
  }
  tx.put('stock', key, { location, product, lot, sealed })
}

/** Adds `deltaMl` to an open container; refuses to go below zero. Zero left means empty. */
export async function addRemaining(tx: Overlay, container: string, deltaMl: Decimal, options: { dispose?: boolean; check?: boolean } = {}): Promise<ContainerState> {
  const c = await tx.get('container', container)
  if (!c || c.status === 'voided' || c.status === 'disposed') throw new RuleViolation('UNKNOWN_CONTAINER', `no open container ${container}`)
  const remaining = decimalOf(c.remaining_ml).plus(deltaMl)
  if (options.check !== false && remaining.isNegative()) {
    throw new RuleViolation('INSUFFICIENT_STOCK', `container ${container} holds ${c.remaining_ml} mL; cannot take ${dec(deltaMl.negated())} mL`, {
      details: { remaining_ml: c.remaining_ml, requested_ml: dec(deltaMl.negated()) },
      hint: `check the container with \`csledger balance --product ${c.product}\``,
    })
  }
  const next: ContainerState = { ...c, remaining_ml: dec(remaining), status: remaining.isZero() ? (options.dispose ? 'disposed' : 'empty') : 'open' }
  tx.put('container', container, next)
  return next
}

export function nonNegativeCount(n: number, what: string, check = true): number {
  if (check && n < 0) throw new RuleViolation('INSUFFICIENT_STOCK', `${what} would go below zero`)
  return n
}

