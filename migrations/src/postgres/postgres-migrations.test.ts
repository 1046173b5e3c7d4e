import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATIONS, POSTGRES_MIGRATION_NAMES, postgresMigrationProvider } from './index.ts'

const dir = new URL('.', import.meta.url)
const files = readdirSync(dir).filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))

describe('PostgreSQL migrations', () => {
  it('are frozen in time: each file imports only kysely', () => {
    for (const f of files) {
      const imports = [...readFileSync(new URL(f, dir), 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1])
      expect(imports.every((i) => i === 'kysely' || i === 'kysely/migration'), `${f} imports ${imports.join(', ')}`).toBe(true)
    }
  })

  it('are listed once each, in file-name order, under the file name', async () => {
    expect(POSTGRES_MIGRATION_NAMES).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort())
    expect(Object.keys(await postgresMigrationProvider.getMigrations())).toEqual(Object.keys(POSTGRES_MIGRATIONS))
  })
})
