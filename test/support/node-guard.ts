/**
 * Refuses to run the test suite on a Node older than 22.18: better-sqlite3 13 segfaults
 * on Node 20 (exit 139, no message). Run `./bin/bootstrap` to provision Node 24.
 */
export function assertSupportedNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  if (major < 22 || (major === 22 && minor < 18)) {
    throw new Error(
      `csledger needs Node >= 22.18 (24 LTS recommended); this is Node ${version}.\n` +
        'hint: run ./bin/test (it provisions Node 24 under .toolchain) or put .toolchain/bin first on PATH',
    )
  }
}
