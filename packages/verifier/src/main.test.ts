import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { ORIGIN, checkpointNote, codeOf, line, makeEntries, rechain, testKey, writeBundle, type BuiltEntry } from './testing/build-bundle.ts'

// The real executable, in a real process, as an inspector would run it.
const BIN = fileURLToPath(new URL('../bin/csledger-verify.mjs', import.meta.url))
const pic = testKey(ORIGIN)
const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function verify(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
function bundle(entries: BuiltEntry[], checkpoints: Record<string, string>): string {
  const dir = writeBundle({ lines: entries.map(line), keys: [pic.verifierKey], checkpoints })
  dirs.push(dir)
  return dir
}

describe('csledger-verify', () => {
  it('given an honest bundle and its printed code, then it prints the report, ends with VERIFIED and exits 0', () => {
    const e = makeEntries(15)
    const r = verify(bundle(e, { 'a.txt': checkpointNote(e, 15, [pic]) }), '--code', codeOf(e, 15))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`  entries      15 (seq 1-15), head ${e[14]!.hash}`)
    expect(r.stdout).toContain(`checkpoints/a.txt  ${codeOf(e, 15)}  signed by ${ORIGIN}+`)
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^verdict: VERIFIED: 15 entries of ledger /)
  })

  it('given a rewritten history, then the verdict names the first failure and it exits 5', () => {
    const e = makeEntries(15)
    const cp = checkpointNote(e, 15, [pic])
    const f = e.map((x) => ({ ...x, entry: { ...x.entry } }))
    f[9]!.entry.actor = 'mallory'
    const r = verify(bundle(rechain(f, 9), { 'a.txt': cp }))
    expect(r.code).toBe(5)
    expect(r.stdout).toContain('error[ROOT_MISMATCH] checkpoints/a.txt: entries 1-15 do not hash to the root signed in checkpoints/a.txt')
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('verdict: FAILED: entries 1-15 do not hash to the root signed in checkpoints/a.txt: history up to seq 15 was changed after it was signed')
  })

  it('given --json, then stdout is one JSON report with the findings as data', () => {
    const e = makeEntries(3)
    const r = verify(bundle(e, {}), '--json')
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.status).toBe('unanchored')
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(['NO_CHECKPOINT'])
  })

  it('given no folder, a missing folder or an unknown option, then it exits 2', () => {
    expect(verify().code).toBe(2)
    expect(verify('/nonexistent/csledger-bundle').code).toBe(2)
    const bad = verify('--frobnicate', '.')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^csledger-verify: error\[USAGE\]/)
    const help = verify('--help')
    expect([help.code, help.stdout.startsWith('usage: csledger-verify')]).toEqual([0, true])
  })
})
