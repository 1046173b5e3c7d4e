import type { Command } from 'commander'
import type { DisposalData } from '@csledger/ledger-core'
import { need, needChoice } from '../ask.ts'
import { authenticate, authenticateWitness } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { picksFromFlags } from './loss.ts'

const collect = (v: string, prev: string[] = []) => [...prev, v]

interface DisposeOptions {
  method?: string; product?: string; lot?: string; location?: string; containers?: string; container?: string[]; reason?: string
  distributor?: string; distributorAddress?: string; distributorDea?: string; distributorDeaOverride?: string; destructionMethod?: string; place?: string
  by?: string; witness?: string; at?: string; requestId?: string
}

export function registerDispose(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('dispose')
    .description('dispose of expired or unwanted stock: to a reverse distributor, or destroyed on site (Form 41), with two employees')
    .option('--method <method>', 'reverse-distributor | destruction')
    .option('--product <code>', 'sealed stock: product')
    .option('--lot <lot>', 'sealed stock: lot')
    .option('--location <code>', 'sealed stock: location')
    .option('--containers <N>', 'sealed stock: number of containers')
    .option('--container <id>', 'an open container, disposed of whole (repeatable)', collect)
    .option('--reason <text>', 'expired, beyond use date, recalled, unwanted…')
    .option('--distributor <name>', 'reverse distributor name')
    .option('--distributor-address <text>', 'reverse distributor address')
    .option('--distributor-dea <DEA#>', 'reverse distributor DEA number')
    .option('--distributor-dea-override <reason>', 'accept a DEA number whose check digit fails, recording why')
    .option('--destruction-method <text>', 'how it was made non-retrievable (Form 41 section C)')
    .option('--place <text>', 'where it was destroyed (Form 41 section C)')
    .option('--by <user>', 'first employee')
    .option('--witness <user>', 'second employee, who witnessed it')
    .option('--at <time>', 'when (default now)')
    .option('--request-id <id>', 'idempotency key')
    .action(action<DisposeOptions>(ctx, state, async ({ opts, g, ledger }) => {
      const method = await needChoice(ctx, g, opts.method, '--method', 'Method:', [{ name: 'reverse distributor', value: 'reverse-distributor' }, { name: 'on-site destruction (Form 41)', value: 'destruction' }])
      const reason = await need(ctx, g, opts.reason, '--reason', 'Reason:')
      const distributor = method === 'reverse-distributor'
        ? { name: await need(ctx, g, opts.distributor, '--distributor', 'Reverse distributor name:'), address: await need(ctx, g, opts.distributorAddress, '--distributor-address', 'Reverse distributor address:'), dea: await need(ctx, g, opts.distributorDea, '--distributor-dea', 'Reverse distributor DEA number:'), ...(opts.distributorDeaOverride ? { deaOverride: opts.distributorDeaOverride } : {}) }
        : undefined
      const destruction = method === 'destruction'
        ? { method: await need(ctx, g, opts.destructionMethod, '--destruction-method', 'Destruction method:'), place: await need(ctx, g, opts.place, '--place', 'Place of destruction:') }
        : undefined
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const witnessName = await need(ctx, g, opts.witness, '--witness', 'Witness username:')
      const L = await ledger()
      const actor = await authenticate(ctx, g, L, by, 'actor')
      const witness = await authenticateWitness(ctx, g, L, witnessName, by)
      const r = await L.dispose({ method, items: picksFromFlags(opts), reason, ...(distributor ? { distributor } : {}), ...(destruction ? { destruction } : {}), ...(opts.at ? { at: opts.at } : {}), by: actor, witness }, writeOpts(opts))
      const d = r.stored.entry.data as DisposalData
      const items = d.items.map((i) => `  ${i.container ?? `${i.containers} sealed`} ${i.product} lot ${i.lot} at ${i.location}: ${i.amount_ml} mL (${i.amount_mg} mg)`)
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) + items.join('\n') + '\n' }
    }))
  example(cmd, 'csledger dispose --method destruction --container C-0042 --reason "past beyond-use date" --destruction-method "chemical digestion (Rx Destroyer)" --place "med room, 12 Elm St" --by nkim --witness pkim')
}
