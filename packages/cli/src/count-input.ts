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
 * Reads a count sheet: CSV (RFC 4180) with a header row `item,count`, one item per row; errors
 * name the file and line.
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
  let rows: string[][]
  try {
    rows = parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][]
  } catch (err) {
    throw new InputError('INVALID_SHEET', `${file}: ${(err as Error).message}`, { hint: 'a count sheet is CSV with a header row "item,count"' })
  }
  const [header, ...body] = rows
  if (!header || header[0]?.toLowerCase() !== 'item' || header[1]?.toLowerCase() !== 'count') {
    throw new InputError('INVALID_SHEET', `${file}:1: the header must be "item,count"`, { hint: 'e.g.\n  item,count\n  K2417A,3\n  C-0042,3.2mL' })
  }
  return body.map((r, i) => {
    if (!r[0] || r[1] === undefined || r[1] === '') throw new InputError('INVALID_SHEET', `${file}:${i + 2}: an item and its count are both needed`, { hint: 'write the count, 0 if none' })
    return { ref: r[0], value: r[1], source: { file, line: i + 2 } }
  })
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
