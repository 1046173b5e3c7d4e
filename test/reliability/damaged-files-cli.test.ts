import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger, StoreError, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { buildSampleLedger, SAMPLE_PASSPHRASE, type SampleLedger } from '../support/build-sample-ledger.ts'
import { fileDigest } from '../support/file-digest.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { type CliRun, runCli, stackTraceIn } from '../support/reliability-cli.ts'
import { FULL, RUN_SEED, seededRandom } from '../support/reliability-random.ts'
import { runSqliteShell } from '../support/run-sqlite-shell.ts'

// Damaged and hostile ledger files handed to the real bin/csledger. For each, a read (verify), a
// write (location add) and, in the full run, balance and log: every one ends with a documented
// exit code (2 for a store error, 5 for an integrity failure; never 70), one error line that names
// the file and a hint saying what to do, no stack trace, and the file's bytes exactly as they were.
// test/store/damaged-files.test.ts checks the same files through the library.

const tmp = makeTempDir('damaged-cli')
let base: string
let sample: SampleLedger
let n = 0
const fresh = (name: string) => tmp.file(`${++n}-${name}`)
const rnd = seededRandom(RUN_SEED + 7)

beforeAll(async () => {
  base = tmp.file('base.db')
  sample = await buildSampleLedger(base)
})
afterAll(() => tmp.remove())

const env = (file: string) => ({ CSLEDGER_DB: file, CSLEDGER_PASSPHRASE: SAMPLE_PASSPHRASE })
const COMMANDS: ReadonlyArray<readonly string[]> = [
  ['verify'],
  ['location', 'add', 'FRIDGE-9', '--name', 'Fridge', '--by', 'pic'],
  ...(FULL ? [['balance'], ['log']] : []),
]

/** Runs every command against `file` and checks each failed the documented way, bytes untouched. */
async function expectRefusedEverywhere(file: string, codes: readonly string[]): Promise<CliRun[]> {
  const before = fileDigest(file)
  const runs = await Promise.all(COMMANDS.map((args) => runCli(args, { env: env(file) })))
  runs.forEach((r, i) => {
    const what = `csledger ${COMMANDS[i]!.join(' ')} on ${file}:\n${r.stderr}${r.stdout}`
    expect(stackTraceIn(r.stderr + r.stdout), what).toBeNull()
    expect([2, 5], what).toContain(r.code)
    const m = /^csledger: error\[([A-Z_]+)\]: (.*)$/m.exec(r.stderr)
    expect(m, what).not.toBeNull()
    expect(codes, what).toContain(m![1])
    expect(r.stderr, what).toContain(file)
    expect(r.stderr, what).toMatch(/^hint: \S/m)
  })
  expect(fileDigest(file)).toBe(before)
  return runs
}

describe('bin/csledger handed a file that is not a healthy ledger', () => {
  it('given a ledger truncated to 1 kB, to 100 bytes, to half its pages and by its last page, then DAMAGED (exit 2) everywhere and the bytes stay', async () => {
    const bytes = readFileSync(base)
    const pages = bytes.length / 4096
    for (const size of [1024, 100, Math.floor(pages / 2) * 4096, (pages - 1) * 4096]) {
      const file = fresh(`truncated-${size}.db`)
      writeFileSync(file, bytes.subarray(0, size))
      await expectRefusedEverywhere(file, ['DAMAGED'])
    }
  })

  it('given files that are not SQLite at all (text, random bytes, zeros), then NOT_A_LEDGER (exit 2) and the bytes stay', async () => {
    const random = Buffer.alloc(64 * 1024)
    for (let i = 0; i < random.length; i++) random[i] = rnd.int(0, 255)
    for (const [name, content] of [['notes.txt', 'Controlled substance count sheet\n'.repeat(200)], ['random.db', random], ['zeros.db', Buffer.alloc(64 * 1024)]] as const) {
      const file = fresh(name)
      writeFileSync(file, content)
      await expectRefusedEverywhere(file, ['NOT_A_LEDGER'])
    }
  })

  it('given a ledger whose pages after the header were overwritten with random bytes, then DAMAGED or an integrity failure, never a crash, and the bytes stay', async () => {
    const bytes = Buffer.from(readFileSync(base))
    for (let i = 4096; i < bytes.length; i++) bytes[i] = rnd.int(0, 255)
    const file = fresh('scrambled.db')
    writeFileSync(file, bytes)
    await expectRefusedEverywhere(file, ['DAMAGED', 'NOT_A_LEDGER', 'CANNOT_OPEN'])
  })

  it('given a ledger with one data page of the entry table overwritten, then verify says so (exit 2 DAMAGED or exit 5) and the bytes stay', async () => {
    const file = fresh('bad-page.db')
    copyFileSync(base, file)
    const page = Number(runSqliteShell(file, "SELECT pageno FROM dbstat WHERE name = 'ledger_entry' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1;").stdout.trim())
    const bytes = readFileSync(file)
    bytes.fill(0xab, (page - 1) * 4096, page * 4096)
    writeFileSync(file, bytes)
    const before = fileDigest(file)
    const r = await runCli(['verify'], { env: env(file) })
    expect(stackTraceIn(r.stderr + r.stdout), r.stderr).toBeNull()
    expect([2, 5]).toContain(r.code)
    expect(r.stderr + r.stdout).toContain(file)
    expect(fileDigest(file)).toBe(before)
  })

  it('given a ledger written by a newer csledger, then SCHEMA_TOO_NEW (exit 2) naming the schema, everywhere, and the bytes stay', async () => {
    const file = fresh('newer.db')
    copyFileSync(base, file)
    runSqliteShell(file, "INSERT INTO kysely_migration (name, timestamp) VALUES ('0099-future-feature', '2027-01-01T00:00:00.000Z');")
    const runs = await expectRefusedEverywhere(file, ['SCHEMA_TOO_NEW'])
    for (const r of runs) expect(r.stderr).toContain('0099-future-feature')
  })

  it('given a ledger file nobody may write (chattr +i), then reads work and a write is READ_ONLY (exit 2) naming the file, bytes untouched', async (ctx) => {
    const file = fresh('immutable.db')
    copyFileSync(base, file)
    if (process.getuid?.() !== 0 || spawnSync('chattr', ['+i', file]).status !== 0) return ctx.skip('needs root and chattr +i')
    try {
      const before = fileDigest(file)
      const v = await runCli(['verify', '--json'], { env: env(file) })
      expect(v.code, v.stdout).toBe(0)
      const w = await runCli(['location', 'add', 'FRIDGE-9', '--name', 'Fridge', '--by', 'pic'], { env: env(file) })
      expect(w.code, w.stderr).toBe(2)
      expect(w.stderr).toMatch(/^csledger: error\[READ_ONLY\]: .*immutable\.db/m)
      expect(w.stderr).toMatch(/^hint: /m)
      expect(stackTraceIn(w.stderr)).toBeNull()
      expect(fileDigest(file)).toBe(before)
    } finally {
      spawnSync('chattr', ['-i', file])
    }
  })

  it('given a path that does not exist, then NO_LEDGER (exit 2) and no file is created', async () => {
    const file = fresh('missing.db')
    const runs = await Promise.all(COMMANDS.map((args) => runCli(args, { env: env(file) })))
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(/^csledger: error\[NO_LEDGER\]/m)
      expect(stackTraceIn(r.stderr)).toBeNull()
    }
    expect(existsSync(file)).toBe(false)
  })
})

describe('a full disk (a 1 MiB tmpfs)', () => {
  const mnt = tmp.file('tmpfs')
  let mounted = false
  beforeAll(() => {
    spawnSync('mkdir', ['-p', mnt])
    mounted = !process.env.CSLEDGER_NO_TMPFS && process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', mnt]).status === 0
  })
  afterAll(() => { if (mounted) spawnSync('umount', [mnt]) })

  /** Fills the file system, leaving about `leaveKb` KiB free; returns the filler's path. */
  function fill(leaveKb: number): string {
    const filler = `${mnt}/filler`
    const df = spawnSync('df', ['-k', '--output=avail', mnt], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1)!
    const kb = Math.max(0, Number(df) - leaveKb)
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', `count=${kb}`], { encoding: 'utf8' })
    return filler
  }

  it('given the disk full, when a nurse records something, then DISK_FULL (exit 2) naming the file; once space is freed the ledger verifies unchanged and the write goes through', async (ctx) => {
    if (!mounted) return ctx.skip('cannot mount a tmpfs here (not root); the library suite injects the failure instead')
    const file = `${mnt}/clinic.db`
    copyFileSync(base, file)
    const filler = fill(0)
    const before = fileDigest(file)
    const w = await runCli(['location', 'add', 'FRIDGE-9', '--name', 'Fridge', '--by', 'pic'], { env: env(file) })
    expect(stackTraceIn(w.stderr), w.stderr).toBeNull()
    expect(w.code, w.stderr).toBe(2)
    expect(w.stderr).toMatch(/^csledger: error\[DISK_FULL\]: .*clinic\.db/m)
    expect(w.stderr).toMatch(/^hint: free disk space/m)
    expect(fileDigest(file)).toBe(before)
    const r = await runCli(['balance'], { env: env(file) })
    expect(stackTraceIn(r.stderr)).toBeNull()
    expect(r.code === 0 || /error\[DISK_FULL\]/.test(r.stderr), r.stderr).toBe(true)
    rmSync(filler)
    const v = await runCli(['verify', '--json'], { env: env(file) })
    expect(v.json?.data).toMatchObject({ ok: true, head: sample.head })
    const again = await runCli(['location', 'add', 'FRIDGE-9', '--name', 'Fridge', '--by', 'pic', '--json'], { env: env(file) })
    expect(again.code, again.stderr).toBe(0)
    expect(again.json!.data!.seq).toBe(sample.head.seq + 1)
    rmSync(file)
    for (const f of readdirSync(mnt)) rmSync(`${mnt}/${f}`)
  })

  it('given a disk that another program fills up while bin/csledger keeps recording, then every write either succeeds or fails with DISK_FULL, and after freeing space the ledger holds exactly the successful ones', async (ctx) => {
    if (!mounted) return ctx.skip('cannot mount a tmpfs here (not root)')
    const file = `${mnt}/clinic.db`
    copyFileSync(base, file)
    const filler = fill(96)
    const acked: number[] = []
    let full = 0
    for (let i = 0; i < 30 && full < (FULL ? 3 : 1); i++) {
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=8', 'oflag=append', 'conv=notrunc'], { encoding: 'utf8' })
      const r = await runCli(['location', 'add', `SHELF-${i}`, '--name', `Shelf ${i}`, '--by', 'pic', '--json'], { env: env(file) })
      expect(stackTraceIn(r.stderr + r.stdout), r.stdout).toBeNull()
      if (r.code === 0) acked.push(r.json!.data!.seq as number)
      else {
        expect(r.code, r.stdout).toBe(2)
        expect(r.json?.error?.code, r.stdout).toBe('DISK_FULL')
        full++
      }
    }
    expect(acked.length).toBeGreaterThan(0)
    expect(full).toBeGreaterThan(0)
    rmSync(filler)
    const v = await runCli(['verify', '--json'], { env: env(file) })
    expect(v.json?.data, v.stdout).toMatchObject({ ok: true, entries: sample.head.seq + acked.length })
    expect(acked).toEqual(acked.map((_, i) => sample.head.seq + 1 + i))
    rmSync(file)
    for (const f of readdirSync(mnt)) rmSync(`${mnt}/${f}`)
  })

  it('given one library process appending until the disk is full, then the refused append is DISK_FULL naming the file, every acknowledged entry is kept, and once space is freed the same connection appends again', async () => {
    // Without a tmpfs (not root) the full disk is injected with PRAGMA max_page_count, which makes
    // SQLite report SQLITE_FULL exactly as a full disk does.
    const injected = !mounted
    const file = injected ? fresh('max-page-count.db') : `${mnt}/clinic.db`
    copyFileSync(base, file)
    const filler = injected ? null : fill(160)
    const store = await openSqliteStore(file)
    try {
      if (injected) store.database.pragma(`max_page_count = ${(readFileSync(file).length / 4096) + 8}`)
      const L = new Ledger({ store })
      const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
      const acked: Array<{ seq: number; hash: string }> = []
      let refusal: unknown
      for (let i = 0; i < 2000 && !refusal; i++) {
        await L.addLocation({ code: `SHELF-${i}`, name: `Shelf ${i} ${'x'.repeat(150)}`, by: pic }).then(
          (r) => { acked.push({ seq: r.stored.entry.seq, hash: r.stored.hash }) },
          (e: unknown) => { refusal = e },
        )
      }
      expect(refusal).toBeInstanceOf(StoreError)
      expect(refusal).toMatchObject({ code: 'DISK_FULL', message: expect.stringContaining(file), hint: expect.stringContaining('free disk space') })
      expect(acked.length).toBeGreaterThan(0)
      if (filler) rmSync(filler)
      if (injected) store.database.pragma('max_page_count = 1073741823')
      const report = await verifyLedger(store)
      expect(report.findings).toEqual([])
      expect(report.head).toEqual(acked.at(-1))
      const next = await L.addLocation({ code: 'SHELF-AFTER', name: 'After the disk was freed', by: pic })
      expect(next.stored.entry.seq).toBe(acked.at(-1)!.seq + 1)
      expect((await verifyLedger(store)).ok).toBe(true)
    } finally {
      await store.close()
    }
    if (!injected) for (const f of readdirSync(mnt)) rmSync(`${mnt}/${f}`)
  })
})
