import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh folder under the OS temp dir, for one test file's ledger files. */
export interface TempDir {
  /** Absolute path of the folder. */
  readonly dir: string
  /** Absolute path of `name` inside the folder. */
  file(name: string): string
  /** Deletes the folder and everything in it. */
  remove(): void
}

/**
 * Creates a temp folder whose name starts with `csledger-<label>-`.
 *
 * @example
 * const tmp = makeTempDir('tamper')
 * afterAll(() => tmp.remove())
 * const file = tmp.file('clinic.db')
 */
export function makeTempDir(label: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), `csledger-${label}-`))
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
