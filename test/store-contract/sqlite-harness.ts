import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { LedgerStore } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import type { StoreHarness } from './store-harness.ts'

/** The SQLite store on a temporary file; raw access and tampering go through a second connection. */
export const sqliteHarness: StoreHarness = {
  name: 'SQLite',
  available: true,
  tamperAvailable: true,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'csledger-contract-'))
    const file = join(dir, 'ledger.db')
    const store = await openSqliteStore(file, { create: true })
    const others: LedgerStore[] = []
    const withDb = async (fn: (db: Database.Database) => void): Promise<void> => {
      const db = new Database(file)
      try { fn(db) } finally { db.close() }
    }
    const unguarded = (fn: (db: Database.Database) => void) => withDb((db) => {
      db.exec('DROP TRIGGER IF EXISTS ledger_entry_no_update; DROP TRIGGER IF EXISTS ledger_entry_no_delete; DROP TRIGGER IF EXISTS ledger_entry_continuity')
      db.exec('DROP TRIGGER IF EXISTS entry_signature_no_update; DROP TRIGGER IF EXISTS entry_signature_no_delete')
      fn(db)
    })
    return {
      store,
      ledgerId: randomUUID(),
      async reopen() {
        const s = await openSqliteStore(file)
        others.push(s)
        return s
      },
      raw: {
        updateEntryActor: (seq, actor) => withDb((db) => { db.prepare('UPDATE ledger_entry SET actor = ? WHERE seq = ?').run(actor, seq) }),
        deleteEntry: (seq) => withDb((db) => { db.prepare('DELETE FROM ledger_entry WHERE seq = ?').run(seq) }),
        insertEntryRow: (r) => withDb((db) => {
          db.prepare('INSERT INTO ledger_entry (seq, ledger_id, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
            .run(r.seq, r.ledger_id, r.prev_hash, r.hash, r.kind, r.recorded_at, r.occurred_at, r.actor, r.request_id, r.canonical)
        }),
        updateSignatureSigner: (seq, role, signer) => withDb((db) => { db.prepare('UPDATE entry_signature SET signer = ? WHERE seq = ? AND role = ?').run(signer, seq, role) }),
        deleteSignature: (seq, role) => withDb((db) => { db.prepare('DELETE FROM entry_signature WHERE seq = ? AND role = ?').run(seq, role) }),
        insertSignatureRow: (x) => withDb((db) => { db.prepare('INSERT INTO entry_signature (seq, role, signer, signature) VALUES (?, ?, ?, ?)').run(x.seq, x.role, x.signer, x.signature) }),
        updateCheckpointSize: (size) => withDb((db) => { db.prepare('UPDATE checkpoint SET size = ?').run(size) }),
        deleteCheckpoints: () => withDb((db) => { db.prepare('DELETE FROM checkpoint').run() }),
      },
      tamper: {
        replaceCanonical: (seq, canonical) => unguarded((db) => { db.prepare('UPDATE ledger_entry SET canonical = ? WHERE seq = ?').run(canonical, seq) }),
        rewriteEntry: (seq, canonical, hash) => unguarded((db) => { db.prepare('UPDATE ledger_entry SET canonical = ?, hash = ? WHERE seq = ?').run(canonical, hash, seq) }),
        deleteEntry: (seq) => unguarded((db) => { db.prepare('DELETE FROM ledger_entry WHERE seq = ?').run(seq) }),
        replaceSignature: (seq, role, signature) => unguarded((db) => { db.prepare('UPDATE entry_signature SET signature = ? WHERE seq = ? AND role = ?').run(signature, seq, role) }),
        deleteSignature: (seq, role) => unguarded((db) => { db.prepare('DELETE FROM entry_signature WHERE seq = ? AND role = ?').run(seq, role) }),
      },
      async dispose() {
        for (const s of others) await s.close()
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
}
