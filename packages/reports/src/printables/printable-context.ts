import { type Entry, InputError } from '@csledger/ledger-core'
import type { RowContext } from '../audit/audit-rows.ts'
import { indexLedger } from '../audit/ledger-index.ts'
import { type AuditSource, parseEntry } from '../source/audit-source.ts'

/** Who printed a form and when (printed in its footer; the PDF's creation date). */
export interface PrintOptions {
  readonly generatedAt: string
  readonly generatedBy: string
}

/** What every printable form carries besides its own content. */
export interface PrintableHeader {
  readonly registrant: { readonly name: string; readonly address: string; readonly dea_number: string }
  readonly timezone: string
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly generated_at: string
  readonly generated_by: string
}

/**
 * Indexes the whole ledger (no period) and finds the entries a form is about: one pass for the
 * index, one to pick the entries `want` accepts.
 */
export async function printableContext(source: AuditSource, options: PrintOptions, want: (row: { seq: number; kind: string }) => boolean): Promise<{ ctx: RowContext; header: PrintableHeader; entries: Entry[] }> {
  if (Number.isNaN(Date.parse(options.generatedAt))) throw new InputError('INVALID_TIME', `generatedAt "${options.generatedAt}" is not an ISO-8601 time`)
  const generatedAt = new Date(options.generatedAt).toISOString()
  const index = await indexLedger(source, () => ({ start: '0000-01-01T00:00:00.000Z', end: '9999-12-31T23:59:59.999Z' }))
  if (!index.registrant) throw new InputError('NO_LEDGER', 'the ledger has no registrant entry: it is empty or not a csledger chain', { hint: 'initialise it with `csledger init`' })
  const entries: Entry[] = []
  for await (const row of source.rows()) if (want(row)) entries.push(parseEntry(row))
  const by = index.users.get(options.generatedBy)
  return {
    ctx: { index, bounds: index.bounds, filters: { schedule: null, product: null, location: null }, generatedAt },
    header: {
      registrant: { name: index.registrant.name, address: index.registrant.address, dea_number: index.registrant.dea_number },
      timezone: index.timezone, head: index.head, generated_at: generatedAt,
      generated_by: by ? `${by.name} (${options.generatedBy}, ${by.role})` : options.generatedBy,
    },
    entries,
  }
}
