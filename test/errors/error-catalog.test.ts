import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { REPO_ROOT } from '../support/cli.ts'
import { REPRODUCERS } from './reproducers.ts'

/** `| `CODE` | exit |` rows of one `## heading` section of docs/errors.md. */
async function rows(heading: string): Promise<string[]> {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8')
  const start = doc.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`docs/errors.md has no "## ${heading}" section`)
  const end = doc.indexOf('\n## ', start + 1)
  const section = doc.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((m) => `${m[1]} ${m[2]}`)
}

/** The source of everything bin/csledger runs: the CLI, the library, both stores, the reports and the demo. */
async function sourceText(): Promise<string> {
  const dirs = ['packages/ledger-core/src', 'packages/ledger-sqlite/src', 'packages/ledger-postgres/src', 'packages/reports/src', 'packages/demo/src', 'packages/cli/src', 'packages/cli/bin', 'bin']
  const texts: string[] = []
  for (const dir of dirs) {
    for (const entry of await readdir(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !entry.name.endsWith('.test.ts')) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'))
    }
  }
  return texts.join('\n')
}

describe('docs/errors.md, the error catalog', () => {
  test('lists exactly the (code, exit) pairs the reproducers provoke, each once', async () => {
    const listed = await rows('Catalog')
    const reproduced = REPRODUCERS.map((r) => `${r.code} ${r.exit}`)
    expect(new Set(listed).size, 'a code is listed twice').toBe(listed.length)
    expect(new Set(reproduced).size, 'two reproducers for one (code, exit)').toBe(reproduced.length)
    expect([...listed].sort()).toEqual([...reproduced].sort())
  })

  test('codes no test can provoke are listed apart, exist in the source, and have no reproducer', async () => {
    const apart = (await rows('Codes no test provokes')).map((r) => r.split(' ')[0]!)
    const reproduced = new Set(REPRODUCERS.map((r) => r.code))
    const source = await sourceText()
    for (const code of apart) {
      expect(reproduced.has(code), `${code} has a reproducer; move it to the catalog`).toBe(false)
      expect(source, `${code} is not raised anywhere in the source`).toContain(`'${code}'`)
    }
  })

  test('every error code raised in the source is either in the catalog or listed apart', async () => {
    const source = await sourceText()
    const raised = new Set([...source.matchAll(/(?:InputError|RuleViolation|ConflictError|IntegrityError|AuthError|StoreError)\('([A-Z_]+)'/g)].map((m) => m[1]!))
    const documented = new Set([...(await rows('Catalog')), ...(await rows('Codes no test provokes'))].map((r) => r.split(' ')[0]!))
    expect([...raised].filter((c) => !documented.has(c)).sort()).toEqual([])
  })
})
