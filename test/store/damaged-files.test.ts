import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger, StoreError, verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { SAMPLE_PASSPHRASE, TEST_KDF, buildSampleLedger } from '../support/build-sample-ledger.ts'
import { fileDigest } from '../support/file-digest.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { DROP_GUARD_TRIGGERS_SQL, runSqliteShell } from '../support/run-sqlite-shell.ts'

// Files csledger may be pointed at that are not a healthy ledger it can write. Each must give a
// StoreError with a clear code whose message names the file, and the file's bytes must be the same
// afterwards: a tool that guards a controlled-substance record never "repairs" what it was handed.

const tmp = makeTempDir('damaged')
let base: string
let n = 0

beforeAll(async () => {
  base = tmp.file('base.db')
  await buildSampleLedger(base)
})
afterAll(() => tmp.remove())

const fresh = (name: string) => tmp.file(`${++n}-${name}`)
function copyOfLedger(name: string): string {
  const file = fresh(name)
  copyFileSync(base, file)
  return file
}

/** Opens `file`, expecting a StoreError; checks it names the file and that the bytes did not change. */
async function expectOpenRefused(file: string, options: Parameters<typeof openSqliteStore>[1], code: string): Promise<StoreError> {
  const before = existsSync(file) ? fileDigest(file) : null
  const err = await openSqliteStore(file, options).then(
    async (store) => { await store.close(); return undefined },
    (e: unknown) => e,
  )
  expect(err, `opening ${file} should have failed with ${code}`).toBeInstanceOf(StoreError)
  expect((err as StoreError).code).toBe(code)
  expect((err as StoreError).message).toContain(file)
  expect((err as StoreError).hint).toBeTruthy()
  expect(existsSync(file) ? fileDigest(file) : null).toBe(before)
  return err as StoreError
}

/** A ledger as an older csledger left it: migration 0002 (the triggers) not yet applied. */
function olderSchemaLedger(name: string): string {
  const file = copyOfLedger(name)
  runSqliteShell(file, `${DROP_GUARD_TRIGGERS_SQL}\nDROP INDEX projection_open_container;\nDELETE FROM kysely_migration WHERE name IN ('0002-append-only-triggers', '0003-continuity-refuses-replace', '0004-signatures-and-checkpoints', '0005-open-container-index');`)
  return file
}

/**
 * Makes a file unwritable in a way that holds even for root (tests run as root here, where
 * chmod 444 stops nothing): `chattr +i` (immutable) as root, chmod 444 otherwise. Returns the undo,
 * or null when neither works here (e.g. a file system without the immutable flag).
 */
function makeUnwritable(file: string): (() => void) | null {
  let undo: () => void
  if (process.getuid?.() === 0) {
    if (spawnSync('chattr', ['+i', file]).status !== 0) return null
    undo = () => { spawnSync('chattr', ['-i', file]) }
  } else {
    chmodSync(file, 0o444)
    undo = () => chmodSync(file, 0o644)
  }
  try {
    closeSync(openSync(file, 'r+')) // really unwritable? then this throws EPERM/EACCES
    undo()
    return null
  } catch {
    return undo
  }
}

describe('opening a file that is not a healthy, writable ledger', () => {
  it('given a text file, when opened (with or without create), then NOT_A_LEDGER', async () => {
    const file = fresh('notes.txt')
    writeFileSync(file, 'Controlled substance count sheet\n'.repeat(100))
    await expectOpenRefused(file, {}, 'NOT_A_LEDGER')
    await expectOpenRefused(file, { create: true }, 'NOT_A_LEDGER')
    await expectOpenRefused(file, { readonly: true }, 'NOT_A_LEDGER')
  })

  it('given the first 1 kB of a real ledger (a truncated copy), when opened, then DAMAGED', async () => {
    const file = fresh('truncated.db')
    writeFileSync(file, readFileSync(base).subarray(0, 1024))
    await expectOpenRefused(file, {}, 'DAMAGED')
    await expectOpenRefused(file, { readonly: true }, 'DAMAGED')
  })

  it('given a ledger shorter than one page but with a SQLite header, when opened, then DAMAGED', async () => {
    const file = fresh('stub.db')
    writeFileSync(file, readFileSync(base).subarray(0, 100))
    await expectOpenRefused(file, {}, 'DAMAGED')
  })

  it('given a ledger written by a newer csledger (an unknown migration recorded), when opened (read-write or read-only), then SCHEMA_TOO_NEW naming the schema', async () => {
    const file = copyOfLedger('newer.db')
    runSqliteShell(file, "INSERT INTO kysely_migration (name, timestamp) VALUES ('0003-future-feature', '2027-01-01T00:00:00.000Z');")
    const err = await expectOpenRefused(file, {}, 'SCHEMA_TOO_NEW')
    expect(err.message).toContain('0003-future-feature')
    await expectOpenRefused(file, { readonly: true }, 'SCHEMA_TOO_NEW')
  })

  it('given no file at the path, when opened without create (read-write or read-only), then NO_LEDGER and no file is created', async () => {
    const file = fresh('missing.db')
    await expectOpenRefused(file, {}, 'NO_LEDGER')
    await expectOpenRefused(file, { readonly: true }, 'NO_LEDGER')
    expect(existsSync(file)).toBe(false)
  })

  it('given an empty file, when opened without create, then NO_LEDGER', async () => {
    const file = fresh('empty.db')
    writeFileSync(file, '')
    await expectOpenRefused(file, {}, 'NO_LEDGER')
  })

  it('given a folder, when opened, then NOT_A_LEDGER', async () => {
    const dir = fresh('folder.db')
    mkdirSync(dir)
    const err = await openSqliteStore(dir).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'StoreError', code: 'NOT_A_LEDGER', message: expect.stringContaining(dir) })
  })

  it('given another application\'s SQLite database, when opened without create, then NOT_A_LEDGER', async () => {
    const file = fresh('other-app.db')
    runSqliteShell(file, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');")
    const err = await openSqliteStore(file).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'StoreError', code: 'NOT_A_LEDGER', message: expect.stringContaining(file) })
  })

  // BUG (packages/ledger-sqlite/src/open-sqlite-store.ts:38): `journal_mode = WAL` is set before the
  // schema is checked, so refusing another application's database still rewrites its header
  // (bytes 18-19, rollback journal -> WAL). The file is written before it is understood.
  it('given another application\'s SQLite database, when opening is refused, then its bytes are unchanged', async () => {
    const file = fresh('other-app-bytes.db')
    runSqliteShell(file, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');")
    await expectOpenRefused(file, {}, 'NOT_A_LEDGER')
  })

  // BUG (packages/ledger-sqlite/src/open-sqlite-store.ts:80): with `create` (what `init` passes) a
  // non-empty SQLite database of another application is migrated: the ledger tables are added to it.
  it('given another application\'s SQLite database, when opened with create, then NOT_A_LEDGER and nothing is added to it', async () => {
    const file = fresh('other-app-create.db')
    runSqliteShell(file, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');")
    const tablesBefore = runSqliteShell(file, '.tables').stdout
    const err = await openSqliteStore(file, { create: true }).then(async (s) => { await s.close(); return undefined }, (e: unknown) => e)
    expect(runSqliteShell(file, '.tables').stdout).toBe(tablesBefore)
    expect(err).toMatchObject({ name: 'StoreError', code: 'NOT_A_LEDGER' })
  })

  // BUG (packages/ledger-sqlite/src/sqlite-ledger-store.ts:92-118): reads do not go through
  // mapSqliteError, so a file whose schema pages are intact but a data page is damaged opens, and
  // `verify` (or `log`, `balance`) then fails with a raw SqliteError (exit 70, "a bug") instead of
  // StoreError DAMAGED with the restore hint.
  it('given a ledger with one entry page overwritten, when verified, then StoreError DAMAGED naming the file', async () => {
    const file = copyOfLedger('bad-page.db')
    const page = Number(runSqliteShell(file, "SELECT pageno FROM dbstat WHERE name = 'ledger_entry' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1;").stdout.trim())
    expect(page).toBeGreaterThan(1)
    const bytes = readFileSync(file)
    bytes.fill(0xab, (page - 1) * 4096, page * 4096)
    writeFileSync(file, bytes)
    const store = await openSqliteStore(file, { readonly: true })
    try {
      await expect(verifyLedger(store)).rejects.toMatchObject({ name: 'StoreError', code: 'DAMAGED', message: expect.stringContaining(file) })
    } finally {
      await store.close()
    }
  })
})

describe('a ledger that cannot be written', () => {
  /** Tries one append as the PIC; returns what it threw. */
  async function tryAppend(store: Awaited<ReturnType<typeof openSqliteStore>>): Promise<unknown> {
    const L = new Ledger({ store, kdf: TEST_KDF })
    const pic = await L.authenticate('pic', SAMPLE_PASSPHRASE)
    return L.addLocation({ code: 'FRIDGE-3', name: 'Fridge', by: pic }).then(() => undefined, (e: unknown) => e)
  }

  it('given a ledger opened with readonly, when read, then it verifies; when an append is tried, then READ_ONLY naming the file and nothing is written', async () => {
    const file = copyOfLedger('readonly.db')
    const before = fileDigest(file)
    const store = await openSqliteStore(file, { readonly: true })
    try {
      expect((await verifyLedger(store)).ok).toBe(true)
      const head = await store.read().head()
      const err = await tryAppend(store)
      expect(err).toBeInstanceOf(StoreError)
      expect(err).toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining(file) })
      expect(await store.read().head()).toEqual(head)
    } finally {
      await store.close()
    }
    expect(fileDigest(file)).toBe(before)
  })

  it('given a file the OS will not let anyone write (chattr +i as root, chmod 444 otherwise), when opened normally and an append is tried, then READ_ONLY naming the file and nothing is written', async (ctx) => {
    const file = copyOfLedger('immutable.db')
    const before = fileDigest(file)
    const undo = makeUnwritable(file)
    if (!undo) return ctx.skip('cannot make a file unwritable here (no chattr +i, and chmod does not bind root)')
    try {
      const store = await openSqliteStore(file) // SQLite falls back to read-only; reads still work
      try {
        expect((await verifyLedger(store)).ok).toBe(true)
        const err = await tryAppend(store)
        expect(err).toBeInstanceOf(StoreError)
        expect(err).toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining(file) })
      } finally {
        await store.close()
      }
    } finally {
      undo()
    }
    expect(fileDigest(file)).toBe(before)
  })

  it('given an unwritable file that needs a schema upgrade, when opened normally, then READ_ONLY at open and nothing is written', async (ctx) => {
    const file = olderSchemaLedger('immutable-old.db')
    const undo = makeUnwritable(file)
    if (!undo) return ctx.skip('cannot make a file unwritable here')
    try {
      await expectOpenRefused(file, {}, 'READ_ONLY')
    } finally {
      undo()
    }
  })

  it('given a file that needs a schema upgrade, when opened with readonly, then NEEDS_MIGRATION and nothing is written; opened normally it is upgraded', async () => {
    const file = olderSchemaLedger('old.db')
    await expectOpenRefused(file, { readonly: true }, 'NEEDS_MIGRATION')
    const store = await openSqliteStore(file)
    try {
      expect(store.database.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get()).toEqual({ n: 8 })
      expect((await verifyLedger(store)).ok).toBe(true)
    } finally {
      await store.close()
    }
  })
})
