import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type PdfFrame, type PdfWriter, pdfText, renderTwoPass } from './pdf-writer.ts'

const frame: PdfFrame = { width: 612, height: 792, margins: { top: 50, bottom: 40, left: 40, right: 40 }, header: () => undefined, footer: () => undefined }
const meta = { title: 't', author: 'a', subject: 's', creationDate: new Date('2027-01-01T00:00:00Z') }

async function withWriter(draw: (w: PdfWriter) => Promise<void>): Promise<{ pages: number; bytes: Buffer }> {
  const sink = new PassThrough()
  const chunks: Buffer[] = []
  sink.on('data', (c: Buffer) => chunks.push(c))
  const { pages } = await renderTwoPass(sink, meta, frame, draw)
  return { pages, bytes: Buffer.concat(chunks) }
}

describe('pdfText', () => {
  it('given characters the standard fonts cannot show, when cleaned, then they become ? and Latin-1 stays', () => {
    expect(pdfText('Müller → 5 mg ≥ 3 – ok…\u0007')).toBe('Müller ? 5 mg ? 3 – ok… ')
  })
})

describe('PdfWriter', () => {
  it('given long words and hyphenated words, when wrapped, then no line is wider than the column', async () => {
    await withWriter(async (w) => {
      w.newPage()
      const lines = w.wrap('Adjust-ments of a verylongidentifierwithoutanyspaces and more words', 30, 'Helvetica', 8)
      for (const l of lines) expect(w.doc.font('Helvetica').fontSize(8).widthOfString(l)).toBeLessThanOrEqual(30)
      expect(lines[0]).toBe('Adjust-')
      expect(lines.join('').replace(/ /g, '')).toBe('Adjust-mentsofaverylongidentifierwithoutanyspacesandmorewords')
    })
  })

  it('given more rows than a page holds, when tabled, then pages follow and the document is the same bytes twice', async () => {
    const draw = async (w: PdfWriter) => {
      w.newPage()
      await w.table([{ header: 'N', width: 1 }, { header: 'Text', width: 4 }], Array.from({ length: 120 }, (_, i) => ({ cells: [String(i), `row ${i}`] })))
    }
    const a = await withWriter(draw)
    const b = await withWriter(draw)
    expect(a.pages).toBeGreaterThan(2)
    expect(a.bytes.equals(b.bytes)).toBe(true)
  })
})
