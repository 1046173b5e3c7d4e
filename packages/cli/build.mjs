// Bundles the CLI into packages/cli/dist with rolldown (vite's bundler, already in the tree):
// one ESM entry plus lazy chunks, so a command loads a few files instead of ~100 TypeScript
// modules. bin/csledger runs the bundle only while no source is newer than it.
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist')
rmSync(out, { recursive: true, force: true })
await build({
  input: join(here, 'bin', 'csledger.mjs'),
  platform: 'node',
  resolve: { conditionNames: ['@csledger/source', 'node', 'import', 'default'] },
  // Native or file-reading packages stay external: better-sqlite3 (addon), pg, pdfkit (reads its font files).
  external: [/^node:/, 'better-sqlite3', 'pg', 'pdfkit'],
  output: { dir: out, format: 'esm', entryFileNames: 'csledger.mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
  logLevel: 'warn',
})
writeFileSync(join(out, 'BUILT'), `${new Date().toISOString()}\n`)
