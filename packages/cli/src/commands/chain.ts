import { existsSync, readdirSync } from 'node:fs'
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { ChainLinkVerifier, InputError, type Ledger, type LedgerCheckpoint, LedgerError, type VerifyReport } from '@csledger/ledger-core'
import { authenticate } from '../auth.ts'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { printable } from '../output/printable.ts'
import { checkpointText, readCheckpointFile } from './checkpoint.ts'

const collect = (v: string, prev: string[] = []) => [...prev, v]

export function registerExport(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('export')
    .description('write the raw chain as JSONL, one entry per line exactly as hashed (docs/ledger-format.md); with --bundle, a folder for csledger-verify (docs/signatures.md)')
    .option('--out <file.jsonl>', 'output file, the chain alone (written to a temporary file first, then renamed into place)')
    .option('--bundle <dir>', 'write a verification bundle instead: entries.jsonl, signatures.jsonl, keys.txt, checkpoints/')
    .option('--by <pic>', 'with --bundle: first sign a fresh checkpoint of the head (the PIC)')
    .option('--cosigner <user>', 'with --by: a second signer of that checkpoint')
    .action(action<{ out?: string; bundle?: string; by?: string; cosigner?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      if (opts.bundle !== undefined) {
        if (opts.out !== undefined) throw new InputError('CONFLICTING_OPTIONS', 'give --out or --bundle, not both')
        const dir = resolve(ctx.cwd, opts.bundle)
        if (existsSync(dir) && readdirSync(dir).length > 0) throw new InputError('FILE_EXISTS', `${dir} exists and is not empty`, { hint: 'export a bundle into a new folder' })
        if (!existsSync(dirname(dir))) throw new InputError('CANNOT_WRITE', `cannot write the bundle to ${dir} (the folder ${dirname(dir)} does not exist)`, { hint: 'create the folder first, or choose another --bundle path' })
        const L = await ledger()
        let fresh: LedgerCheckpoint | undefined
        if (opts.by) {
          const pic = await authenticate(ctx, g, L, opts.by, 'actor')
          const cosigners = opts.cosigner ? [await authenticate(ctx, g, L, opts.cosigner, 'witness')] : []
          fresh = await L.checkpoint({ by: pic, cosigners, requirePic: true })
        }
        const r = await writeBundle(L, dir)
        const data = { ...r, ...(fresh ? { checkpoint: fresh.code } : {}) }
        const text = [
          ...(fresh ? [checkpointText(fresh).trimEnd()] : []),
          `bundle written to ${printable(dir)}`,
          `  entries.jsonl     ${r.entries} entries, head #${r.head?.seq ?? 0} ${r.head?.hash ?? ''}`,
          `  signatures.jsonl  ${r.signatures} signatures`,
          `  keys.txt          ${r.keys} verifier keys read from the chain (an inspector should compare them with keys registered elsewhere)`,
          `  checkpoints/      ${r.checkpoints.length} signed checkpoint${r.checkpoints.length === 1 ? '' : 's'}${r.checkpoints.length === 0 ? ' (sign one with --by <pic>, or `csledger checkpoint`)' : ''}`,
          `check it with: node packages/verifier/bin/csledger-verify.mjs ${dir}`,
        ].join('\n')
        return { exitCode: 0, data, text: `${text}\n` }
      }
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out or --bundle is required', { hint: 'e.g. csledger export --out ledger.jsonl, or csledger export --bundle export-2026-11-26 --by pkim' })
      const out = resolve(ctx.cwd, opts.out)
      const L = await ledger()
      const { entries, last } = await writeAtomically(out, L.exportJsonl())
      // The head is the last line written, not a second read: a write landing meanwhile is not in the file.
      const head = last ? headOf(last) : null
      const data = { out, entries, head }
      return { exitCode: 0, data, text: `exported ${entries} entries to ${printable(out)}\n  head #${head?.seq ?? 0} ${head?.hash ?? ''}\n` }
    }))
  example(cmd, 'csledger export --out 2026-11-ledger.jsonl', 'csledger export --bundle export-2026-11-26 --by pkim')
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

/**
 * The export bundle (docs/checkpoints.md §3, docs/signatures.md): written into a temporary folder
 * beside `dir`, then renamed, so a bundle is either complete or absent.
 */
async function writeBundle(L: Ledger, dir: string): Promise<{ dir: string; entries: number; head: { seq: number; hash: string } | null; signatures: number; keys: number; checkpoints: string[] }> {
  const tmp = `${dir}.partial-${process.pid}`
  await rm(tmp, { recursive: true, force: true })
  try {
    await mkdir(join(tmp, 'checkpoints'), { recursive: true })
  } catch (err) {
    throw cannotWrite(dir, err)
  }
  try {
    // One cut of the ledger: checkpoints read first, then everything up to the head as it was then,
    // so appends made meanwhile cannot leave a checkpoint past the entries or a signature without its entry.
    const stored = []
    for await (const c of L.checkpoints()) stored.push(c)
    const headNow = await L.store.read().head()
    const range = { toSeq: headNow?.seq ?? 0 }
    const entries = await (await writeAtomically(join(tmp, 'entries.jsonl'), L.exportJsonl(range))).entries
    const signatures = await (await writeAtomically(join(tmp, 'signatures.jsonl'), L.exportSignaturesJsonl(range))).entries
    const keys = await L.keysText()
    await writeAtomically(join(tmp, 'keys.txt'), once(keys))
    const names: string[] = []
    for (const c of stored) {
      const stem = String(c.size).padStart(9, '0')
      let name = `${stem}.txt`
      for (let i = 2; names.includes(name); i++) name = `${stem}-${i}.txt`
      names.push(name)
      await writeAtomically(join(tmp, 'checkpoints', name), once(c.note))
    }
    if (existsSync(dir)) await rm(dir, { recursive: true })
    await rename(tmp, dir)
    return { dir, entries, head: headNow ? { seq: headNow.seq, hash: headNow.hash } : null, signatures, keys: keys.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length, checkpoints: names.map((n) => `checkpoints/${n}`) }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

async function* once(text: string): AsyncIterable<string> { yield text }

export function registerVerify(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('verify')
    .description('check the whole chain (hashes, links, order), every entry signature and checkpoint, and rebuild the balances from the entries; exit 5 if anything is wrong')
    .option('--head <seq:hash>', 'a head exported earlier: the ledger must still contain it (catches truncation)')
    .option('--checkpoint <file>', 'a signed checkpoint given out earlier: the ledger must extend it (catches truncation and rewriting); repeatable', collect)
    .option('--chain-only', 'only the hash chain (hashes, links, seq), at SHA-256 speed; no replay of balances, signatures or checkpoints')
    .action(action<{ head?: string; checkpoint?: string[]; chainOnly?: boolean }>(ctx, state, async ({ opts, ledger }) => {
      let expectedHead: { seq: number; hash: string } | undefined
      if (opts.head !== undefined) {
        const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(opts.head)
        if (!m) throw new InputError('INVALID_HEAD', `--head "${opts.head.slice(0, 80)}" is not <seq>:<64 hex hash>`, { hint: 'copy it from `csledger export` or a previous `csledger verify --json`' })
        expectedHead = { seq: Number(m[1]), hash: m[2]! }
      }
      const L = await ledger()
      if (opts.chainOnly) {
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
      const checkpoints: Array<{ label: string; note: string }> = []
      for (const file of opts.checkpoint ?? []) {
        const path = resolve(ctx.cwd, file)
        checkpoints.push({ label: basename(path), note: await readCheckpointFile(path) })
      }
      const report = await L.verify({ ...(expectedHead ? { expectedHead } : {}), ...(checkpoints.length ? { checkpoints } : {}) })
      return {
        exitCode: report.ok ? 0 : 5, data: report, text: verifyText(report, checkpoints.length),
        ...(report.ok ? {} : { error: { code: 'VERIFY_FAILED', message: report.findings[0]?.message ?? 'verification failed', hint: 'keep this file as evidence; compare with a backup or an export given out earlier' } }),
      }
    }, { readonly: true }))
  example(cmd, 'csledger verify', 'csledger verify --head 1200:3f9a…', 'csledger verify --checkpoint count-2026-11-26.txt')
}

function verifyText(report: VerifyReport, given: number): string {
  const lines: string[] = []
  if (report.ok) {
    lines.push(`ok: ${report.entries} entries verified; balances match the entries`, `  head #${report.head?.seq ?? 0} ${report.head?.hash ?? ''}`)
  } else {
    lines.push(`FAILED: ${report.findings.length} finding(s) in ${report.entries} entries`, ...report.findings.map((f) => `  [${f.code}] ${printable(f.message)}`))
  }
  const s = report.signatures
  if (s) lines.push(`  signatures: ${s.verified} verified${s.unsigned_without_key ? `; ${s.unsigned_without_key} by people who had no key yet (written before signing existed)` : ''}${s.omitted_findings ? `; ${s.omitted_findings} more signature findings not listed` : ''}`)
  const all = report.checkpoints ?? []
  const stored = all.filter((c) => c.source === 'stored')
  const latest = stored.filter((c) => c.status === 'ok').at(-1)
  if (stored.length > 0 && stored.every((c) => c.status === 'ok')) {
    lines.push(`  checkpoints: ${stored.length} stored, all extended by this ledger; latest ${latest?.code ?? '-'}${latest?.time ? ` of ${latest.time}` : ''}`)
  }
  for (const c of all.filter((x) => x.source === 'given' || x.status !== 'ok')) {
    const consistent = c.consistency ? `; consistency proof ${c.consistency.size1} -> ${c.consistency.size2}: ${c.consistency.proof.length} hash${c.consistency.proof.length === 1 ? '' : 'es'}, verified` : ''
    lines.push(`  checkpoint ${c.label}: ${c.code ?? '-'}${c.time ? ` of ${c.time}` : ''} ${c.status === 'ok' ? `extended by this ledger, signed by ${c.signed_by.join(', ')}${consistent}` : `FAILED (${c.status})`}`)
  }
  if (given > 0 && report.ok) lines.push(`the ledger extends ${given === 1 ? 'the checkpoint' : `all ${given} checkpoints`} given: nothing it covers was changed or removed`)
  if (!report.ok) lines.push('hint: keep this file as evidence; compare with a backup or an export given out earlier')
  return `${lines.join('\n')}\n`
}
