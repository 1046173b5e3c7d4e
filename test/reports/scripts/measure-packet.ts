// Measures the audit packet on a ledger file: time and peak RSS of one phase per process.
//   node --conditions=@csledger/source test/reports/scripts/measure-packet.ts <db> <from> <to> <phase> [out]
// phase: verify | build | pdf | csv | json. Each phase includes building the report (except verify).
import { createWriteStream } from 'node:fs'
import { Ledger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { auditJsonChunks, buildAuditReport, sourceFromStore, writeAuditCsv, writeAuditPdf } from '@csledger/reports'

const [db, from, to, phase, out = '/tmp/csledger-measure'] = process.argv.slice(2)
if (!db || !from || !to || !phase) throw new Error('usage: measure-packet.ts <db> <from> <to> <verify|build|pdf|csv|json> [out]')
const store = await openSqliteStore(db, { readonly: true })
const L = new Ledger({ store })
const t0 = performance.now()
const cpu0 = process.cpuUsage()
const lap = (label: string, since: number) => ({ [label]: Math.round(performance.now() - since) })
const result: Record<string, unknown> = { phase }
if (phase === 'verify') {
  const v = await L.verify()
  Object.assign(result, lap('verify_ms', t0), { entries: v.entries, ok: v.ok })
} else {
  // The report needs a verification result; a measured run passes a cheap stand-in so the phase is the report alone.
  const head = await store.read().head()
  const verification = { ok: true, entries: head?.seq ?? 0, head: head ? { seq: head.seq, hash: head.hash } : null, findings: [] }
  const report = await buildAuditReport({ source: sourceFromStore(store), verification }, { from, to, generatedAt: '2033-06-01T12:00:00Z', generatedBy: 'mdiaz' })
  Object.assign(result, lap('build_ms', t0), { entries: head?.seq, rows: Object.fromEntries(report.cover.sections.map((s) => [s.name, s.rows])) })
  const t1 = performance.now()
  if (phase === 'pdf') Object.assign(result, await writeAuditPdf(report, createWriteStream(`${out}.pdf`)), lap('pdf_ms', t1))
  if (phase === 'csv') Object.assign(result, { files: (await writeAuditCsv(report, `${out}-csv`)).length }, lap('csv_ms', t1))
  if (phase === 'json') {
    const sink = createWriteStream(`${out}.json`)
    for await (const chunk of auditJsonChunks(report)) if (!sink.write(chunk)) await new Promise<void>((r) => { sink.once('drain', () => r()) })
    await new Promise<void>((r) => { sink.end(() => r()) })
    Object.assign(result, lap('json_ms', t1))
  }
}
result.total_ms = Math.round(performance.now() - t0)
const cpu = process.cpuUsage(cpu0)
result.cpu_ms = Math.round((cpu.user + cpu.system) / 1000)
result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024)
console.log(JSON.stringify(result))
await store.close()
