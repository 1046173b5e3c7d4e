import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { type LedgerDir, day } from '../support/clinic.ts'
import { useSharedClinic } from '../support/shared-clinic.ts'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

/**
 * Every audit packet prints a signed checkpoint on its cover, and a count sheet carries one, as a
 * code and a QR code (issue 6), through the real bin/csledger. The code read off the paper must
 * verify against the ledger with `csledger verify --checkpoint`.
 */
const shared = useSharedClinic()
const clinic = () => shared.copy()

type Packet = { checkpoint: { code: string; size: number; basis: string; consistent: boolean; note: string } | null; checkpoint_not_signed?: string; summary: { exit_code: number } }
const PERIOD = () => ['--from', day(-30), '--to', day(1)]

/** An audit packet as --json data: the fixture's packet shows problems (exit 1), which is not what these tests are about. */
async function packet(l: LedgerDir, args: string[], as?: 'pkim'): Promise<Packet> {
  const run = await l.run(['report', 'audit', ...PERIOD(), '--format', 'json', ...args, '--json'], as ? { as } : {})
  expect(run.code, run.stderr).toBe(1)
  return (JSON.parse(run.stdout) as { data: Packet }).data
}

/** The QR code on page `page` of a PDF, read by zbarimg from a 200 dpi rendering. */
function qrOf(pdf: string, page = 1): string {
  execFileSync('pdftoppm', ['-r', '200', '-f', String(page), '-l', String(page), '-png', '-singlefile', pdf, `${pdf}-page`])
  return execFileSync('zbarimg', ['--quiet', '--raw', '-Sbinary', `${pdf}-page.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '')
}

describe.concurrent('the checkpoint an audit packet prints', () => {
  test('--by a PIC: the packet signs a checkpoint of the whole ledger; the note verifies with verify --checkpoint; an unattended packet then prints it as the newest stored one', async () => {
    const l = await clinic()
    const signed = await packet(l, ['--by', 'pkim'], 'pkim')
    expect(signed.checkpoint).toMatchObject({ size: shared.facts.head, basis: 'signed-now', consistent: true })
    expect(signed.checkpoint!.code).toMatch(new RegExp(`^${shared.facts.head} [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`))
    expect(signed.checkpoint_not_signed).toBeUndefined()
    await writeFile(join(l.dir, 'packet-checkpoint.txt'), signed.checkpoint!.note)
    const verified = await l.run(['verify', '--checkpoint', 'packet-checkpoint.txt'])
    expect(verified.code).toBe(0)
    expect(verified.stdout).toContain(signed.checkpoint!.code)

    const unattended = await packet(l, [])
    expect(unattended.checkpoint).toMatchObject({ code: signed.checkpoint!.code, basis: 'stored', consistent: true, note: signed.checkpoint!.note })
  })

  test('the PDF cover prints the code, and its QR code scans to the signed note; the text output names the code', async () => {
    const l = await clinic()
    const run = await l.run(['report', 'audit', ...PERIOD(), '--out', 'packet.pdf', '--by', 'audra'], { as: 'audra' })
    expect(run.code).toBe(1) // the fixture's packet shows a count difference
    const code = /checkpoint (\d+ [A-Z2-7-]+) on the cover \(signed for this packet\)/.exec(run.stdout)?.[1]
    expect(code, run.stdout).toBeDefined()
    const cover = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', join(l.dir, 'packet.pdf'), '-'], { encoding: 'utf8' })
    expect(cover).toMatch(new RegExp(`Signed checkpoint\\s+${code}`))
    expect(cover).toMatch(/Signed .+ by audra/)
    const note = qrOf(join(l.dir, 'packet.pdf'))
    expect(note.split('\n')[1]).toBe(String(shared.facts.head))
    await writeFile(join(l.dir, 'scanned.txt'), `${note}\n`)
    expect((await l.run(['verify', '--checkpoint', 'scanned.txt'])).code).toBe(0)
  })

  test('a count sheet printed --by a nurse carries a checkpoint signed as it is printed, with a QR code of it', async () => {
    const l = await clinic()
    const run = await l.run(['report', 'count-sheet', '--location', 'SAFE-1', '--out', 'sheet.pdf', '--by', 'nkim'], { as: 'nkim' })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`checkpoint ${shared.facts.head} [A-Z2-7-]+ printed on the sheet \\(signed now\\)`))
    const note = qrOf(join(l.dir, 'sheet.pdf'))
    await writeFile(join(l.dir, 'sheet-checkpoint.txt'), `${note}\n`)
    const verified = await l.json<{ ok: boolean; checkpoints: Array<{ status: string; signed_by: string[] }> }>(['verify', '--checkpoint', 'sheet-checkpoint.txt'])
    expect(verified.ok).toBe(true)
    expect(verified.checkpoints.at(-1)).toMatchObject({ status: 'ok', signed_by: ['nkim'] })
  })
})
