import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'
import { buildDemoLedger } from './build-demo-ledger.ts'
import { createDemoLedgerFile } from './create-demo-ledger-file.ts'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'csledger-demo-')) })
afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })

describe('the demo ledger', () => {
  it('given the same seed and days, when built twice into new files, then the chains are identical and verify', async () => {
    const a = await createDemoLedgerFile(join(dir, 'a.db'), { days: 3, seed: 7 })
    const b = await createDemoLedgerFile(join(dir, 'b.db'), { days: 3, seed: 7 })
    expect(a.head).toEqual(b.head)
    expect(a.kinds).toEqual(b.kinds)
    expect([a.from, a.to, a.timezone]).toEqual(['2027-01-04', '2027-01-06', 'America/New_York'])
    expect(a.kinds.administration).toBeGreaterThanOrEqual(3 * 15)
    const store = await openSqliteStore(join(dir, 'a.db'), { readonly: true })
    try {
      const report = await new Ledger({ store }).verify()
      expect([report.ok, report.head?.hash]).toEqual([true, a.head.hash])
    } finally {
      await store.close()
    }
  })

  it('given an existing file, when asked to build the demo into it, then it refuses and leaves the file alone', async () => {
    const file = join(dir, 'real.db')
    await writeFile(file, 'not empty')
    await expect(createDemoLedgerFile(file, { days: 1 })).rejects.toMatchObject({ code: 'DB_EXISTS' })
  })

  it('given bad options, when building, then it refuses before writing', async () => {
    const store = await openSqliteStore(join(dir, 'c.db'), { create: true })
    try {
      await expect(buildDemoLedger(store, { days: 0 })).rejects.toMatchObject({ code: 'INVALID_DAYS' })
      await expect(buildDemoLedger(store, { start: '2027-02-30' })).rejects.toMatchObject({ code: 'INVALID_DATE' })
      expect(await store.read().head()).toBeNull()
    } finally {
      await store.close()
    }
  })
})
