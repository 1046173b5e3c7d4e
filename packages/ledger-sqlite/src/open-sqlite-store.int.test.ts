import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { SQLITE_MIGRATION_NAMES } from '@csledger/migrations/names'
import { fileDigest } from '../../../test/support/file-digest.ts'
import { makeTempDir } from '../../../test/support/make-temp-dir.ts'
import { openSqliteStore } from './open-sqlite-store.ts'

const tmp = makeTempDir('open-store')
afterAll(() => tmp.remove())

/** Reads a file's schema with a plain better-sqlite3 handle (not through the store). */
function inspect(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return {
      objects: db.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name").all() as Array<{ type: string; name: string }>,
      migrations: db.prepare('SELECT name, timestamp FROM kysely_migration ORDER BY name').all() as Array<{ name: string; timestamp: string }>,
      journalMode: db.pragma('journal_mode', { simple: true }),
    }
  } finally {
    db.close()
  }
}

describe('openSqliteStore on a real file', () => {
  it('given no file, when opened with create, then it creates the whole schema with every migration applied', async () => {
    const file = tmp.file('new.db')
    const store = await openSqliteStore(file, { create: true })
    expect(await store.read().head()).toBeNull()
    await store.close()

    const { objects, migrations, journalMode } = inspect(file)
    const names = (type: string) => objects.filter((o) => o.type === type).map((o) => o.name)
    expect(names('table')).toEqual(expect.arrayContaining(['checkpoint', 'credential', 'entry_signature', 'kysely_migration', 'ledger_entry', 'projection', 'projection_history']))
    expect(names('trigger')).toEqual([
      'checkpoint_no_delete', 'checkpoint_no_update', 'entry_signature_no_delete', 'entry_signature_no_update', 'entry_signature_with_entry',
      'ledger_entry_continuity', 'ledger_entry_no_delete', 'ledger_entry_no_update',
    ])
    expect(names('index')).toEqual(['ledger_entry_kind', 'ledger_entry_occurred_at', 'ledger_entry_recorded_at', 'projection_open_container'])
    expect(migrations.map((m) => m.name)).toEqual([...SQLITE_MIGRATION_NAMES])
    expect(journalMode).toBe('wal')
  })

  it('given a migrated ledger, when reopened (with or without create), then nothing in the file changes', async () => {
    const file = tmp.file('reopen.db')
    await (await openSqliteStore(file, { create: true })).close()
    const before = { digest: fileDigest(file), schema: inspect(file) }

    await (await openSqliteStore(file)).close()
    await (await openSqliteStore(file, { create: true })).close()

    expect(inspect(file)).toEqual(before.schema)
    expect(fileDigest(file)).toBe(before.digest)
  })

  it('given a ledger, when opened, then the connection runs with synchronous=FULL and foreign keys on', async () => {
    const file = tmp.file('pragmas.db')
    const store = await openSqliteStore(file, { create: true })
    try {
      expect(store.database.pragma('synchronous', { simple: true })).toBe(2) // 2 = FULL
      expect(store.database.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      await store.close()
    }
  })
})
