// Bundles the CLI into packages/cli/dist with rolldown (vite's bundler, already in the tree):
// one ESM entry, one start-up chunk, and a chunk per store and heavy library, loaded only when
// used (docs/adr/0004-cli-bundle.md). bin/csledger runs the bundle only while no source is
// newer than it.
import { rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'dist')

/**
 * Built-ins that take milliseconds to load and that most commands never call: crypto (hashing,
 * signatures and the passphrase KDF; `balance` or `log` need none of it) and child_process
 * (commander's external subcommands, the editor prompt). They are loaded on first call.
 */
const ON_FIRST_CALL = new Set(['node:crypto', 'node:child_process'])

/**
 * Node's built-in modules without their ESM facades. For `import { x } from 'node:fs'` Node
 * builds a facade that reads every export of the module, which runs the lazy getters behind
 * them (fs.promises, util.parseArgs, crypto.webcrypto, process.report, …) and loads dozens of
 * internal modules the CLI never uses. Here each built-in becomes a small module that takes the
 * object from `process.getBuiltinModule` (Node >= 22.3; bin/csledger.mjs refuses older Nodes
 * before anything is loaded) and exports each name through a pure call, so the bundler keeps
 * only the names that are used and nothing reads the others. A `require()` in a bundled
 * CommonJS package gets the module object itself.
 *
 * For the ON_FIRST_CALL modules, each function export is a wrapper that loads the module on its
 * first call, and the default export (`import childProcess from 'node:child_process'`) reads
 * its properties from the module loaded on first read.
 */
function builtinsWithoutFacade() {
  const prefix = '\0builtin:'
  return {
    name: 'builtins-without-facade',
    resolveId(source, _importer, options) {
      if (!isBuiltin(source)) return null
      const id = source.startsWith('node:') ? source : `node:${source}`
      return { id: `${prefix}${options.kind === 'require-call' ? 'cjs' : 'esm'}:${id}`, moduleSideEffects: false }
    },
    load(id) {
      if (!id.startsWith(prefix)) return null
      const kind = id.slice(prefix.length, prefix.length + 3)
      const name = id.slice(prefix.length + 4)
      const get = `process.getBuiltinModule(${JSON.stringify(name)})`
      if (kind === 'cjs') return { code: `module.exports = ${get}\n`, moduleType: 'js' }
      const mod = process.getBuiltinModule(name)
      const names = Object.keys(mod).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k))
      const lazy = ON_FIRST_CALL.has(name)
      // A lower-case function is a plain function (Node's classes are capitalised): safe to wrap.
      const wrap = (k) => lazy && typeof mod[k] === 'function' && /^[a-z]/.test(k)
      return {
        code: [
          lazy ? `let loaded\nconst m = () => (loaded ??= ${get})` : `const mod = ${get}\nconst m = () => mod`,
          'const pick = (k) => m()[k]',
          lazy ? 'export default /* @__PURE__ */ new Proxy({}, { get: (_, k) => m()[k] })' : 'export default mod',
          ...names.map((k) => wrap(k)
            ? `export const ${k} = (...args) => m().${k}(...args)`
            : `export const ${k} = /* @__PURE__ */ pick(${JSON.stringify(k)})`),
        ].join('\n'),
        moduleType: 'js',
      }
    },
  }
}

/**
 * better-sqlite3's JavaScript is bundled (fourteen small CommonJS files, each resolved, read
 * and compiled on its own, cost ~6 ms of every command that opens a ledger), except
 * lib/binding.js: it finds the native addon next to itself (`__dirname`), so it is still
 * loaded from the package folder, which Node finds from the bundle as before.
 */
function betterSqlite3BindingFromItsPackage() {
  const id = '\0better-sqlite3-binding'
  return {
    name: 'better-sqlite3-binding-from-its-package',
    resolveId(source, importer) {
      return source === './binding' && /[\\/]better-sqlite3[\\/]lib[\\/]index\.js$/.test(importer ?? '') ? id : null
    },
    load(loaded) {
      if (loaded !== id) return null
      return {
        code: [
          "const { createRequire } = process.getBuiltinModule('node:module')",
          "const { dirname, join } = process.getBuiltinModule('node:path')",
          'const require = createRequire(import.meta.url)',
          "export const { getBinding } = require(join(dirname(require.resolve('better-sqlite3')), 'binding.js'))",
        ].join('\n'),
        moduleType: 'js',
      }
    },
  }
}

/**
 * What every run loads: the CLI's entry point and all it imports (commander, every command's
 * module, the context, the renderers, ledger-core with decimal.js). One chunk, read in one go:
 * a chunk per command saved nothing measurable for `balance` and made `--help` load sixty files
 * (docs/adr/0004-cli-bundle.md). The stores, the reports, the prompts and the other heavy
 * libraries stay in chunks of their own, loaded by the commands that use them.
 */
const START = join(here, 'src', 'main.ts')

rmSync(out, { recursive: true, force: true })
await build({
  input: join(here, 'bin', 'csledger.mjs'),
  platform: 'node',
  resolve: { conditionNames: ['@csledger/source', 'node', 'import', 'default'] },
  plugins: [builtinsWithoutFacade(), betterSqlite3BindingFromItsPackage()],
  // pg and pdfkit (which reads its font files next to its code) stay external; better-sqlite3
  // is bundled but for the file that loads its addon (above).
  external: ['pg', 'pdfkit'],
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: 'csledger.mjs',
    chunkFileNames: 'chunks/[name]-[hash].mjs',
    // Built-ins required by bundled CommonJS packages are initialised on first require: no cost
    // in the start chunk, and no file of their own.
    codeSplitting: { groups: [{ name: 'start', test: (id) => id === START || id.startsWith('\0builtin:cjs:') }] },
    // ASCII only (non-ASCII characters as \u escapes) and no JSDoc: a chunk with one '…' in it
    // is a two-byte string to V8, which Node's compile cache then converts to UTF-8 in full to
    // look it up (13M instructions for the start chunk, 6% of a balance run), and the comments
    // were a third of its size. Licence comments stay.
    charset: 'ascii',
    comments: { legal: true, annotation: false, jsdoc: false },
  },
  logLevel: 'warn',
})
writeFileSync(join(out, 'BUILT'), `${new Date().toISOString()}\n`)
