import type { AuditReport } from './audit-report.ts'

/** What needs attention in a packet: for the CLI's one-line summary and its exit code. */
export interface AuditSummary {
  readonly verification_ok: boolean
  /** The code of the signed checkpoint on the cover, if any, and whether the packet's entries match it. */
  readonly checkpoint: { readonly code: string; readonly consistent: boolean } | null
  /** The ledger changed between the verification and the report. */
  readonly ledger_moved: boolean
  /** Products whose physical count differs from the expected closing (code and difference in mg). */
  readonly differences: ReadonlyArray<{ readonly product: string; readonly mg: string }>
  /** Products not counted at every location in the period. */
  readonly not_counted: readonly string[]
  readonly open_discrepancies: number
  readonly overdue_discrepancies: number
  /** Loss notices or Form 106 filings overdue or made late. */
  readonly loss_clocks_missed: number
  readonly missing_cosigns: number
  readonly late_cosigns: number
  readonly late_witnesses: number
  /** Exit code the CLI may use: 5 verification failed or the checkpoint does not match, 1 something needs attention, 0 clean. */
  readonly exit_code: 0 | 1 | 5
}

/**
 * Summarises what needs attention in a packet (one more pass over the waste log).
 *
 * @example
 * const s = await summarizeAudit(report)
 * process.exitCode = s.exit_code
 */
export async function summarizeAudit(report: AuditReport): Promise<AuditSummary> {
  const products = report.accountability.products
  const differences = products.filter((p) => p.difference !== null && p.difference.mg !== '0').map((p) => ({ product: p.product, mg: p.difference!.mg }))
  const notCounted = products.filter((p) => p.counted === null && p.locations.length > 0).map((p) => p.product)
  let open = 0
  let overdue = 0
  for await (const d of report.discrepancies.rows()) {
    if (d.status === 'open') open++
    if (d.status === 'overdue') overdue++
  }
  let clocks = 0
  for await (const l of report.losses.rows()) {
    for (const s of [l.notice_status, l.form106_status]) if (s === 'overdue' || s === 'done-late') clocks++
  }
  let missing = 0
  let late = 0
  let witnesses = 0
  for await (const w of report.waste.rows()) {
    if (w.cosign_status === 'missing') missing++
    if (w.cosign_status === 'late') late++
    if (w.witness_late) witnesses++
  }
  const v = report.cover.verification
  const cp = report.cover.checkpoint
  const intact = v.ok && (cp === null || cp.consistent)
  const attention = differences.length + notCounted.length + open + overdue + clocks + missing + late + witnesses > 0 || !v.matches_report
  return {
    verification_ok: v.ok, checkpoint: cp ? { code: cp.code, consistent: cp.consistent } : null, ledger_moved: !v.matches_report, differences, not_counted: notCounted, open_discrepancies: open, overdue_discrepancies: overdue,
    loss_clocks_missed: clocks, missing_cosigns: missing, late_cosigns: late, late_witnesses: witnesses, exit_code: !intact ? 5 : attention ? 1 : 0,
  }
}
