import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import type { Command } from 'commander'
import { InputError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'

export function registerExport(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('export')
    .description('write the raw chain as JSONL, one entry per line exactly as hashed (docs/ledger-format.md)')
    .option('--out <file.jsonl>', 'output file')
    .action(action<{ out?: string }>(ctx, state, async ({ opts, ledger }) => {
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: 'e.g. csledger export --out ledger.jsonl' })
      const out = resolve(ctx.cwd, opts.out)
      const tmp = `${out}.partial-${process.pid}`
      const L = await ledger()
      const stream = createWriteStream(tmp, { flags: 'wx' })
      let entries = 0
      try {
        for await (const line of L.exportJsonl()) {
          entries++
          if (!stream.write(line)) await new Promise<void>((r) => stream.once('drain', () => r()))
        }
        stream.end()
        await finished(stream)
        await rename(tmp, out)
      } catch (err) {
        stream.destroy()
        await rm(tmp, { force: true })
        throw err
      }
      const head = await L.store.read().head()
      const data = { out, entries, head: head ? { seq: head.seq, hash: head.hash } : null }
      return { exitCode: 0, data, text: `exported ${entries} entries to ${out}\n  head #${head?.seq ?? 0} ${head?.hash ?? ''}\n` }
    }, { readonly: true }))
  example(cmd, 'csledger export --out 2026-11-ledger.jsonl')
}

export function registerVerify(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('verify')
    .description('check the whole chain (hashes, links, order) and rebuild the balances from the entries; exit 5 if anything is wrong')
    .option('--head <seq:hash>', 'a head exported earlier: the ledger must still contain it (catches truncation)')
    .action(action<{ head?: string }>(ctx, state, async ({ opts, ledger }) => {
      let expectedHead: { seq: number; hash: string } | undefined
      if (opts.head !== undefined) {
        const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(opts.head)
        if (!m) throw new InputError('INVALID_HEAD', `--head "${opts.head.slice(0, 80)}" is not <seq>:<64 hex hash>`, { hint: 'copy it from `csledger export` or a previous `csledger verify --json`' })
        expectedHead = { seq: Number(m[1]), hash: m[2]! }
      }
      const report = await (await ledger()).verify(expectedHead ? { expectedHead } : {})
      const lines = report.ok
        ? [`ok: ${report.entries} entries verified; balances match the entries`, `  head #${report.head?.seq ?? 0} ${report.head?.hash ?? ''}`]
        : [`FAILED: ${report.findings.length} finding(s) in ${report.entries} entries`, ...report.findings.map((f) => `  [${f.code}] ${f.message}`), 'hint: keep this file as evidence; compare with a backup or an export given out earlier']
      return { exitCode: report.ok ? 0 : 5, data: report, text: lines.join('\n') + '\n' }
    }, { readonly: true }))
  example(cmd, 'csledger verify', 'csledger verify --head 1200:3f9a…')
}
