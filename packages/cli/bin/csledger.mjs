// Entry point: the only place that exits. Plain JS so that an old Node can read it and refuse.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `csledger: error[NODE_TOO_OLD]: csledger needs Node >= 22.18 (24 LTS recommended); this is Node ${process.versions.node}\n` +
      '  better-sqlite3 13 crashes on older Node versions.\n' +
      'hint: run ./bin/setup, which provisions Node 24 under .toolchain, then ./bin/csledger\n',
  )
  process.exit(70)
}
// Node >= 22.18 from here on, so process.getBuiltinModule exists (an import of node:module would
// build its ESM facade and, in the bundle, cost a file of its own).
process.getBuiltinModule('node:module').enableCompileCache?.()
const { run } = await import('../src/main.ts')
process.exitCode = await run(process.argv.slice(2))
