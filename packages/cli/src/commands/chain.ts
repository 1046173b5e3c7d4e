import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError, LedgerError } from '@csledger/ledger-core'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { printable } from '../output/printable.ts'

export function registerExport(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('export')
    .description('write the raw chain as JSONL, one entry per line exactly as hashed (docs/ledger-format.md)')
    .option('--out <file.jsonl>', 'output file (written to a temporary file first, then renamed into place)')
    .action(action<{ out?: string }>(ctx, state, async ({ opts, ledger }) => {
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: 'e.g. csledger export --out ledger.jsonl' })
      const out = resolve(ctx.cwd, opts.out)
      const L = await ledger()
      const { entries, last } = await writeAtomically(out, L.exportJsonl())
      // The head is the last line written, not a second read: a write landing meanwhile is not in the file.
      const head = last ? headOf(last) : null
      const data = { out, entries, head }
      return { exitCode: 0, data, text: `exported ${entries} entries to ${printable(out)}\n  head #${head?.seq ?? 0} ${head?.hash ?? ''}\n` }
    }, { readonly: true }))
  example(cmd, 'csledger export --out 2026-11-ledger.jsonl')
}

/**
 * Writes the lines to `<out>.partial-<pid>`, flushes it to disk, then renames it over `out`, so a
 * reader never sees half an export. The file is opened (and every write awaited) before anything
 * else, so a bad path is a CANNOT_WRITE error, not a crash; the partial file is removed on failure.
 */
async function writeAtomically(out: string, lines: AsyncIterable<string>): Promise<{ entries: number; last: string | undefined }> {
  const tmp = `${out}.partial-${process.pid}`
  // Never replace a file: `--out clinic.db` must not overwrite the ledger (or anything else) with its export.
  if (await stat(out).then(() => true, () => false)) {
    throw new InputError('FILE_EXISTS', `${printable(out)} already exists; an export never overwrites a file`, { hint: 'choose a new file name, e.g. with the date' })
  }
  let fh: FileHandle
  try {
    fh = await open(tmp, 'wx')
  } catch (err) {
    throw cannotWrite(out, err)
  }
  let entries = 0
  let last: string | undefined
  try {
    let chunk = ''
    for await (const line of lines) {
      entries++
      last = line
      chunk += line
      if (chunk.length >= 1 << 16) { await fh.write(chunk); chunk = '' }
    }
    if (chunk) await fh.write(chunk)
    await fh.sync()
    await fh.close()
    await rename(tmp, out)
    return { entries, last }
  } catch (err) {
    await fh.close().catch(() => {})
    await rm(tmp, { force: true })
    throw isErrno(err) ? cannotWrite(out, err) : err
  }
}

function headOf(line: string): { seq: number; hash: string } {
  const parsed = JSON.parse(line) as { entry: { seq: number }; hash: string }
  return { seq: parsed.entry.seq, hash: parsed.hash }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && !(err instanceof LedgerError) && typeof (err as NodeJS.ErrnoException).code === 'string'
}

function cannotWrite(out: string, err: unknown): LedgerError {
  const code = isErrno(err) ? err.code! : 'unknown error'
  return new InputError('CANNOT_WRITE', `cannot write the export to ${out} (${code})`, {
    hint: 'check that the folder exists and is writable and that --out names a file, or choose another --out path',
  })
}

export function registerVerify(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('verify')
    .description('check the whole chain (hashes, links, order) and rebuild the balances from the entries; exit 5 if anything is wrong')
    .option('--head <seq:hash>', 'a head exported earlier: the ledger must still contain it (catches truncation)')
    .option('--chain-only', 'only the hash chain (hashes, links, seq), at SHA-256 speed; no replay of balances')
    .action(action<{ head?: string; chainOnly?: boolean }>(ctx, state, async ({ opts, ledger }) => {
      let expectedHead: { seq: number; hash: string } | undefined
      if (opts.head !== undefined) {
        const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(opts.head)
        if (!m) throw new InputError('INVALID_HEAD', `--head "${opts.head.slice(0, 80)}" is not <seq>:<64 hex hash>`, { hint: 'copy it from `csledger export` or a previous `csledger verify --json`' })
        expectedHead = { seq: Number(m[1]), hash: m[2]! }
      }
      const L = await ledger()
      if (opts.chainOnly) {
        const { ChainLinkVerifier } = await import('@csledger/ledger-core')
        const v = new ChainLinkVerifier()
        let head: { seq: number; hash: string } | null = null
        for await (const r of L.store.entryRows()) { v.push(r); head = { seq: r.seq, hash: r.hash } }
        const findings = v.finish()
        if (expectedHead && (head?.seq ?? 0) < expectedHead.seq) findings.push({ code: 'TRUNCATED', seq: expectedHead.seq, message: `the ledger ends at seq ${head?.seq ?? 0} but the head given is at ${expectedHead.seq}` })
        const ok = findings.length === 0
        const data = { ok, mode: 'chain-only', entries: v.count, head, findings }
        return {
          exitCode: ok ? 0 : 5, data, text: ok ? `ok: the hash chain of ${v.count} entries is intact (chain only; run without --chain-only for the full check)\n` : `FAILED: ${findings.map((f) => `[${f.code}] ${f.message}`).join('\n  ')}\n`,
          ...(ok ? {} : { error: { code: 'VERIFY_FAILED', message: findings[0]!.message, hint: 'run `csledger verify` for the full check; keep this file as evidence' } }),
        }
      }
      const report = await L.verify(expectedHead ? { expectedHead } : {})
      const lines = report.ok
        ? [`ok: ${report.entries} entries verified; balances match the entries`, `  head #${report.head?.seq ?? 0} ${report.head?.hash ?? ''}`]
        : [`FAILED: ${report.findings.length} finding(s) in ${report.entries} entries`, ...report.findings.map((f) => `  [${f.code}] ${printable(f.message)}`), 'hint: keep this file as evidence; compare with a backup or an export given out earlier']
      return {
        exitCode: report.ok ? 0 : 5, data: report, text: lines.join('\n') + '\n',
        ...(report.ok ? {} : { error: { code: 'VERIFY_FAILED', message: report.findings[0]?.message ?? 'verification failed', hint: 'keep this file as evidence; compare with a backup or an export given out earlier' } }),
      }
    }, { readonly: true }))
  example(cmd, 'csledger verify', 'csledger verify --head 1200:3f9a…')
}
