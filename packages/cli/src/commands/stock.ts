import type { Command } from 'commander'
import { need } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, writeOptions, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'

interface ReceiveOptions {
  product?: string; lot?: string; expires?: string; containers?: string; location?: string; supplier?: string; supplierAddress?: string
  supplierDea?: string; supplierDeaOverride?: string; invoice?: string; by?: string; at?: string; requestId?: string
}

export function registerReceive(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('receive')
    .description('record sealed containers received from a supplier (date = when physically received)')
    .option('--product <code>', 'product code')
    .option('--lot <lot>', 'lot number on the containers')
    .option('--expires <YYYY-MM-DD>', 'expiry date on the containers')
    .option('--containers <N>', 'number of sealed containers received')
    .option('--location <code>', 'where they are stored')
    .option('--supplier <name>', 'supplier name')
    .option('--supplier-address <text>', 'supplier address')
    .option('--supplier-dea <DEA#>', 'supplier DEA number')
    .option('--supplier-dea-override <reason>', 'accept a supplier DEA number whose check digit fails, recording why')
    .option('--invoice <ref>', 'invoice or packing-slip reference')
    .option('--by <user>', 'who received and checked in the shipment'))
    .action(action<ReceiveOptions>(ctx, state, async ({ opts, g, ledger }) => {
      const v = {
        product: await need(ctx, g, opts.product, '--product', 'Product code:'),
        lot: await need(ctx, g, opts.lot, '--lot', 'Lot number:'),
        expires: await need(ctx, g, opts.expires, '--expires', 'Expiry date (YYYY-MM-DD):'),
        containers: await need(ctx, g, opts.containers, '--containers', 'Number of sealed containers:'),
        location: await need(ctx, g, opts.location, '--location', 'Stored at location:'),
        supplier: await need(ctx, g, opts.supplier, '--supplier', 'Supplier name:'),
        supplierAddress: await need(ctx, g, opts.supplierAddress, '--supplier-address', 'Supplier address:'),
        supplierDea: await need(ctx, g, opts.supplierDea, '--supplier-dea', 'Supplier DEA number:'),
        invoice: await need(ctx, g, opts.invoice, '--invoice', 'Invoice reference:'),
      }
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const L = await ledger()
      const r = await L.receive({ ...v, ...(opts.supplierDeaOverride ? { supplierDeaOverride: opts.supplierDeaOverride } : {}), ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, `csledger receive --product KET-50 --lot K2417A --expires 2027-03-31 --containers 10 --location SAFE-1 --supplier "Acme Wholesale" --supplier-address "9 Depot Rd, Columbus OH" --supplier-dea AB1234563 --invoice INV-88121 --by nkim`)
}

export function registerOpen(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('open')
    .description('open (puncture) one sealed container; prints its container id')
    .option('--product <code>', 'product code')
    .option('--lot <lot>', 'lot number')
    .option('--location <code>', 'where the container is')
    .option('--by <user>', 'who opened it'))
    .action(action<{ product?: string; lot?: string; location?: string; by?: string; at?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      const product = await need(ctx, g, opts.product, '--product', 'Product code:')
      const lot = await need(ctx, g, opts.lot, '--lot', 'Lot number:')
      const location = await need(ctx, g, opts.location, '--location', 'Location:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const L = await ledger()
      const r = await L.open({ product, lot, location, ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger open --product KET-50 --lot K2417A --location SAFE-1 --by nkim --json   # data.container is the new id')
}

export function registerTransfer(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('transfer')
    .description('move sealed containers between two locations')
    .option('--product <code>', 'product code')
    .option('--lot <lot>', 'lot number')
    .option('--containers <N>', 'number of sealed containers')
    .option('--from <location>', 'from location')
    .option('--to <location>', 'to location')
    .option('--by <user>', 'who moved them'))
    .action(action<{ product?: string; lot?: string; containers?: string; from?: string; to?: string; by?: string; at?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      const v = {
        product: await need(ctx, g, opts.product, '--product', 'Product code:'),
        lot: await need(ctx, g, opts.lot, '--lot', 'Lot number:'),
        containers: await need(ctx, g, opts.containers, '--containers', 'Number of sealed containers:'),
        from: await need(ctx, g, opts.from, '--from', 'From location:'),
        to: await need(ctx, g, opts.to, '--to', 'To location:'),
      }
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const L = await ledger()
      const r = await L.transfer({ ...v, ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger transfer --product KET-50 --lot K2417A --containers 2 --from SAFE-1 --to LOCKBOX-2 --by nkim')
}
