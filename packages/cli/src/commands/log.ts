import type { Command } from 'commander'
import { ENTRY_KINDS, type EntryKind, InputError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { summarize } from '../output/entry-summary.ts'
import { table } from '../output/table.ts'

/** Minutes between occurred_at and recorded_at beyond which an entry is shown as back-dated. */
const BACKDATE_FLAG_MINUTES = 10

export function registerLog(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('log')
    .description('entries in order (dates are when things physically happened)')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .option('--kind <kind>', `only entries of this kind (${ENTRY_KINDS.join(', ')}); comma-separated for several`)
    .option('--seq <seq>', 'only this entry')
    .action(action<{ from?: string; to?: string; kind?: string; seq?: string }>(ctx, state, async ({ opts, ledger }) => {
      for (const [flag, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (v !== undefined && !isCalendarDate(v)) throw new InputError('INVALID_DATE', `${flag} "${v.slice(0, 20)}" is not a date like 2026-11-26`, { hint: 'write dates as YYYY-MM-DD' })
      }
      const kinds = opts.kind?.split(',').map((k) => k.trim())
      for (const k of kinds ?? []) if (!ENTRY_KINDS.includes(k as EntryKind)) throw new InputError('UNKNOWN_KIND', `no entry kind "${k.slice(0, 30)}"`, { hint: `kinds: ${ENTRY_KINDS.join(', ')}` })
      // Number() would read '' as 0 and '1e1' as 10: only plain positive digits name an entry.
      if (opts.seq !== undefined && !/^[1-9]\d{0,14}$/.test(opts.seq)) throw new InputError('INVALID_SEQ', `--seq "${opts.seq.slice(0, 20)}" is not an entry number`, { hint: 'give the entry number shown as #N in `csledger log`, e.g. --seq 42' })
      const seq = opts.seq !== undefined ? Number(opts.seq) : undefined
      const L = await ledger()
      const data: unknown[] = []
      const rows: string[][] = []
      for await (const s of L.log({ ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), ...(kinds ? { kinds } : {}), ...(seq !== undefined ? { fromSeq: seq, toSeq: seq } : {}) })) {
        const e = s.entry
        const backdated = Date.parse(e.recorded_at) - Date.parse(e.occurred_at) > BACKDATE_FLAG_MINUTES * 60_000
        data.push({ ...e, hash: s.hash, backdated })
        rows.push([`#${e.seq}`, e.occurred_at.replace('T', ' ').slice(0, 16) + (backdated ? '*' : ''), e.kind, e.witness ? `${e.actor}/${e.witness}` : e.actor, summarize(e)])
      }
      const note = rows.some((r) => r[1]!.endsWith('*')) ? `* recorded more than ${BACKDATE_FLAG_MINUTES} minutes after it happened (back-dated)\n` : ''
      return { exitCode: 0, data, text: rows.length ? table(['SEQ', 'OCCURRED (UTC)', 'KIND', 'BY/WITNESS', 'WHAT'], rows) + note : 'no entries\n' }
    }, { readonly: true }))
  example(cmd, 'csledger log --from 2026-11-01 --to 2026-11-30 --kind waste,cosign', 'csledger log --seq 812 --json')
}

/** A YYYY-MM-DD date that exists on the calendar (2026-02-30 does not; a filter on it would silently match nothing). */
function isCalendarDate(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v
}
