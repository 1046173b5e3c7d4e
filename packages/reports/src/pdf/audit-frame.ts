import { localDateTime } from '../format/local-time.ts'
import { LETTER, type PdfFrame, type PdfWriter } from './pdf-writer.ts'

/** What every page of a csledger document carries in its header and footer. */
export interface FrameFacts {
  readonly registrant: { readonly name: string; readonly dea_number: string }
  /** Right side of the first header line, e.g. "Audit packet 2027-01-01 to 2027-03-31". */
  readonly document: string
  /** Right side of the second header line, e.g. "Local times: America/New_York". */
  readonly detail: string
  readonly head: { readonly seq: number; readonly hash: string } | null
  readonly generatedAt: string
  readonly generatedBy: string
  readonly timezone: string
}

/**
 * The page frame of csledger documents: Letter (landscape for the audit packet, portrait for
 * single forms), a two-line running header (registrant, DEA number, document, section) and a
 * two-line footer ("Page i of n", the ledger head seq and full SHA-256 hash, who generated it
 * and when).
 */
export function documentFrame(facts: FrameFacts, orientation: 'landscape' | 'portrait'): PdfFrame {
  const landscape = orientation === 'landscape'
  const width = landscape ? LETTER.height : LETTER.width
  const height = landscape ? LETTER.width : LETTER.height
  const margins = { top: 52, bottom: 42, left: landscape ? 32 : 40, right: landscape ? 32 : 40 }
  const generated = `Generated ${localDateTime(facts.generatedAt, facts.timezone)} (${facts.timezone}) by ${facts.generatedBy}`
  return {
    width, height, margins,
    header: (w: PdfWriter) => {
      const inner = width - margins.left - margins.right
      w.marginLine(facts.registrant.name, margins.left, 18, { font: 'Helvetica-Bold', size: 8.5 })
      w.marginLine(`DEA ${facts.registrant.dea_number}  |  ${facts.document}`, margins.left, 18, { font: 'Helvetica', size: 8, align: 'right', width: inner })
      w.marginLine(w.section, margins.left, 30, { font: 'Helvetica-Oblique', size: 7.5 })
      w.marginLine(facts.detail, margins.left, 30, { font: 'Helvetica', size: 7.5, align: 'right', width: inner })
      w.doc.save().moveTo(margins.left, 41).lineTo(width - margins.right, 41).lineWidth(0.5).strokeColor('#000000').stroke().restore()
    },
    footer: (w: PdfWriter, page: number, total: number) => {
      const inner = width - margins.left - margins.right
      const y = height - margins.bottom + 10
      w.doc.save().moveTo(margins.left, y - 4).lineTo(width - margins.right, y - 4).lineWidth(0.5).strokeColor('#000000').stroke().restore()
      const head = facts.head ? `Ledger head #${facts.head.seq}  SHA-256 ${facts.head.hash}` : 'Ledger head: empty ledger'
      w.marginLine(head, margins.left, y, { font: 'Courier', size: landscape ? 7 : 6.2 })
      w.marginLine(`Page ${page} of ${total}`, margins.left, y, { font: 'Helvetica-Bold', size: 8, align: 'right', width: inner })
      w.marginLine(generated, margins.left, y + 10, { font: 'Helvetica', size: 7 })
    },
  }
}
