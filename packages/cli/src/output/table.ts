import { printable } from './printable.ts'

/**
 * An aligned text table (two spaces between columns; numbers right-aligned where marked).
 * Cells are made printable first: a control character or line break in stored text can
 * neither drive the terminal nor forge an extra row.
 */
export function table(headers: readonly string[], rawRows: ReadonlyArray<ReadonlyArray<string>>, options: { right?: readonly number[] } = {}): string {
  const right = new Set(options.right ?? [])
  const rows = rawRows.map((r) => r.map((c) => printable(c)))
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
}
