import { createWriteStream, existsSync, readdirSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import type { Command } from 'commander'
import { InputError, type Ledger, type LedgerCheckpoint, type VerifyReport } from '@csledger/ledger-core'
import { authenticate } from '../auth.ts'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext } from '../context.ts'
import { checkpointText } from './checkpoint.ts'

const collect = (v: string, prev: string[] = []) => [...prev, v]

export function registerExport(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('export')
    .description('write the raw chain as JSONL, one entry per line exactly as hashed (docs/ledger-format.md); with --bundle, a folder for csledger-verify (docs/signatures.md)')
    .option('--out <file.jsonl>', 'output file (the chain alone)')
    .option('--bundle <dir>', 'write a verification bundle instead: entries.jsonl, signatures.jsonl, keys.txt, checkpoints/')
    .option('--by <pic>', 'with --bundle: first sign a fresh checkpoint of the head (the PIC)')
    .option('--cosigner <user>', 'with --by: a second signer of that checkpoint')
    .action(action<{ out?: string; bundle?: string; by?: string; cosigner?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      if (opts.bundle !== undefined) {
        if (opts.out !== undefined) throw new InputError('CONFLICTING_OPTIONS', 'give --out or --bundle, not both')
        const dir = resolve(ctx.cwd, opts.bundle)
        if (existsSync(dir) && readdirSync(dir).length > 0) throw new InputError('FILE_EXISTS', `${dir} exists and is not empty`, { hint: 'export a bundle into a new folder' })
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
          `bundle written to ${dir}`,
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
      const entries = await writeLines(out, L.exportJsonl())
      const head = await L.store.read().head()
      const data = { out, entries, head: head ? { seq: head.seq, hash: head.hash } : null }
      return { exitCode: 0, data, text: `exported ${entries} entries to ${out}\n  head #${head?.seq ?? 0} ${head?.hash ?? ''}\n` }
    }))
  example(cmd, 'csledger export --out 2026-11-ledger.jsonl', 'csledger export --bundle export-2026-11-26 --by pkim')
}

/** Writes lines to a file through a temporary name, so a half-written file never has the final name. */
async function writeLines(out: string, lines: AsyncIterable<string>): Promise<number> {
  const tmp = `${out}.partial-${process.pid}`
  const stream = createWriteStream(tmp, { flags: 'wx' })
  let n = 0
  try {
    for await (const line of lines) {
      n++
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
  return n
}

/**
 * The export bundle (docs/checkpoints.md §3, docs/signatures.md): written into a temporary folder
 * beside `dir`, then renamed, so a bundle is either complete or absent.
 */
async function writeBundle(L: Ledger, dir: string): Promise<{ dir: string; entries: number; head: { seq: number; hash: string } | null; signatures: number; keys: number; checkpoints: string[] }> {
  const tmp = `${dir}.partial-${process.pid}`
  await rm(tmp, { recursive: true, force: true })
  await mkdir(join(tmp, 'checkpoints'), { recursive: true })
  try {
    // One cut of the ledger: checkpoints read first, then everything up to the head as it was then,
    // so appends made meanwhile cannot leave a checkpoint past the entries or a signature without its entry.
    const stored = []
    for await (const c of L.checkpoints()) stored.push(c)
    const headNow = await L.store.read().head()
    const range = { toSeq: headNow?.seq ?? 0 }
    const entries = await writeLines(join(tmp, 'entries.jsonl'), L.exportJsonl(range))
    const signatures = await writeLines(join(tmp, 'signatures.jsonl'), L.exportSignaturesJsonl(range))
    const keys = await L.keysText()
    await writeFile(join(tmp, 'keys.txt'), keys, { flag: 'wx' })
    const names: string[] = []
    for (const c of stored) {
      const stem = String(c.size).padStart(9, '0')
      let name = `${stem}.txt`
      for (let i = 2; names.includes(name); i++) name = `${stem}-${i}.txt`
      names.push(name)
      await writeFile(join(tmp, 'checkpoints', name), c.note, { flag: 'wx' })
    }
    if (existsSync(dir)) await rm(dir, { recursive: true })
    await rename(tmp, dir)
    return { dir, entries, head: headNow ? { seq: headNow.seq, hash: headNow.hash } : null, signatures, keys: keys.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length, checkpoints: names.map((n) => `checkpoints/${n}`) }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

export function registerVerify(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('verify')
    .description('check the whole chain (hashes, links, order), every entry signature and checkpoint, and rebuild the balances from the entries; exit 5 if anything is wrong')
    .option('--head <seq:hash>', 'a head exported earlier: the ledger must still contain it (catches truncation)')
    .option('--checkpoint <file>', 'a signed checkpoint given out earlier: the ledger must extend it (catches truncation and rewriting); repeatable', collect)
    .action(action<{ head?: string; checkpoint?: string[] }>(ctx, state, async ({ opts, ledger }) => {
      let expectedHead: { seq: number; hash: string } | undefined
      if (opts.head !== undefined) {
        const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(opts.head)
        if (!m) throw new InputError('INVALID_HEAD', `--head "${opts.head.slice(0, 80)}" is not <seq>:<64 hex hash>`, { hint: 'copy it from `csledger export` or a previous `csledger verify --json`' })
        expectedHead = { seq: Number(m[1]), hash: m[2]! }
      }
      const checkpoints: Array<{ label: string; note: string }> = []
      for (const file of opts.checkpoint ?? []) {
        const path = resolve(ctx.cwd, file)
        if (!existsSync(path)) throw new InputError('NO_SUCH_FILE', `no checkpoint file ${path}`, { hint: 'give the file written by `csledger checkpoint --out` (or kept from a count)' })
        checkpoints.push({ label: basename(path), note: await readFile(path, 'utf8') })
      }
      const report = await (await ledger()).verify({ ...(expectedHead ? { expectedHead } : {}), ...(checkpoints.length ? { checkpoints } : {}) })
      return { exitCode: report.ok ? 0 : 5, data: report, text: verifyText(report, checkpoints.length) }
    }, { readonly: true }))
  example(cmd, 'csledger verify', 'csledger verify --head 1200:3f9a…', 'csledger verify --checkpoint count-2026-11-26.txt')
}

function verifyText(report: VerifyReport, given: number): string {
  const lines: string[] = []
  if (report.ok) {
    lines.push(`ok: ${report.entries} entries verified; balances match the entries`, `  head #${report.head?.seq ?? 0} ${report.head?.hash ?? ''}`)
  } else {
    lines.push(`FAILED: ${report.findings.length} finding(s) in ${report.entries} entries`, ...report.findings.map((f) => `  [${f.code}] ${f.message}`))
  }
  const s = report.signatures
  if (s) lines.push(`  signatures: ${s.verified} verified${s.unsigned_without_key ? `; ${s.unsigned_without_key} by people who had no key yet (written before signing existed)` : ''}${s.omitted_findings ? `; ${s.omitted_findings} more signature findings not listed` : ''}`)
  for (const c of report.checkpoints ?? []) {
    const consistent = c.consistency ? `; consistency proof ${c.consistency.size1} -> ${c.consistency.size2}: ${c.consistency.proof.length} hash${c.consistency.proof.length === 1 ? '' : 'es'}, verified` : ''
    lines.push(`  checkpoint ${c.label}: ${c.code ?? '-'}${c.time ? ` of ${c.time}` : ''} ${c.status === 'ok' ? `extended by this ledger, signed by ${c.signed_by.join(', ')}${consistent}` : `FAILED (${c.status})`}`)
  }
  if (given > 0 && report.ok) lines.push(`the ledger extends ${given === 1 ? 'the checkpoint' : `all ${given} checkpoints`} given: nothing it covers was changed or removed`)
  if (!report.ok) lines.push('hint: keep this file as evidence; compare with a backup or an export given out earlier')
  return `${lines.join('\n')}\n`
}
