import type { LedgerStore } from '@csledger/ledger-core'
import { openPostgresStore } from '@csledger/ledger-postgres'
import { literal, postgresEnv, query, superuserSql } from '../postgres/pg-test-env.ts'
import type { StoreHarness } from './store-harness.ts'

const env = postgresEnv()

/**
 * The PostgreSQL store: a fresh ledger in the shared test database, used through an application
 * login role (row-level security and no UPDATE/DELETE privilege apply). Raw access runs as the
 * owner role (only the triggers stand in the way); tampering runs as the postgres superuser with
 * the triggers of the table it edits (ledger_entry, entry_signature) disabled for the length of one
 * transaction.
 */
export const postgresHarness: StoreHarness = {
  name: 'PostgreSQL',
  available: env !== null,
  tamperAvailable: env?.superuser ?? false,
  async create() {
    if (!env) throw new Error('PostgreSQL is not available')
    const store = await openPostgresStore(env.appUrl, { create: true, poolSize: 2 })
    const id = store.ledgerId
    const others: LedgerStore[] = []
    const unguarded = async (statement: string, table = 'ledger_entry'): Promise<void> => {
      superuserSql(env, `BEGIN;
        ALTER TABLE ${table} DISABLE TRIGGER USER;
        ${statement};
        ALTER TABLE ${table} ENABLE TRIGGER USER;
        COMMIT;`)
    }
    return {
      store,
      ledgerId: id,
      async reopen() {
        const s = await openPostgresStore(env.appUrl, { ledgerId: id, poolSize: 2 })
        others.push(s)
        return s
      },
      raw: {
        updateEntryActor: async (seq, actor) => { await query(env.ownerUrl, 'UPDATE ledger_entry SET actor = $1 WHERE ledger_id = $2 AND seq = $3', [actor, id, seq]) },
        deleteEntry: async (seq) => { await query(env.ownerUrl, 'DELETE FROM ledger_entry WHERE ledger_id = $1 AND seq = $2', [id, seq]) },
        insertEntryRow: async (r) => {
          await query(env.ownerUrl,
            'INSERT INTO ledger_entry (ledger_id, seq, prev_hash, hash, kind, recorded_at, occurred_at, actor, request_id, canonical) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
            [r.ledger_id, r.seq, r.prev_hash, r.hash, r.kind, r.recorded_at, r.occurred_at, r.actor, r.request_id, r.canonical])
        },
        updateSignatureSigner: async (seq, role, signer) => { await query(env.ownerUrl, 'UPDATE entry_signature SET signer = $1 WHERE ledger_id = $2 AND seq = $3 AND role = $4', [signer, id, seq, role]) },
        deleteSignature: async (seq, role) => { await query(env.ownerUrl, 'DELETE FROM entry_signature WHERE ledger_id = $1 AND seq = $2 AND role = $3', [id, seq, role]) },
        insertSignatureRow: async (x) => {
          await query(env.ownerUrl, 'INSERT INTO entry_signature (ledger_id, seq, role, signer, signature) VALUES ($1, $2, $3, $4, $5)', [id, x.seq, x.role, x.signer, x.signature])
        },
        updateCheckpointSize: async (size) => { await query(env.ownerUrl, 'UPDATE checkpoint SET size = $1 WHERE ledger_id = $2', [size, id]) },
        deleteCheckpoints: async () => { await query(env.ownerUrl, 'DELETE FROM checkpoint WHERE ledger_id = $1', [id]) },
      },
      tamper: {
        replaceCanonical: (seq, canonical) => unguarded(`UPDATE ledger_entry SET canonical = ${literal(canonical)} WHERE ledger_id = ${literal(id)} AND seq = ${seq}`),
        rewriteEntry: (seq, canonical, hash) => unguarded(`UPDATE ledger_entry SET canonical = ${literal(canonical)}, hash = ${literal(hash)} WHERE ledger_id = ${literal(id)} AND seq = ${seq}`),
        deleteEntry: (seq) => unguarded(`DELETE FROM ledger_entry WHERE ledger_id = ${literal(id)} AND seq = ${seq}`),
        replaceSignature: (seq, role, signature) => unguarded(
          `UPDATE entry_signature SET signature = ${literal(signature)} WHERE ledger_id = ${literal(id)} AND seq = ${seq} AND role = ${literal(role)}`, 'entry_signature'),
        deleteSignature: (seq, role) => unguarded(`DELETE FROM entry_signature WHERE ledger_id = ${literal(id)} AND seq = ${seq} AND role = ${literal(role)}`, 'entry_signature'),
      },
      async dispose() {
        for (const s of others) await s.close()
        await store.close()
      },
    }
  },
}
