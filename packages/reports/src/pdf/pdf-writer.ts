import type { Writable } from 'node:stream'

/** Points per inch. */
export const PT = 72
/** US Letter in points. */
export const LETTER = { width: 8.5 * PT, height: 11 * PT } as const

export type FontName = 'Helvetica' | 'Helvetica-Bold' | 'Helvetica-Oblique' | 'Courier'

/** The page frame: size, margins, and what is drawn in the margins of every page. */
export interface PdfFrame {
  readonly width: number
  readonly height: number
  readonly margins: { readonly top: number; readonly bottom: number; readonly left: number; readonly right: number }
  /** Drawn inside the top margin when a page starts. */
  readonly header: (w: PdfWriter) => void
  /** Drawn inside the bottom margin when a page starts (the total is known: layout runs twice). */
  readonly footer: (w: PdfWriter, page: number, total: number) => void
}

/** Document metadata. `creationDate` is fixed by the caller so the same input gives the same bytes. */
export interface PdfMeta {
  readonly title: string
  readonly author: string
  readonly subject: string
  readonly creationDate: Date
}

/**
 * A table column. `fit` is a sample of the widest value (e.g. `0000-00-00 00:00`): the column gets
 * exactly that width (or its header's longest word). Other columns share what is left by `width`.
 */
export interface PdfColumn {
  readonly header: string
  readonly width: number
  readonly fit?: string
  readonly align?: 'left' | 'right'
  readonly font?: FontName
}

/** A table row: its cells, and an optional shade for rows that carry a flag (late, void, overdue). */
export interface PdfRow {
  readonly cells: readonly string[]
  readonly flag?: boolean
}

const TEXT_SIZE = 8
const HEADER_SIZE = 7
const PAD_X = 3
const PAD_Y = 2.5
const LINE = 1.18

/**
 * Page layout on top of pdfkit, with the few rules every csledger PDF follows: standard fonts
 * only (nothing embedded, output byte-identical), text never drawn through pdfkit's line
 * wrapper (we wrap ourselves, so nothing can spill into a margin or start a page behind our
 * back), tables that repeat their header on every page and never leave a header without a row
 * under it, and a yield to the event loop at each page so a file sink drains as pages are made.
 */
export class PdfWriter {
  readonly doc: PDFKit.PDFDocument
  readonly frame: PdfFrame
  readonly total: number
  /** Running title printed in the page header. */
  section = ''
  #page = 0
  #yielded = 0
  readonly #anchors: Array<{ title: string; page: number }> = []
  /** Layout pass: measure and place everything, draw nothing (the pages are only counted). */
  readonly #measureOnly: boolean
  readonly #widths = new Map<string, number>()

  constructor(doc: PDFKit.PDFDocument, frame: PdfFrame, total: number, options: { measureOnly?: boolean } = {}) {
    this.doc = doc
    this.frame = frame
    this.total = total
    this.#measureOnly = options.measureOnly === true
  }

  /** True in the layout pass, when nothing is drawn. */
  get measuring(): boolean { return this.#measureOnly }

  /** The width of `text` in a font and size (memoised: logs repeat the same codes, names and dates). */
  widthOf(text: string, font: FontName, size: number): number {
    const key = `${font}\u0000${size}\u0000${text}`
    let w = this.#widths.get(key)
    if (w === undefined) {
      w = this.doc.font(font).fontSize(size).widthOfString(text)
      if (this.#widths.size > 50_000) this.#widths.clear()
      this.#widths.set(key, w)
    }
    return w
  }

  get page(): number { return this.#page }
  get left(): number { return this.frame.margins.left }
  get right(): number { return this.frame.width - this.frame.margins.right }
  get width(): number { return this.right - this.left }
  get top(): number { return this.frame.margins.top }
  get bottom(): number { return this.frame.height - this.frame.margins.bottom }
  get y(): number { return this.doc.y }
  set y(v: number) { this.doc.y = v }
  /** Section titles and the page each starts on (for a table of contents). */
  get anchors(): ReadonlyArray<{ title: string; page: number }> { return this.#anchors }

  /** Starts a page and draws its header and footer (inside the margins). */
  newPage(): void {
    this.doc.addPage({ size: [this.frame.width, this.frame.height], margins: { top: 0, bottom: 0, left: 0, right: 0 } })
    this.#page++
    this.frame.header(this)
    this.frame.footer(this, this.#page, this.total)
    this.doc.x = this.left
    this.doc.y = this.top
  }

  /** Lets a file sink drain: called between rows, it yields once per new page. */
  async breathe(): Promise<void> {
    if (this.#yielded === this.#page) return
    this.#yielded = this.#page
    await new Promise<void>((resolve) => setImmediate(resolve))
  }

  /** Starts a page unless `height` still fits on this one. */
  ensure(height: number): void {
    if (this.#page === 0 || this.doc.y + height > this.bottom) this.newPage()
  }

  /** Starts a section on a new page: running title, big heading, PDF outline entry. */
  sectionStart(title: string, opts: { heading?: boolean } = {}): void {
    this.section = title
    this.newPage()
    this.#anchors.push({ title, page: this.#page })
    this.doc.outline.addItem(pdfText(title))
    if (opts.heading !== false) this.heading(title, 13)
  }

  /** A heading kept with at least `keepWith` points of what follows. */
  heading(title: string, size = 10.5, keepWith = 40): void {
    const h = this.lineHeight(size) + 4
    this.ensure(h + keepWith)
    this.textLine(title, this.left, this.doc.y, { font: 'Helvetica-Bold', size })
    this.doc.y += h
  }

  /** A wrapped paragraph; breaks pages between lines. */
  paragraph(text: string, opts: { size?: number; font?: FontName; indent?: number; gap?: number; color?: string } = {}): void {
    const size = opts.size ?? TEXT_SIZE + 0.5
    const font = opts.font ?? 'Helvetica'
    const x = this.left + (opts.indent ?? 0)
    const lh = this.lineHeight(size)
    for (const line of this.wrap(text, this.right - x, font, size)) {
      this.ensure(lh)
      this.textLine(line, x, this.doc.y, { font, size, ...(opts.color ? { color: opts.color } : {}) })
      this.doc.y += lh
    }
    this.doc.y += opts.gap ?? 4
  }

  /** Label/value pairs in two columns, wrapped; kept together when they fit on a page. */
  keyValues(pairs: ReadonlyArray<readonly [string, string]>, opts: { labelWidth?: number; size?: number; valueFont?: FontName } = {}): void {
    const size = opts.size ?? TEXT_SIZE + 0.5
    const lw = opts.labelWidth ?? 150
    const lh = this.lineHeight(size)
    const laid = pairs.map(([k, v]) => ({ k, lines: this.wrap(v, this.width - lw, opts.valueFont ?? 'Helvetica', size) }))
    const total = laid.reduce((s, p) => s + Math.max(1, p.lines.length) * lh + 1.5, 0)
    if (total <= this.bottom - this.top) this.ensure(total)
    for (const p of laid) {
      const h = Math.max(1, p.lines.length) * lh + 1.5
      this.ensure(h)
      const y = this.doc.y
      this.textLine(p.k, this.left, y, { font: 'Helvetica-Bold', size })
      p.lines.forEach((line, i) => this.textLine(line, this.left + lw, y + i * lh, { font: opts.valueFont ?? 'Helvetica', size }))
      this.doc.y = y + h
    }
    this.doc.y += 4
  }

  /**
   * A table whose rows are drawn as they arrive (rows may be an async stream of any length). The
   * header repeats on every page; a page break never leaves a header without a row; a cell's text
   * wraps inside its column, so nothing is clipped.
   */
  async table(columns: readonly PdfColumn[], rows: AsyncIterable<PdfRow> | readonly PdfRow[], opts: { title?: string; empty?: string; size?: number; onRow?: () => void; keepTogether?: boolean; minRowHeight?: number } = {}): Promise<number> {
    const size = opts.size ?? TEXT_SIZE
    const widths = this.columnWidths(columns, size)
    const xs = widths.reduce<number[]>((acc, w, i) => [...acc, i === 0 ? this.left : acc[i - 1]! + widths[i - 1]!], [])
    const lh = this.lineHeight(size)
    const headerLines = columns.map((c, i) => this.wrap(c.header, widths[i]! - 2 * PAD_X, 'Helvetica-Bold', HEADER_SIZE))
    const headerH = Math.max(...headerLines.map((l) => l.length)) * this.lineHeight(HEADER_SIZE) + 2 * PAD_Y
    const maxLines = Math.floor((this.bottom - this.top - headerH - 2 * PAD_Y) / lh)
    const rowHeight = (row: PdfRow) => Math.max(opts.minRowHeight ?? 0, Math.max(1, ...row.cells.map((text, i) => Math.min(maxLines, this.wrap(text, widths[i]! - 2 * PAD_X, columns[i]!.font ?? 'Helvetica', size).length))) * lh + 2 * PAD_Y)
    const titleSize = 10.5
    const titleH = opts.title ? this.lineHeight(titleSize) + 4 : 0
    if (opts.keepTogether && Array.isArray(rows)) {
      // A small table starts on a new page rather than split, when it fits on one.
      const all = titleH + headerH + (rows as readonly PdfRow[]).reduce((s, r) => s + rowHeight(r), 0)
      if (all <= this.bottom - this.top) this.ensure(all)
    }
    const drawTitle = () => {
      if (!opts.title) return
      this.textLine(opts.title, this.left, this.doc.y, { font: 'Helvetica-Bold', size: titleSize })
      this.doc.y += titleH
    }
    let n = 0
    let headerOnPage = -1
    const drawHeader = () => {
      const y = this.doc.y
      if (!this.#measureOnly) this.doc.save().rect(this.left, y, this.width, headerH).fill('#e4e4e4').restore()
      headerLines.forEach((lines, i) => lines.forEach((line, j) => this.#cellLine(line, xs[i]!, widths[i]!, y + PAD_Y + j * this.lineHeight(HEADER_SIZE), columns[i]!.align ?? 'left', 'Helvetica-Bold', HEADER_SIZE)))
      this.doc.y = y + headerH
      headerOnPage = this.#page
    }
    for await (const row of rows) {
      const cellLines = row.cells.map((text, i) => {
        const lines = this.wrap(text, widths[i]! - 2 * PAD_X, columns[i]!.font ?? 'Helvetica', size)
        return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), '[continued in the CSV export]'] : lines
      })
      const h = Math.max(opts.minRowHeight ?? 0, Math.max(1, ...cellLines.map((l) => l.length)) * lh + 2 * PAD_Y)
      if (n === 0) {
        // The title, the header and the first row go together.
        if (this.#page === 0 || this.doc.y + titleH + headerH + h > this.bottom) this.newPage()
        drawTitle()
        drawHeader()
      } else if (headerOnPage !== this.#page || this.doc.y + h > this.bottom) {
        // The header and the first row go together: a header is never the last thing on a page.
        if (this.#page === 0 || this.doc.y + (headerOnPage === this.#page ? 0 : headerH) + h > this.bottom) this.newPage()
        drawHeader()
      }
      const y = this.doc.y
      if (row.flag && !this.#measureOnly) this.doc.save().rect(this.left, y, this.width, h).fill('#f3f3f3').restore()
      cellLines.forEach((lines, i) => lines.forEach((line, j) => this.#cellLine(line, xs[i]!, widths[i]!, y + PAD_Y + j * lh, columns[i]!.align ?? 'left', columns[i]!.font ?? 'Helvetica', size)))
      if (!this.#measureOnly) this.doc.save().moveTo(this.left, y + h).lineTo(this.right, y + h).lineWidth(0.3).strokeColor('#9a9a9a').stroke().restore()
      this.doc.y = y + h
      n++
      opts.onRow?.()
      await this.breathe()
    }
    if (n === 0) {
      this.ensure(titleH + this.lineHeight(TEXT_SIZE + 0.5) + 4)
      drawTitle()
      if (opts.empty) this.paragraph(opts.empty, { font: 'Helvetica-Oblique' })
    } else this.doc.y += 6
    return n
  }

  /** The height a table of these rows takes (title, header and rows), without drawing it. */
  tableHeight(columns: readonly PdfColumn[], rows: readonly PdfRow[], opts: { title?: string; size?: number; minRowHeight?: number } = {}): number {
    const size = opts.size ?? TEXT_SIZE
    const widths = this.columnWidths(columns, size)
    const lh = this.lineHeight(size)
    const headerH = Math.max(...columns.map((c, i) => this.wrap(c.header, widths[i]! - 2 * PAD_X, 'Helvetica-Bold', HEADER_SIZE).length)) * this.lineHeight(HEADER_SIZE) + 2 * PAD_Y
    const body = rows.reduce((sum, r) => sum + Math.max(opts.minRowHeight ?? 0, Math.max(1, ...r.cells.map((t, i) => this.wrap(t, widths[i]! - 2 * PAD_X, columns[i]!.font ?? 'Helvetica', size).length)) * lh + 2 * PAD_Y), 0)
    return (opts.title ? this.lineHeight(10.5) + 4 : 0) + headerH + body + 6
  }

  /** The height of a signature block of `n` labels. */
  signatureHeight(n: number): number { return Math.ceil(n / 2) * 44 + 10 }

  /** Signature lines: a label, a line to sign on, and a date line, two per row. */
  signatureLines(labels: readonly string[]): void {
    const colW = (this.width - 30) / 2
    const rowH = 44
    this.ensure(this.signatureHeight(labels.length))
    const top = this.doc.y
    labels.forEach((label, i) => {
      const x = this.left + (i % 2) * (colW + 30)
      const y = top + Math.floor(i / 2) * rowH + 22
      if (!this.#measureOnly) {
        this.doc.save().moveTo(x, y).lineTo(x + colW - 70, y).lineWidth(0.6).strokeColor('#000000').stroke()
          .moveTo(x + colW - 60, y).lineTo(x + colW, y).stroke().restore()
      }
      this.textLine(label, x, y + 3, { font: 'Helvetica', size: 7.5 })
      this.textLine('Date', x + colW - 60, y + 3, { font: 'Helvetica', size: 7.5 })
    })
    this.doc.y = top + Math.ceil(labels.length / 2) * rowH + 10
  }

  /** One line of text at (x, y), never wrapped, never breaking a page. */
  textLine(text: string, x: number, y: number, opts: { font?: FontName; size?: number; color?: string; align?: 'left' | 'right'; width?: number } = {}): void {
    if (this.#measureOnly) return
    const s = pdfText(text)
    const font = opts.font ?? 'Helvetica'
    const size = opts.size ?? TEXT_SIZE
    const dx = opts.align === 'right' && opts.width !== undefined ? opts.width - this.widthOf(s, font, size) : 0
    this.doc.font(font).fontSize(size).fillColor(opts.color ?? '#000000')
    this.doc.text(s, x + dx, y, { lineBreak: false })
  }

  /** Draws text in the margins (header/footer) without pdfkit's bottom-margin page break (pdfkit#1240). */
  marginLine(text: string, x: number, y: number, opts: { font?: FontName; size?: number; color?: string; align?: 'left' | 'right'; width?: number } = {}): void {
    const saved = this.doc.page.margins.bottom
    this.doc.page.margins.bottom = 0
    this.textLine(text, x, y, opts)
    this.doc.page.margins.bottom = saved
  }

  lineHeight(size: number): number { return size * LINE }

  /** Fixed widths for `fit` columns (sample or longest header word); the rest shared by weight. */
  columnWidths(columns: readonly PdfColumn[], size: number): number[] {
    const headerWord = (c: PdfColumn) => Math.max(...c.header.split(/[ \n]|(?<=-)/).map((w) => this.doc.font('Helvetica-Bold').fontSize(HEADER_SIZE).widthOfString(w)))
    const fixed = columns.map((c) => (c.fit === undefined ? 0 : Math.max(this.doc.font(c.font ?? 'Helvetica').fontSize(size).widthOfString(pdfText(c.fit)), headerWord(c)) + 2 * PAD_X + 0.5))
    const left = this.width - fixed.reduce((a, b) => a + b, 0)
    const weights = columns.reduce((s, c) => s + (c.fit === undefined ? c.width : 0), 0)
    if (left <= 0 || weights === 0) {
      const all = columns.map((c, i) => (c.fit === undefined ? c.width : fixed[i]!))
      const k = this.width / all.reduce((a, b) => a + b, 0)
      return all.map((w) => w * k)
    }
    return columns.map((c, i) => (c.fit === undefined ? Math.max((c.width / weights) * left, headerWord(c) + 2 * PAD_X) : fixed[i]!))
  }

  /** Splits text into lines that fit `width` in `font` at `size` (words first, then characters). */
  wrap(text: string, width: number, font: FontName, size: number): string[] {
    const s = pdfText(text)
    const doc = { widthOfString: (t: string) => this.widthOf(t, font, size) }
    if (!s.includes('\n') && doc.widthOfString(s) <= width) return [s]
    const out: string[] = []
    for (const para of s.split('\n')) {
      let line = ''
      for (const word of para.split(' ')) {
        // A word may break after a hyphen ("Adjust-ments"), and as a last resort anywhere.
        const parts = word.split(/(?<=[A-Za-z]-)(?=[A-Za-z])/)
        parts.forEach((part, k) => {
          const candidate = line === '' ? part : k === 0 ? `${line} ${part}` : `${line}${part}`
          if (doc.widthOfString(candidate) <= width) { line = candidate; return }
          if (line !== '') out.push(line)
          line = ''
          if (doc.widthOfString(part) <= width) { line = part; return }
          let chunk = ''
          for (const ch of part) {
            if (chunk !== '' && doc.widthOfString(chunk + ch) > width) { out.push(chunk); chunk = '' }
            chunk += ch
          }
          line = chunk
        })
      }
      out.push(line)
    }
    return out
  }

  #cellLine(text: string, x: number, w: number, y: number, align: 'left' | 'right', font: FontName, size: number): void {
    if (align === 'right') this.textLine(text, x + PAD_X, y, { font, size, align: 'right', width: w - 2 * PAD_X })
    else this.textLine(text, x + PAD_X, y, { font, size })
  }
}

/** Text the standard PDF fonts can show: Latin-1 and the WinAnsi extras; anything else becomes '?'. */
export function pdfText(text: string): string {
  return text.normalize('NFC').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').replace(/[^\n\u0020-\u007e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]/gu, '?')
}

/**
 * Renders a PDF in two passes so every footer can say "Page i of n" without holding pages in
 * memory: the first pass lays out the document into a discarding sink and counts its pages, the
 * second renders it again into `sink` knowing the total. `draw` must lay out the same way both
 * times (it gets the first pass's section anchors in the second, for a table of contents).
 *
 * @example
 * await renderTwoPass(createWriteStream('out.pdf'), meta, frame, async (w) => { w.newPage(); w.paragraph('Hello') })
 */
export async function renderTwoPass(
  sink: Writable,
  meta: PdfMeta,
  frame: PdfFrame,
  draw: (w: PdfWriter, anchors: ReadonlyArray<{ title: string; page: number }>) => Promise<void>,
): Promise<{ pages: number }> {
  const PDFDocument = (await import('pdfkit')).default
  const make = () => new PDFDocument({
    autoFirstPage: false, bufferPages: false, compress: true, pdfVersion: '1.7',
    info: { Title: meta.title, Author: meta.author, Subject: meta.subject, Creator: 'csledger', Producer: 'csledger (pdfkit)', CreationDate: meta.creationDate, ModDate: meta.creationDate },
  } as PDFKit.PDFDocumentOptions)
  const layout = make()
  layout.on('data', () => undefined)
  const first = new PdfWriter(layout, frame, 0, { measureOnly: true })
  await draw(first, [])
  const pages = first.page
  const laidOut = new Promise<void>((resolve) => layout.on('end', () => resolve()))
  layout.end()
  await laidOut
  const doc = make()
  const done = new Promise<void>((resolve, reject) => {
    sink.on('finish', () => resolve())
    sink.on('error', reject)
    doc.on('error', reject)
  })
  doc.pipe(sink)
  const w = new PdfWriter(doc, frame, pages)
  await draw(w, first.anchors)
  if (w.page !== pages) throw new Error(`PDF layout is not repeatable: ${pages} pages, then ${w.page}`)
  doc.end()
  await done
  return { pages }
}
