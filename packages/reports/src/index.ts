// @csledger/reports: report models built once from ledger entries, rendered as PDF, CSV and JSON.
// Never touches a database: it reads entries through an AuditSource.

// Reading the ledger
export { parseEntry, sourceFromEntries, sourceFromJsonl, sourceFromStore } from './source/audit-source.ts'
export type { AuditSource, SourceRow } from './source/audit-source.ts'

// The audit packet: model and builder
export { buildAuditReport } from './audit/build-audit-report.ts'
export type { AuditInput, AuditOptions, VerificationInput } from './audit/build-audit-report.ts'
export { AUDIT_SECTIONS } from './audit/audit-report.ts'
export type * from './audit/audit-report.ts'
export type { ReportProgress } from './audit/ledger-index.ts'
export { ACCOUNTABILITY_METHOD } from './audit/accountability.ts'
export { summarizeAudit } from './audit/summarize-audit.ts'
export type { AuditSummary } from './audit/summarize-audit.ts'
export { LATE_RECORD_MINUTES } from './audit/audit-rows.ts'

// Signed checkpoints as documents print them
export { checkpointStamp } from './checkpoint/checkpoint-stamp.ts'
export type { CheckpointGiven, CheckpointStamp } from './checkpoint/checkpoint-stamp.ts'

// Renderers of the audit packet
export { renderAuditPdf, writeAuditPdf } from './pdf/render-audit-pdf.ts'
export type { AuditPdfOptions } from './pdf/render-audit-pdf.ts'
export { auditCsvFiles, csvRecord, writeAuditCsv } from './csv/audit-csv.ts'
export type { AuditCsvFile } from './csv/audit-csv.ts'
export { csvCell } from './csv/csv-cell.ts'
export type { CsvColumn, CsvType } from './csv/csv-cell.ts'
export { auditJsonChunks, auditReportJson } from './json/audit-json.ts'

// Single printable forms
export { buildCountSheet, buildForm106Draft, buildForm41Record, buildInventoryForm } from './printables/build-forms.ts'
export type { CountSheetDocument, CountSheetInput, Form106Draft, Form41Record, InventoryForm } from './printables/build-forms.ts'
export type { PrintOptions, PrintableHeader } from './printables/printable-context.ts'
export {
  renderCountSheetPdf, renderForm106Pdf, renderForm41Pdf, renderInventoryPdf, writeCountSheetPdf, writeForm106Pdf, writeForm41Pdf, writeInventoryPdf,
} from './pdf/render-forms.ts'

// Helpers shared with other renderers
export { localDateOf, localDateTime, localMidnight } from './format/local-time.ts'
