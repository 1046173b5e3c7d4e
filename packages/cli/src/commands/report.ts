import { open, rename, rm, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import type { Command } from 'commander'
import { InputError, type Ledger, type Principal, REGISTRANT_KEY } from '@csledger/ledger-core'
import { need } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example, parseSeq } from '../command-kit.ts'
import type { CliContext, GlobalOptions } from '../context.ts'
import { documentCheckpoint, newestExtendedCheckpoint, newestVerifiedCheckpoint } from '../document-checkpoint.ts'
import { progressBar } from '../progress.ts'

interface AuditFlags { from?: string; to?: string; schedule?: string; product?: string; location?: string; format?: string; out?: string; by?: string }
/** A caller that already holds the generating user's opened key (the demo) passes it instead of --by. */
type AuditRun = AuditFlags & { signer?: Principal }

/**
 * Writes a PDF through a temporary file renamed into place, so a reader never sees half a packet.
 */
async function writePdfFile(path: string, write: (sink: NodeJS.WritableStream) => Promise<unknown>): Promise<void> {
  if (await stat(path).then(() => true, () => false)) {
    throw new InputError('FILE_EXISTS', `${path} already exists; a report never overwrites a file`, { hint: 'choose a new file name, e.g. with the date' })
  }
  const tmp = `${path}.partial-${process.pid}`
  // Open the file before writing anything, so a bad path is CANNOT_WRITE, not an unhandled stream error.
  let fh
  try {
    fh = await open(tmp, 'wx')
  } catch (err) {
    throw new InputError('CANNOT_WRITE', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint: 'check that the folder exists and is writable' })
  }
  const sink = fh.createWriteStream()
  try {
    await write(sink)
    if (!sink.writableEnded) sink.end()
    await finished(sink)
    await rename(tmp, path)
  } catch (err) {
    sink.destroy()
    await rm(tmp, { force: true })
    throw err
  }
}


function checkpointLine(cp: { code: string; size: number; basis: string; consistent: boolean } | null): string {
  if (!cp) return '  no signed checkpoint on the cover: none has been signed (add --by, or run `csledger checkpoint`)'
  if (!cp.consistent) return `  CHECKPOINT MISMATCH: the packet's entries do not match checkpoint ${cp.code}`
  return `  checkpoint ${cp.code} on the cover (${cp.basis === 'signed-now' ? 'signed for this packet' : `the newest stored one; entries 1-${cp.size}`})`
}

export async function runAuditReport(ctx: CliContext, g: GlobalOptions, L: Ledger, o: AuditRun): Promise<{ exitCode: number; data: Record<string, unknown>; text: string }> {
  const reports = await import('@csledger/reports')
  const format = o.format ?? 'pdf'
  if (!['pdf', 'csv', 'json'].includes(format)) throw new InputError('INVALID_FORMAT', `--format ${format.slice(0, 10)} is not pdf, csv or json`, { hint: '--format pdf|csv|json' })
  if (!o.from || !o.to) throw new InputError('MISSING_OPTION', '--from and --to are required', { hint: 'e.g. --from 2027-01-01 --to 2027-03-31' })
  if (format !== 'json' && !o.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: format === 'pdf' ? '--out packet.pdf' : '--out packet-csv/ (a folder: one file per section)' })
  if (o.schedule !== undefined && o.schedule !== 'III' && o.schedule !== 'IV') throw new InputError('INVALID_SCHEDULE', `--schedule ${o.schedule.slice(0, 10)} is not III or IV`, { hint: '--schedule III (ketamine) or IV (midazolam)' })
  const signer = o.signer ?? (o.by ? await authenticate(ctx, g, L, o.by, 'actor') : undefined)
  const by = signer?.username ?? 'unattended'
  const bar = await progressBar(ctx, 'audit packet')
  try {
    // Every packet prints a signed checkpoint: the generating user signs one (before the
    // verification, which then checks it too), else the newest stored one verification accepts.
    let verification: Awaited<ReturnType<Ledger['verify']>> | undefined
    const signed = await documentCheckpoint(L, signer, async () => newestVerifiedCheckpoint(L, verification ??= await L.verify()))
    verification ??= await L.verify()
    const report = await reports.buildAuditReport(
      { source: reports.sourceFromStore(L.store), verification, checkpoint: signed.given },
      {
        from: o.from, to: o.to, ...(o.schedule ? { schedule: o.schedule as 'III' | 'IV' } : {}), ...(o.product ? { product: o.product } : {}), ...(o.location ? { location: o.location } : {}),
        generatedAt: ctx.clock.now().toISOString(), generatedBy: by, onProgress: (p) => bar.update(p),
      },
    )
    const summary = await reports.summarizeAudit(report)
    let written: unknown
    if (format === 'pdf') {
      const out = resolve(ctx.cwd, o.out!)
      let pages = 0
      await writePdfFile(out, async (sink) => { pages = (await reports.writeAuditPdf(report, sink as never, { onProgress: (p) => bar.update(p) })).pages })
      written = { format, out, pages }
    } else if (format === 'csv') {
      const dir = resolve(ctx.cwd, o.out!)
      written = { format, out: dir, files: await reports.writeAuditCsv(report, dir, { onProgress: (p) => bar.update(p) }) }
    } else {
      let text = ''
      for await (const chunk of reports.auditJsonChunks(report)) text += chunk
      written = { format, report: JSON.parse(text) }
    }
    bar.stop()
    const head = report.cover.ledger.head
    const lines = [
      `audit packet ${o.from} to ${o.to}${o.schedule ? ` (schedule ${o.schedule})` : ''}: ${format === 'json' ? 'JSON' : (written as { out: string }).out}`,
      `  ledger head #${head?.seq ?? 0} ${head?.hash ?? ''}; verification ${verification.ok ? 'ok' : 'FAILED'}`,
      checkpointLine(report.cover.checkpoint),
      ...(signed.note ? [`  ${signed.note}`] : []),
      summary.differences.length ? `  count differences: ${summary.differences.map((d) => `${d.product} ${d.mg} mg`).join(', ')}` : '  every counted product matches its expected closing',
      ...(summary.open_discrepancies ? [`  open discrepancies: ${summary.open_discrepancies}${summary.overdue_discrepancies ? ` (${summary.overdue_discrepancies} overdue)` : ''}`] : []),
      ...(summary.missing_cosigns ? [`  waste without a physician co-sign: ${summary.missing_cosigns}`] : []),
      ...(summary.loss_clocks_missed ? [`  loss clocks missed: ${summary.loss_clocks_missed}`] : []),
    ]
    const checkpoint = report.cover.checkpoint ? { code: report.cover.checkpoint.code, size: report.cover.checkpoint.size, basis: report.cover.checkpoint.basis, consistent: report.cover.checkpoint.consistent, note: report.cover.checkpoint.note } : null
    return { exitCode: summary.exit_code, data: { ...(written as object), summary, head, checkpoint, ...(signed.note ? { checkpoint_not_signed: signed.note } : {}) }, text: lines.join('\n') + '\n' }
  } finally {
    bar.stop()
  }
}

export function registerReport(program: Command, ctx: CliContext, state: RunState): void {
  const report = program.command('report').description('the DEA-style audit packet (PDF, CSV, JSON) and single printable forms')
  example(report, 'csledger report audit --from 2027-01-01 --to 2027-03-31 --out q1-audit.pdf', 'csledger report count-sheet --location SAFE-1 --out count-SAFE-1.pdf')
  const audit = report.command('audit')
    .description('the audit packet for a period: cover with verification, accountability per product, every log; exit 1 if it shows problems, 5 if the chain fails')
    .option('--from <date>', 'first day (YYYY-MM-DD, local to the registrant)')
    .option('--to <date>', 'last day (inclusive)')
    .option('--schedule <III|IV>', 'only schedule III (ketamine) or IV (midazolam)')
    .option('--product <code>', 'only this product')
    .option('--location <code>', 'only this location')
    .option('--format <pdf|csv|json>', 'pdf (default), csv (a folder, one file per section) or json')
    .option('--out <path>', 'the PDF file, or the CSV folder')
    .option('--by <user>', 'who generates it (asked for their passphrase)')
    .action(action<AuditFlags>(ctx, state, async ({ opts, g, ledger }) => {
      const r = await runAuditReport(ctx, g, await ledger(), opts)
      return { ...r, ...(r.exitCode !== 0 ? { error: { code: r.exitCode === 5 ? 'VERIFY_FAILED' : 'PROBLEMS_FOUND', message: r.exitCode === 5 ? 'the ledger fails verification; the packet says so on its cover' : 'the packet shows items that need attention', hint: 'read the packet\'s accountability and discrepancy sections' } } : {}) }
    }, { readonly: (o) => !o.by }))
  example(audit, 'csledger report audit --from 2027-01-01 --to 2027-03-31 --format pdf --out q1-audit.pdf --by auditor1', 'csledger report audit --from 2027-01-01 --to 2027-03-31 --schedule III --format csv --out q1-csv/')

  // When and by whom a form is printed (with --by, that user proved presence by passphrase; else "unattended").
  type Print = { generatedAt: string; generatedBy: string }
  // Only a count sheet signs a checkpoint (when --by is given): the others never write.
  const printable = (name: string, description: string, build: (L: Ledger, reports: typeof import('@csledger/reports'), opts: Record<string, string | undefined>, positional: Array<string | undefined>, print: Print, signer: Principal | undefined) => Promise<{ write: (sink: NodeJS.WritableStream) => Promise<unknown>; what: string; notes?: string[] }>, configure: (c: Command) => Command) => {
    const c = configure(report.command(name).description(description))
      .option('--out <file.pdf>', 'the PDF to write')
      .option('--by <user>', 'who prints it (asked for their passphrase)')
      .action(action<Record<string, string | undefined>>(ctx, state, async ({ opts, g, ledger, positional }) => {
        const out = await need(ctx, g, opts.out, '--out', 'PDF file to write:')
        const L = await ledger()
        const reports = await import('@csledger/reports')
        const signer = opts.by ? await authenticate(ctx, g, L, opts.by, 'actor') : undefined
        const print = { generatedAt: ctx.clock.now().toISOString(), generatedBy: signer?.username ?? 'unattended' }
        const doc = await build(L, reports, opts, positional, print, signer)
        const path = resolve(ctx.cwd, out)
        await writePdfFile(path, doc.write)
        return { exitCode: 0, data: { out: path, document: doc.what }, text: `${doc.what} written to ${path}\n${(doc.notes ?? []).map((n) => `  ${n}\n`).join('')}` }
      }, { readonly: (o) => !(o.by && name === 'count-sheet') }))
    return c
  }
  example(printable('inventory', 'a formal inventory as a signable 1304.11 record (default: the latest)', async (L, r, o, _p, print) => {
    const doc = await r.buildInventoryForm(r.sourceFromStore(L.store), { ...print, ...(o.seq ? { seq: parseSeq(o.seq) } : {}) })
    return { write: (s) => r.writeInventoryPdf(doc, s as never), what: `inventory #${doc.inventory.seq}` }
  }, (c) => c.option('--seq <seq>', 'the inventory entry (default: the latest)')), 'csledger report inventory --out inventory-2027-01-04.pdf')
  example(printable('form106 <loss>', 'a DEA Form 106 draft for a theft or loss', async (L, r, _o, p, print) => {
    const doc = await r.buildForm106Draft(r.sourceFromStore(L.store), { ...print, loss: p[0]! })
    return { write: (s) => r.writeForm106Pdf(doc, s as never), what: `Form 106 draft for ${p[0]}` }
  }, (c) => c), 'csledger report form106 L-0001 --out form106-L-0001.pdf')
  example(printable('form41 <seq>', 'a DEA Form 41 record for an on-site destruction', async (L, r, _o, p, print) => {
    const doc = await r.buildForm41Record(r.sourceFromStore(L.store), { ...print, seq: parseSeq(p[0]!) })
    return { write: (s) => r.writeForm41Pdf(doc, s as never), what: `Form 41 record for disposal #${p[0]}` }
  }, (c) => c), 'csledger report form41 2051 --out form41-2051.pdf')
  example(printable('count-sheet', 'a blind daily count sheet for a location (no expected values; the ledger position to count against)', async (L, r, o, _p, print, signer) => {
    if (!o.location) throw new InputError('MISSING_OPTION', '--location is required', { hint: 'e.g. --location SAFE-1' })
    const read = L.store.read()
    const reg = (await read.get('registrant', REGISTRANT_KEY))!
    const loc = await read.get('location', o.location)
    // The sheet carries a checkpoint of the ledger as it is printed (signed by --by), or the newest one it extends.
    const signed = await documentCheckpoint(L, signer, () => newestExtendedCheckpoint(L))
    const doc = r.buildCountSheet({
      ...print, checkpoint: signed.given, registrant: { name: reg.name, address: reg.address, dea_number: reg.dea_number }, timezone: reg.timezone,
      location: { code: o.location, name: loc?.name ?? o.location }, sheet: await L.countSheet(o.location), products: await read.list('product'), head: await read.head(),
    })
    const line = doc.checkpoint ? `checkpoint ${doc.checkpoint.code} printed on the sheet (${doc.checkpoint.basis === 'signed-now' ? 'signed now' : 'the newest stored one'})` : 'no checkpoint on the sheet: none has been signed (add --by to sign one)'
    return { write: (s) => r.writeCountSheetPdf(doc, s as never), what: `count sheet for ${o.location} at #${doc.based_on_seq}`, notes: [line, ...(signed.note ? [signed.note] : [])] }
  }, (c) => c.option('--location <code>', 'the location to count')), 'csledger report count-sheet --location SAFE-1 --out count-SAFE-1.pdf')
}
