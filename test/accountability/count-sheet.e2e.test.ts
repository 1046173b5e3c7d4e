// Count sheets (--sheet file.csv): what a clinic's spreadsheet really looks like, and errors that
// name the file and line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestLedger, buildFixture, copyLedger, removeTempDirs, explain } from '../support/accountability-cli.ts'

const COUNT = ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim']

let fixture: string
beforeAll(async () => { fixture = await buildFixture() })
afterAll(removeTempDirs)

async function countSheet(L: TestLedger, text: string, extra: string[] = []) {
  L.write('safe-1.csv', text)
  return L.run([...COUNT, '--sheet', 'safe-1.csv', ...extra])
}

describe('csledger count --sheet', () => {
  it('given a sheet as a spreadsheet saves it (BOM, CRLF, blank and padded lines, quoted cells), then the count is accepted', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, '\uFEFFItem,Count\r\n"KET-50:K2417A", 3 \r\n\r\nM7788,2\r\nC-0001,"6.35 mL"\r\n\r\n')
    expect(r.code, explain(r)).toBe(0)
    expect(r.stdout).toContain('no discrepancies')
  })

  it('given the issue\'s short count on a sheet, then exit 1 with the two discrepancies', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, 'item,count\nK2417A,2\nM7788,2\nC-0001,5.95mL\n', ['--json'])
    expect(r.code, explain(r)).toBe(1)
    expect(r.json!.data.discrepancies.map((d: any) => d.difference)).toEqual(['-1', '-0.4'])
  })

  it('given an unknown item after a blank line, then the error names the file and the line the item is really on', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, 'item,count\nK2417A,3\n\nK9999,1\nM7788,2\nC-0001,6.35\n')
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[UNKNOWN_ITEM]: safe-1.csv:4: "K9999" is neither a received lot nor a container')
    const crlf = await countSheet(L, '\uFEFFitem,count\r\nK2417A,3\r\n\r\n   \r\n"M7788","2"\r\n\r\n  K9999 ,1\r\nC-0001,6.35\r\n')
    expect(crlf.stderr).toContain('error[UNKNOWN_ITEM]: safe-1.csv:7: "K9999" is neither a received lot nor a container')
  })

  it('given a row without a count, then INVALID_SHEET names its line', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, 'item,count\nK2417A,3\n\nM7788,\nC-0001,6.35\n')
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[INVALID_SHEET]: safe-1.csv:4: an item and its count are both needed')
  })

  it('given a wrong header, a ragged row, a bad quote or a missing file, then exit 2 naming the file (and line)', async () => {
    const L = copyLedger(fixture)
    // none of these records anything, so they run side by side
    const sheet = (name: string, text: string) => L.run([...COUNT, '--sheet', L.write(name, text)])
    const [header, ragged, quote, missing] = await Promise.all([
      sheet('header.csv', 'lot,qty\nK2417A,3\n'),
      sheet('ragged.csv', 'item,count\nK2417A,3\nM7788,2,extra\nC-0001,6.35\n'),
      sheet('quote.csv', 'item,count\nK2417A,3\nM7788,"2\nC-0001,6.35\n'),
      L.run([...COUNT, '--sheet', 'nope.csv']),
    ])
    expect(header.code).toBe(2)
    expect(header.stderr).toMatch(/error\[INVALID_SHEET\]: \S*header\.csv:1: the header must be "item,count"/)
    expect(ragged.code).toBe(2)
    expect(ragged.stderr).toMatch(/error\[INVALID_SHEET\]: \S*ragged\.csv:3: /)
    expect(quote.code).toBe(2)
    expect(quote.stderr).toMatch(/error\[INVALID_SHEET\]: \S*quote\.csv(:\d+)?: /)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('error[CANNOT_READ]: cannot read count sheet nope.csv')
  })

  it('given a sheet that leaves an item out, then COUNT_INCOMPLETE (exit 2)', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, 'item,count\nK2417A,3\nC-0001,6.35\n')
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[COUNT_INCOMPLETE]: the count leaves out 1 item(s): MDZ-5 lot M7788 (sealed)')
  })

  it('given an item both on the sheet and as --item, then DUPLICATE_ITEM names the sheet line', async () => {
    const L = copyLedger(fixture)
    const r = await countSheet(L, 'item,count\nK2417A,3\nM7788,2\nC-0001,6.35\n', ['--item', 'M7788=2'])
    expect(r.code, explain(r)).toBe(2)
    expect(r.stderr).toContain('error[DUPLICATE_ITEM]: safe-1.csv:3: lot M7788 at SAFE-1 is counted twice')
  })
})
