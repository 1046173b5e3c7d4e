import { type AuditReport, AUDIT_SECTIONS } from '../audit/audit-report.ts'

/**
 * The report object as one JSON document, produced in chunks: the cover and the accountability
 * audit, then each section as an array, rows streamed. Concatenated, the chunks parse to the
 * report with every `RowSection` replaced by its rows.
 *
 * @example
 * for await (const chunk of auditJsonChunks(report)) out.write(chunk)
 */
export async function* auditJsonChunks(report: AuditReport): AsyncIterable<string> {
  yield `{"cover":${JSON.stringify(report.cover)},"accountability":${JSON.stringify(report.accountability)}`
  for (const name of AUDIT_SECTIONS) {
    yield `,${JSON.stringify(name)}:[`
    let first = true
    let buffer = ''
    for await (const row of report[name].rows() as AsyncIterable<unknown>) {
      buffer += (first ? '' : ',') + JSON.stringify(row)
      first = false
      if (buffer.length > 64 * 1024) {
        yield buffer
        buffer = ''
      }
    }
    yield `${buffer}]`
  }
  yield '}\n'
}

/** The report as a plain JSON value, every section materialised (for small periods and tests). */
export async function auditReportJson(report: AuditReport): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of auditJsonChunks(report)) text += chunk
  return JSON.parse(text) as Record<string, unknown>
}
