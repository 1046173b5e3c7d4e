// A ledger file written before signing existed (schema 0001-0003, users without keys), taken over
// by this version through the CLI: nothing recorded changes or is re-signed, and signing starts.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { SAMPLE_PASSPHRASE, buildSampleLedger } from '../support/build-sample-ledger.ts'
import { makeTempDir } from '../support/make-temp-dir.ts'
import { cli, runVerifier, standaloneVerifier } from './support/attack-ledger.ts'

const tmp = makeTempDir('v1-migration')
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
afterAll(() => tmp.remove())

describe('a v1 ledger opened by the signing csledger', () => {
  it('given the old file, then it verifies as before; a PIC enrols a key, signs a checkpoint, and the export verifies with every old entry unchanged', async () => {
    const db = tmp.file('old.db')
    await buildSampleLedger(db)
    const d = new Database(db)
    d.exec("DROP TABLE entry_signature; DROP TABLE checkpoint; DROP INDEX projection_open_container; DELETE FROM kysely_migration WHERE name IN ('0004-signatures-and-checkpoints', '0005-open-container-index'); ALTER TABLE credential DROP COLUMN sealed_key")
    const before = d.prepare('SELECT * FROM ledger_entry ORDER BY seq').all() as Array<{ seq: number }>
    d.close()
    const env = { CSLEDGER_PASSPHRASE: SAMPLE_PASSPHRASE, CSLEDGER_WITNESS_PASSPHRASE: SAMPLE_PASSPHRASE, CSLEDGER_NEW_PASSPHRASE: SAMPLE_PASSPHRASE }

    const first = await cli(db, ['verify', '--json'], env)
    expect(first.json).toMatchObject({ ok: true, data: { findings: [] } })
    expect(first.json!.data.signatures).toBeUndefined()

    const refused = await cli(db, ['checkpoint', '--out', join(tmp.dir, 'cp.txt'), '--by', 'pic', '--json'], env)
    expect(refused.json!.error).toMatchObject({ code: 'NO_SIGNING_KEY', message: expect.stringContaining('created before signing existed') })

    const enrol = await cli(db, ['user', 'passphrase', 'pic', '--json'], { ...env, CSLEDGER_NEW_PASSPHRASE: 'the pic has a new passphrase' })
    expect(enrol.json).toMatchObject({ ok: true, data: { username: 'pic', resealed: false, enrolled: { seq: before.length + 1 } } })
    const picEnv = { ...env, CSLEDGER_PASSPHRASE: 'the pic has a new passphrase' }
    const added = await cli(db, ['user', 'add', 'rdiaz', '--name', 'Rosa Diaz', '--role', 'nurse', '--by', 'pic', '--json'], picEnv)
    expect(added.code, added.stderr).toBe(0)
    const cp = await cli(db, ['checkpoint', '--out', join(tmp.dir, 'cp.txt'), '--by', 'pic', '--json'], picEnv)
    expect(cp.json).toMatchObject({ ok: true, data: { size: before.length + 2, signers: [{ username: 'pic' }] } })

    const v = await cli(db, ['verify', '--checkpoint', join(tmp.dir, 'cp.txt'), '--json'], env)
    expect(v.json!.data.findings).toEqual([])
    expect(v.json!.data.signatures).toMatchObject({ verified: 2, keyed_users: 2, signing_since: before.length + 1 })
    expect(v.json!.data.signatures.unsigned_without_key).toBeGreaterThan(before.length)

    const after = new Database(db, { readonly: true })
    expect(after.prepare(`SELECT * FROM ledger_entry WHERE seq <= ${before.length} ORDER BY seq`).all()).toEqual(before)
    after.close()

    const bundle = join(tmp.dir, 'bundle')
    expect((await cli(db, ['export', '--bundle', bundle], env)).code).toBe(0)
    const r = runVerifier(standaloneVerifier(tmp.dir), bundle)
    expect(r.status, r.text).toBe(0)
    expect(r.report.signatures).toMatchObject({ file: true, verified: 2, keyedUsers: 2 })
    expect(readFileSync(join(bundle, 'keys.txt'), 'utf8')).toContain('# pic (pic), key recorded at entry')

    // The independent verifier written from docs/ledger-format.md reads the user_key entry and the public keys too.
    const py = spawnSync('python3', [join(ROOT, 'test/independent-verifier/verify.py'), join(bundle, 'entries.jsonl'), '--json'], { encoding: 'utf8' })
    expect(JSON.parse(py.stdout), py.stderr).toMatchObject({ ok: true, failure: null })
  })
})
