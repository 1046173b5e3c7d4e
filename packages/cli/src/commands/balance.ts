import type { Command } from 'commander'
import { InputError, RuleViolation } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output/table.ts'

export function registerBalance(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('balance')
    .description('on-hand stock per location, product and lot: sealed containers and open containers')
    .option('--location <code>', 'only this location')
    .option('--product <code>', 'only this product')
    .option('--as-of <seq|time>', 'as it stood after entry <seq>, or at an ISO time (recorded time)')
    .action(action<{ location?: string; product?: string; asOf?: string }>(ctx, state, async ({ opts, ledger }) => {
      const asOf = parseAsOf(opts.asOf)
      const L = await ledger()
      // A mistyped filter must not read as "nothing on hand" during a count.
      if (opts.location && !(await L.store.read().get('location', opts.location))) {
        throw new RuleViolation('UNKNOWN_LOCATION', `no location ${opts.location.slice(0, 40)}`, { hint: 'list locations with `csledger location list`' })
      }
      if (opts.product && !(await L.store.read().get('product', opts.product))) {
        throw new RuleViolation('UNKNOWN_PRODUCT', `no product ${opts.product.slice(0, 40)}`, { hint: 'list products with `csledger product list`' })
      }
      const { as_of_seq, rows } = await L.balance({ ...(opts.location ? { location: opts.location } : {}), ...(opts.product ? { product: opts.product } : {}), ...(asOf !== undefined ? { asOf } : {}) })
      const text = rows.length === 0
        ? `nothing on hand (as of #${as_of_seq})\n`
        : `as of #${as_of_seq}\n` + table(['LOCATION', 'PRODUCT', 'LOT', 'SEALED', 'OPEN', 'TOTAL mg'],
          rows.map((r) => [r.location, r.product, r.lot, String(r.sealed), r.open.map((o) => `${o.container} ${o.remaining_mL} mL`).join(', ') || '-', r.total_mg]), { right: [3, 5] })
      return { exitCode: 0, data: rows, text }
    }, { readonly: true }))
  example(cmd, 'csledger balance --location SAFE-1', 'csledger balance --as-of 1200 --json', 'csledger balance --as-of 2026-11-01T00:00:00Z')
}

function parseAsOf(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined
  if (/^\d{1,15}$/.test(v)) return Number(v)
  const d = new Date(v)
  if (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(d.getTime())) return d.toISOString()
  throw new InputError('INVALID_AS_OF', `--as-of "${v.slice(0, 40)}" is neither an entry number nor an ISO time`, { hint: 'e.g. --as-of 1200 or --as-of 2026-11-01T00:00:00Z' })
}
