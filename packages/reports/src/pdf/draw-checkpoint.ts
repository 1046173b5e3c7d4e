import QRCode from 'qrcode'
import type { CheckpointStamp } from '../checkpoint/checkpoint-stamp.ts'
import { localDateTime } from '../format/local-time.ts'
import type { PdfWriter } from './pdf-writer.ts'

/** Modules of quiet zone around a QR code (ISO/IEC 18004 asks for 4). */
const QUIET = 4

/**
 * Draws `text` as a QR code (byte mode, UTF-8, error correction M) at (x, y), `side` points square
 * including the quiet zone, as filled vector rectangles: sharp at any print resolution, and the
 * same bytes for the same text.
 */
export function drawQrCode(w: PdfWriter, text: string, x: number, y: number, side: number): void {
  if (w.measuring) return
  const m = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules
  const unit = side / (m.size + 2 * QUIET)
  const doc = w.doc.save()
  for (let row = 0; row < m.size; row++) {
    let col = 0
    while (col < m.size) {
      if (!m.get(row, col)) { col++; continue }
      const start = col
      while (col < m.size && m.get(row, col)) col++
      doc.rect(x + (QUIET + start) * unit, y + (QUIET + row) * unit, (col - start) * unit, unit)
    }
  }
  doc.fillColor('#000000').fill().restore()
}

/**
 * A signed checkpoint as a block: the QR code of the signed note on the left; on the right the
 * short code to copy, what it signs and who signed it, a line saying how it relates to this
 * document, and the note itself in small type (so it can be typed in if the code cannot be
 * scanned). Kept together on one page.
 */
export function drawCheckpointBlock(w: PdfWriter, stamp: CheckpointStamp, opts: { timezone: string; relation: string; warning?: string; side?: number }): void {
  const side = opts.side ?? 118
  const noteLines = stamp.note.replace(/\n$/, '').split('\n')
  const noteSize = 6
  const textX = w.left + side + 12
  const textW = w.right - textX
  const lines: Array<{ text: string; font: 'Helvetica' | 'Helvetica-Bold' | 'Courier'; size: number }> = [
    { text: `Signed checkpoint  ${stamp.code}`, font: 'Helvetica-Bold', size: 12 },
    ...w.wrap(opts.relation, textW, 'Helvetica', 8).map((t) => ({ text: t, font: 'Helvetica' as const, size: 8 })),
    ...(opts.warning ? w.wrap(opts.warning, textW, 'Helvetica-Bold', 8).map((t) => ({ text: t, font: 'Helvetica-Bold' as const, size: 8 })) : []),
    { text: `Covers entries 1-${stamp.size}; Merkle root ${stamp.root}`, font: 'Helvetica', size: 8 },
    { text: `Signed ${stamp.time ? `${localDateTime(stamp.time, opts.timezone)} ${opts.timezone}` : '(no time line)'} by ${stamp.signed_by.join(' and ') || 'a key this ledger records'}`, font: 'Helvetica', size: 8 },
    ...w.wrap('Check it: save the note below (or scan the code) to a file, then run `csledger verify --checkpoint <file>` on the ledger, or the standalone verifier on an export.', textW, 'Helvetica', 7.5)
      .map((t) => ({ text: t, font: 'Helvetica' as const, size: 7.5 })),
    ...noteLines.flatMap((l) => w.wrap(l, textW, 'Courier', noteSize).map((t) => ({ text: t, font: 'Courier' as const, size: noteSize }))),
  ]
  const textH = lines.reduce((h, l) => h + w.lineHeight(l.size), 0)
  const height = Math.max(side, textH) + 6
  w.ensure(height)
  const top = w.y
  drawQrCode(w, stamp.note, w.left, top, side)
  let y = top + 4
  for (const l of lines) {
    w.textLine(l.text, textX, y, { font: l.font, size: l.size })
    y += w.lineHeight(l.size)
  }
  w.y = top + height
}
