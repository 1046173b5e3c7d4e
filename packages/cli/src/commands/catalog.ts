import type { Command } from 'commander'
import { need, needChoice } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'

export function registerLocation(program: Command, ctx: CliContext, state: RunState): void {
  const loc = program.command('location').description('storage locations (safe, lockbox)')
  example(loc, `csledger location add SAFE-1 --name "Main safe, med room" --by pkim`, 'csledger location list')
  const add = loc.command('add <code>')
    .description('add a storage location (PIC only)')
    .option('--name <text>', 'what and where it is')
    .option('--by <pic>', 'the PIC adding it')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ name?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const name = await need(ctx, g, opts.name, '--name', 'Location name:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.addLocation({ code: positional[0]!, name, by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(add, `csledger location add SAFE-1 --name "Main safe, med room" --by pkim`)
  const list = loc.command('list').description('list locations').action(action(ctx, state, async ({ ledger }) => {
    const data = await (await ledger()).store.read().list('location')
    return { exitCode: 0, data, text: table(['CODE', 'NAME'], data.map((l) => [l.code, l.name])) }
  }, { readonly: true }))
  example(list, 'csledger location list', 'csledger location list --json')
}

export function registerProduct(program: Command, ctx: CliContext, state: RunState): void {
  const prod = program.command('product').description('catalog of stocked products (one per NDC package)')
  example(prod, `csledger product add KET-50 --drug ketamine --ndc 67457-108-10 --concentration 50mg/mL --volume 10mL --dose-form multi-dose --by pkim`, 'csledger product list')
  const add = prod.command('add <code>')
    .description('add a product (PIC only); the schedule follows from the drug')
    .option('--drug <drug>', 'ketamine | midazolam')
    .option('--ndc <ndc>', 'NDC as printed, with hyphens (4-4-2, 5-3-2 or 5-4-1)')
    .option('--concentration <N>mg/mL', 'labelled strength, e.g. 50mg/mL')
    .option('--volume <N>mL', 'volume per container, e.g. 10mL')
    .option('--dose-form <form>', 'multi-dose | single-dose')
    .option('--by <pic>', 'the PIC adding it')
    .option('--request-id <id>', 'idempotency key')
    .action(action<{ drug?: string; ndc?: string; concentration?: string; volume?: string; doseForm?: string; by?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const drug = await needChoice(ctx, g, opts.drug, '--drug', 'Drug:', [{ name: 'ketamine (CIII)', value: 'ketamine' }, { name: 'midazolam (CIV)', value: 'midazolam' }])
      const ndc = await need(ctx, g, opts.ndc, '--ndc', 'NDC as printed (with hyphens):')
      const concentration = await need(ctx, g, opts.concentration, '--concentration', 'Concentration (e.g. 50mg/mL):')
      const volume = await need(ctx, g, opts.volume, '--volume', 'Volume per container (e.g. 10mL):')
      const doseForm = await needChoice(ctx, g, opts.doseForm, '--dose-form', 'Dose form:', [{ name: 'multi-dose vial', value: 'multi-dose' }, { name: 'single-dose vial', value: 'single-dose' }])
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const r = await L.addProduct({ code: positional[0]!, drug, ndc, concentration, volume, doseForm, by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(add, `csledger product add KET-50 --drug ketamine --ndc 67457-108-10 --concentration 50mg/mL --volume 10mL --dose-form multi-dose --by pkim`)
  const list = prod.command('list').description('list products').action(action(ctx, state, async ({ ledger }) => {
    const data = await (await ledger()).store.read().list('product')
    return { exitCode: 0, data, text: table(['CODE', 'DRUG', 'SCHED', 'NDC', 'NDC11', 'STRENGTH', 'VOLUME', 'FORM'], data.map((p) => [p.code, p.drug, `C${p.schedule}`, p.ndc, p.ndc11, `${p.concentration_mg_per_ml} mg/mL`, `${p.volume_ml} mL`, p.dose_form])) }
  }, { readonly: true }))
  example(list, 'csledger product list', 'csledger product list --json')
}
