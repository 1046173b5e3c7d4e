import type { Command } from 'commander'
import { need } from '../ask.ts'
import { authenticate, authenticateWitness } from '../auth.ts'
import { type RunState, action, example, parseSeq, writeOpts } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { writeData, writeText } from '../output/entry-summary.ts'

interface CorrectOptions { reason?: string; by?: string; witness?: string; dose?: string; drawn?: string; patient?: string; prescriber?: string; amount?: string; containers?: string; invoice?: string; requestId?: string }

export function registerCorrect(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('correct <seq>')
    .description('void or amend an entry by appending a correction (the original stays); with no replacement flags it voids')
    .option('--reason <text>', 'why the entry is wrong')
    .option('--by <user>', 'who makes the correction')
    .option('--witness <user>', 'second person approving it')
    .option('--dose <qty>', 'administration: the right dose given')
    .option('--drawn <qty>', 'administration: the right amount drawn')
    .option('--patient <ref>', 'administration: the right patient reference')
    .option('--prescriber <username>', 'administration: the right prescriber')
    .option('--amount <qty>', 'waste: the right amount wasted')
    .option('--containers <N>', 'receipt or transfer: the right number of containers')
    .option('--invoice <ref>', 'receipt: the right invoice reference')
    .option('--request-id <id>', 'idempotency key')
    .action(action<CorrectOptions>(ctx, state, async ({ opts, g, ledger, positional }) => {
      const seq = parseSeq(positional[0]!)
      const reason = await need(ctx, g, opts.reason, '--reason', 'Reason for the correction:')
      const by = await need(ctx, g, opts.by, '--by', 'Your username:')
      const witnessName = await need(ctx, g, opts.witness, '--witness', 'Witness username:')
      const L = await ledger()
      const actor = await authenticate(ctx, g, L, by, 'actor')
      const witness = await authenticateWitness(ctx, g, L, witnessName, by)
      const amend = Object.fromEntries((['dose', 'drawn', 'patient', 'prescriber', 'amount', 'containers', 'invoice'] as const).flatMap((k) => (opts[k] !== undefined ? [[k, opts[k]]] : [])))
      const r = await L.correct({ seq, reason, ...(Object.keys(amend).length ? { amend } : {}), by: actor, witness }, writeOpts(opts))
      return { exitCode: 0, data: writeData(r.stored, r.replayed), text: writeText(r.stored, r.replayed) }
    }))
  example(cmd, 'csledger correct 812 --dose 30mg --reason "dose misread from the order" --by nkim --witness rjones', 'csledger correct 815 --reason "recorded twice" --by nkim --witness rjones   # void')
}
