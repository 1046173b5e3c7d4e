#!/usr/bin/env node
// Entry point of the standalone verifier: the only place that exits. Plain JS so that an old Node
// can read it and refuse with a message; the TypeScript sources run through Node's type stripping.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `csledger-verify: error[NODE_TOO_OLD]: csledger-verify needs Node >= 22.18 (24 LTS recommended); this is Node ${process.versions.node}\n` +
      '  it runs its TypeScript sources directly, which older Node versions cannot do.\n' +
      'hint: install Node 24 LTS, then run: node bin/csledger-verify.mjs <bundle-folder>\n',
  )
  process.exit(2)
}
const { enableCompileCache } = await import('node:module')
enableCompileCache?.()
const { run } = await import('../src/main.ts')
process.exitCode = await run(process.argv.slice(2))
