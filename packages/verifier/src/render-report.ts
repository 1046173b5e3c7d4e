import type { BundleFinding, VerifyReport } from './verify-bundle.ts'

const STATUS_TEXT = {
  'ok': 'ok',
  'bad-note': 'MALFORMED',
  'bad-signature': 'SIGNATURE NOT VERIFIED',
  'other-origin': 'OTHER LEDGER',
  'truncated': 'ENTRIES MISSING',
  'root-mismatch': 'DOES NOT MATCH ENTRIES',
} as const

/**
 * The report as text for a person: what was checked, every finding (errors first) with its place,
 * then the verdict on the last line.
 *
 * @example
 * process.stdout.write(renderReportText(await verifyBundle(dir)))
 */
export function renderReportText(r: VerifyReport): string {
  const out: string[] = [`csledger-verify: ${r.bundle}`]
  const row = (label: string, value: string) => out.push(`  ${label.padEnd(12)} ${value}`)
  row('ledger', r.ledgerId ?? '(unknown)')
  if (r.origin) row('origin', r.origin)
  row('entries', r.head ? `${r.entries} (seq 1-${r.head.seq}), head ${r.head.hash}` : String(r.entries))
  row('keys', r.keys.length ? r.keys.join(', ') : '(none)')
  const sg = r.signatures
  row('signatures', sg.file || sg.keyedUsers > 0 ? `${sg.verified} verified (keys of ${sg.keyedUsers} user${sg.keyedUsers === 1 ? '' : 's'} recorded in the chain)${sg.unsignedWithoutKey ? `; ${sg.unsignedWithoutKey} by people without a key (before signing existed)` : ''}` : '(none: no user has a signing key)')
  row('checkpoints', String(r.checkpoints.length))
  for (const c of r.checkpoints) {
    const signers = c.signedBy.length ? `signed by ${c.signedBy.join(', ')}` : 'no trusted signature'
    const unknown = c.unknownSigners.length ? ` (also ${c.unknownSigners.join(', ')}, not trusted)` : ''
    out.push(`    ${c.file}  ${c.code ?? '-'}${c.time ? `  of ${c.time}` : ''}  ${signers}${unknown}  [${STATUS_TEXT[c.status]}]`)
  }
  const counts = (['error', 'warning', 'info'] as const).map((s) => r.findings.filter((f) => f.severity === s).length)
  out.push(`findings: ${counts[0]} error${counts[0] === 1 ? '' : 's'}, ${counts[1]} warning${counts[1] === 1 ? '' : 's'}, ${counts[2]} note${counts[2] === 1 ? '' : 's'}`)
  for (const severity of ['error', 'warning', 'info'] as const) {
    for (const f of r.findings.filter((x) => x.severity === severity)) out.push(`  ${renderFinding(f)}`)
  }
  if (r.omittedFindings > 0) out.push(`  … ${r.omittedFindings} more findings not shown`)
  out.push(`verdict: ${r.verdict}`)
  return `${out.join('\n')}\n`
}

function renderFinding(f: BundleFinding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}: ` : ''
  return `${f.severity}[${f.code}] ${where}${f.message}`
}
