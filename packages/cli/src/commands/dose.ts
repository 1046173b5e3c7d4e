import type { Command } from 'commander'
import { InputError } from '@csledger/ledger-core'
import { need } from '../ask.ts'
import { authenticate, authenticateWitness } from '../auth.ts'
import { type RunState, action, example, parseSeq, writeOptions, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'

export function registerAdminister(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('administer')
    .description('record a dose drawn from an open container and given to a patient')
    .option('--container <id>', 'open container id, e.g. C-0042')
    .option('--dose <qty>', 'dose given: 35mg or 0.7mL')
    .option('--drawn <qty>', 'amount drawn if more than the dose (the rest must be wasted); default = dose')
    .option('--patient <ref>', 'patient reference (chart id)')
    .option('--prescriber <username>', 'ordering physician')
    .option('--by <user>', 'who administered'))
    .action(action<{ container?: string; dose?: string; drawn?: string; patient?: string; prescriber?: string; by?: string; at?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      const container = await need(ctx, g, opts.container, '--container', 'Container id:')
      const dose = await need(ctx, g, opts.dose, '--dose', 'Dose given (e.g. 35mg or 0.7mL):')
      const patient = await need(ctx, g, opts.patient, '--patient', 'Patient reference:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const L = await ledger()
      const r = await L.administer({
        container, dose, patient, ...(opts.drawn ? { drawn: opts.drawn } : {}), ...(opts.prescriber ? { prescriber: opts.prescriber } : {}), ...(opts.at ? { at: opts.at } : {}),
        by: await authenticate(ctx, g, L, by, 'actor'),
      }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger administer --container C-0042 --dose 35mg --drawn 40mg --patient P-1042 --prescriber drlee --by nkim')
}

export function registerWaste(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('waste')
    .description('record waste with a witness: a container\'s remainder, or a dose\'s drawn-but-not-given remainder')
    .option('--container <id>', 'waste from this open container')
    .option('--administration <seq>', 'waste the undelivered remainder of this dose (its entry number)', parseSeq)
    .option('--amount <qty>', 'amount wasted: 5mg or 0.1mL')
    .option('--reason <text>', 'why (partial dose, refused, contaminated, …)')
    .option('--by <user>', 'who wasted it')
    .option('--witness <user>', 'who saw it (a different person; asked for their passphrase too)'))
    .action(action<{ container?: string; administration?: number; amount?: string; reason?: string; by?: string; witness?: string; at?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      if (opts.container && opts.administration !== undefined) throw new InputError('WASTE_TARGET', 'give --container or --administration, not both', { hint: '--administration <seq> wastes a dose remainder; --container <id> a container remainder' })
      const target = opts.administration !== undefined ? { administration: opts.administration } : { container: await need(ctx, g, opts.container, '--container', 'Container id:') }
      const amount = await need(ctx, g, opts.amount, '--amount', 'Amount wasted (e.g. 5mg or 0.1mL):')
      const reason = await need(ctx, g, opts.reason, '--reason', 'Reason:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const witnessName = await need(ctx, g, opts.witness, '--witness', 'Witness username:')
      const L = await ledger()
      const actor = await authenticate(ctx, g, L, by, 'actor')
      const witness = await authenticateWitness(ctx, g, L, witnessName, by)
      const r = await L.waste({ ...target, amount, reason, ...(opts.at ? { at: opts.at } : {}), by: actor, witness }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger waste --administration 812 --amount 5mg --reason "partial dose" --by nkim --witness rjones', 'csledger waste --container C-0042 --amount 0.4mL --reason "end of day remainder" --by nkim --witness rjones')
}

export function registerCosign(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = writeOptions(program.command('cosign [seq]')
    .description('physician co-sign of a waste entry; --pending lists waste awaiting co-sign')
    .option('--pending', 'list waste awaiting a physician co-sign')
    .option('--by <physician>', 'the co-signing physician'))
    .action(action<{ pending?: boolean; by?: string; at?: string; requestId?: string }>(ctx, state, async ({ opts, g, ledger, cmd }) => {
      const L = await ledger()
      if (opts.pending) {
        const pending = (await L.store.read().list('waste')).filter((w) => !w.cosigned_by && !w.voided).sort((a, b) => a.seq - b.seq)
        const now = ctx.clock.now().getTime()
        const data = pending.map((w) => ({ seq: w.seq, actor: w.actor, witness: w.witness, occurred_at: w.occurred_at, age_hours: Math.floor((now - Date.parse(w.occurred_at)) / 3_600_000) }))
        return { exitCode: 0, data, text: data.length === 0 ? 'no waste awaits co-sign\n' : table(['SEQ', 'WASTED BY', 'WITNESS', 'AT', 'AGE'], data.map((w) => [`#${w.seq}`, w.actor, w.witness, w.occurred_at, `${w.age_hours} h`])) }
      }
      // Not `positional`: it maps an absent optional argument to the string "undefined".
      const raw = cmd.processedArgs[0] as string | undefined
      if (raw === undefined) throw new InputError('MISSING_ARGUMENT', 'which waste? give its entry number', { hint: 'list them with `csledger cosign --pending`' })
      const waste = parseSeq(raw)
      const by = await need(ctx, g, opts.by, '--by', 'Your username (physician):')
      const r = await L.cosign({ waste, ...(opts.at ? { at: opts.at } : {}), by: await authenticate(ctx, g, L, by, 'actor') }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger cosign --pending', 'csledger cosign 813 --by drlee')
}
