import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type CountEntryInput, type CountSheet, InputError } from '@csledger/ledger-core'
import type { CliContext } from './context.ts'

/** Parses repeatable `--item <ref>=<value>` flags. */
export function itemsFromFlags(flags: readonly string[]): CountEntryInput[] {
  return flags.map((f) => {
    const i = f.lastIndexOf('=')
    if (i <= 0 || i === f.length - 1) throw new InputError('INVALID_ITEM', `--item "${f.slice(0, 60)}" is not <item>=<value>`, { hint: 'e.g. --item K2417A=3 (sealed containers of a lot) or --item C-0042=3.2mL (mL left in an open container)' })
    return { ref: f.slice(0, i), value: f.slice(i + 1) }
  })
}

/**
 * Reads a count sheet: CSV (RFC 4180) with a header row `item,count`, one item per row; blank
 * lines, a BOM and CRLF line ends (as spreadsheets save them) are accepted. Errors name the file
 * and the line the row starts on, counting blank lines.
 */
export async function itemsFromSheet(ctx: CliContext, file: string): Promise<CountEntryInput[]> {
  const path = resolve(ctx.cwd, file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new InputError('CANNOT_READ', `cannot read count sheet ${file}`, { hint: 'check the path' })
  }
  const { parse } = await import('csv-parse/sync')
  let rows: Array<{ record: string[]; info: { bytes: number } }>
  try {
    rows = parse(text, { bom: true, info: true, relax_column_count: false, skip_empty_lines: true, trim: true }) as unknown as typeof rows
  } catch (err) {
    const line = (err as { lines?: unknown }).lines
    throw new InputError('INVALID_SHEET', `${file}${typeof line === 'number' ? `:${line}` : ''}: ${(err as Error).message}`, { hint: 'a count sheet is CSV with a header row "item,count" and two cells per row' })
  }
  const lineOf = startLines(Buffer.from(text, 'utf8'))
  const [header, ...body] = rows.map((r) => ({ cells: r.record, line: lineOf(r.info.bytes) }))
  if (!header || header.cells[0]?.toLowerCase() !== 'item' || header.cells[1]?.toLowerCase() !== 'count') {
    throw new InputError('INVALID_SHEET', `${file}:${header?.line ?? 1}: the header must be "item,count"`, { hint: 'e.g.\n  item,count\n  K2417A,3\n  C-0042,3.2mL' })
  }
  return body.map(({ cells, line }) => {
    if (!cells[0] || cells[1] === undefined || cells[1] === '') throw new InputError('INVALID_SHEET', `${file}:${line}: an item and its count are both needed`, { hint: 'write the count, 0 if none' })
    return { ref: cells[0], value: cells[1], source: { file, line } }
  })
}

/**
 * Given the byte offset where each record ends (csv-parse `info.bytes`, called in order), the
 * 1-based line its first character is on. csv-parse's own `info.lines` is the line a record
 * ends on, and miscounts CRLF inside quoted cells.
 */
function startLines(buf: Buffer): (end: number) => number {
  let pos = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
  let line = 1
  return (end) => {
    while (pos < end && (buf[pos] === 0x0a || buf[pos] === 0x0d || buf[pos] === 0x20 || buf[pos] === 0x09)) if (buf[pos++] === 0x0a) line++
    const start = line
    while (pos < end) if (buf[pos++] === 0x0a) line++
    return start
  }
}

/** Walks the blind sheet at a terminal, in shelf order; expected values are never shown. */
export async function itemsFromPrompts(ctx: CliContext, sheet: CountSheet, options: { allowEstimate?: boolean } = {}): Promise<CountEntryInput[]> {
  const out: CountEntryInput[] = []
  const total = sheet.sealed.length + sheet.open.length
  let n = 0
  const prefix = (loc: string) => (sheet.location === '*' ? `${loc}/` : '')
  for (const s of sheet.sealed as ReadonlyArray<{ product: string; lot: string; location?: string }>) {
    n++
    const value = await ctx.prompter.input({ message: `[${n}/${total}] ${s.location ? `${s.location}: ` : ''}${s.product} lot ${s.lot}: sealed containers counted`, validate: (v) => (/^\d{1,6}$/.test(v.trim()) ? true : 'a whole number, 0 if none') })
    out.push({ ref: `${prefix(s.location ?? '')}${s.product}:${s.lot}`, value: value.trim() })
  }
  for (const c of sheet.open as ReadonlyArray<{ container: string; product: string; lot: string; location?: string }>) {
    n++
    const value = await ctx.prompter.input({ message: `[${n}/${total}] ${c.location ? `${c.location}: ` : ''}${c.container} (${c.product} lot ${c.lot}): mL left in the container${options.allowEstimate ? ' (add ~ if estimated)' : ''}`, validate: (v) => (/^\d{1,4}(\.\d{1,4})?\s*(mL|ml)?\s*~?$/.test(v.trim()) ? true : 'a volume in mL, e.g. 3.2') })
    out.push({ ref: c.container, value: value.trim() })
  }
  return out
}
