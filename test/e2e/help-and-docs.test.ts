import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { REPO_ROOT, csledger, tempDir } from '../support/cli.ts'

/**
 * `csledger --help` and every command's help explain the flags and show an example; docs/ has a
 * page per command that covers the same flags, and a one-page guide per role.
 */

/** The command paths of issue 3; help discovery below must find at least these. */
const CONTRACT = [
  'init', 'user add', 'user list', 'user deactivate', 'location add', 'product add', 'receive', 'open', 'administer', 'waste',
  'cosign', 'transfer', 'correct', 'balance', 'log', 'export', 'verify',
]

let cwd: string
let remove: () => Promise<void>
const helpCache = new Map<string, Promise<string>>()

/** The help text of a command path ('' for the program), from the real binary. */
function help(path: string): Promise<string> {
  let p = helpCache.get(path)
  if (!p) {
    p = csledger([...path.split(' ').filter(Boolean), '--help'], { cwd }).then((r) => {
      if (r.code !== 0 || r.stderr !== '') throw new Error(`csledger ${path} --help: exit ${r.code}\n${r.stderr}`)
      return r.stdout
    })
    helpCache.set(path, p)
  }
  return p
}

/** Names listed under "Commands:" in a help text (without `help`). */
function subcommands(text: string): string[] {
  const section = text.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? ''
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help')
}

/** Every command path the binary offers, found by walking the help. */
async function allPaths(): Promise<string[]> {
  const out: string[] = []
  const walk = async (path: string) => {
    for (const name of subcommands(await help(path))) {
      const sub = path ? `${path} ${name}` : name
      out.push(sub)
      await walk(sub)
    }
  }
  await walk('')
  return out
}

/** Long flags listed under "Options:" (without --help). */
function flags(text: string): string[] {
  const section = text.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? ''
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((f) => f !== '--help')
}

beforeAll(async () => { ({ dir: cwd, remove } = await tempDir()) })
afterAll(async () => { await remove() })

describe('help', () => {
  test('csledger --help lists every command, the global flags, passphrases, exit codes and an example', async () => {
    const text = await help('')
    const top = subcommands(text)
    for (const path of CONTRACT) expect(top).toContain(path.split(' ')[0])
    for (const flag of ['--db <path>', '--json', '-y, --yes', '-V, --version']) expect(text).toContain(flag)
    for (const env of ['CSLEDGER_DB', 'CSLEDGER_PASSPHRASE', 'CSLEDGER_WITNESS_PASSPHRASE', 'CSLEDGER_NEW_PASSPHRASE']) expect(text).toContain(env)
    expect(text).toMatch(/Exit codes: 0 ok, 1 problems found, 2 usage or invalid input, 3 refused by a ledger rule,\s+4 conflict \(safe to retry\), 5 integrity failure, 77 authentication or permission, 70 internal\./)
    expect(text).toMatch(/\nExample[^\n]*:\n {2}\$ csledger /)
  })

  test('csledger --version prints the version', async () => {
    const r = await csledger(['--version'], { cwd })
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  test('every command\'s help explains each flag and shows a runnable example of that command', async () => {
    const paths = await allPaths()
    for (const path of CONTRACT) expect(paths).toContain(path)
    for (const path of paths) {
      const text = await help(path)
      expect(text, path).toContain(`Usage: csledger ${path}`)
      const options = text.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? ''
      for (const line of options.split('\n').filter((l) => /^ {2}-/.test(l))) {
        expect(line.trim(), `${path}: a flag without an explanation`).toMatch(/^\S.*\S {2,}\S/)
      }
      const example = text.split('\nExample:\n')[1]
      expect(example, `${path} --help has no example`).toBeDefined()
      const lines = example!.trimEnd().split('\n')
      expect(lines.length, path).toBeGreaterThan(0)
      for (const line of lines) expect(line, path).toMatch(/^ {2}\$ (\S+=\S+ )*csledger /)
      expect(lines.some((l) => l.includes(`csledger ${path.split(' ')[0]}`)), `${path}: the example does not run ${path}`).toBe(true)
    }
  })
})

describe('docs', () => {
  test('docs/commands.md links a page per command, and each page covers every flag of its help and has an example', async () => {
    const index = await readFile(join(REPO_ROOT, 'docs', 'commands.md'), 'utf8')
    for (const path of await allPaths()) {
      const top = path.split(' ')[0]!
      expect(index, `docs/commands.md does not link ${top}`).toContain(`(commands/${top}.md)`)
      const page = await readFile(join(REPO_ROOT, 'docs', 'commands', `${top}.md`), 'utf8')
      expect(page, `docs/commands/${top}.md does not describe "${path}"`).toContain(`csledger ${path}`)
      for (const flag of flags(await help(path))) expect(page, `docs/commands/${top}.md does not explain ${flag} of ${path}`).toContain(flag)
      expect(page).toMatch(/```sh\n(\S+=\S+ )*csledger /)
    }
  })

  test('docs/roles has a one-page guide per role, each naming only commands that exist', async () => {
    const paths = new Set(await allPaths())
    for (const role of ['pic', 'nurse', 'physician', 'auditor']) {
      const page = await readFile(join(REPO_ROOT, 'docs', 'roles', `${role}.md`), 'utf8')
      expect(page.split('\n').length, `${role}.md is not one page`).toBeLessThan(160)
      for (const m of page.matchAll(/(?:`|^|\$ )csledger ([a-z]+)(?: ([a-z]+))?/gm)) {
        const [, first, second] = m
        expect(paths.has(first!) || paths.has(`${first} ${second}`), `${role}.md mentions \`csledger ${first}\` which does not exist`).toBe(true)
      }
    }
  })

  test('docs/exit-codes.md documents every exit code and the catalog categories match it', async () => {
    const doc = await readFile(join(REPO_ROOT, 'docs', 'exit-codes.md'), 'utf8')
    for (const code of [0, 1, 2, 3, 4, 5, 70, 77]) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'))
  })
})
