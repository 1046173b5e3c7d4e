import { parseArgs } from 'node:util'
import { renderReportText } from './render-report.ts'
import { verifyBundle, type BundleStatus } from './verify-bundle.ts'

/** Exit code per outcome: 0 verified, 1 nothing wrong but not anchored, 5 integrity failure, 2 unreadable bundle or bad usage. */
export const EXIT_CODES: Readonly<Record<BundleStatus, number>> = { verified: 0, unanchored: 1, failed: 5, unreadable: 2 }

const USAGE = `usage: csledger-verify <bundle-folder> [--code "<size> <code>"]... [--require <key name>]... [--json]

Verifies a csledger export bundle with Node alone: entries.jsonl, keys.txt, checkpoints/*.txt.
  --code      a checkpoint code copied from a count sheet, e.g. --code "1042 MFRG-GZDF-MZTW-Q2LK"
  --require   a key name that must have signed every checkpoint (repeatable)
  --json      print the report as JSON instead of text
exit status: 0 verified, 1 intact but not anchored by a signed checkpoint, 5 integrity failure,
             2 unreadable bundle or bad usage
`

export interface Io {
  readonly stdout: { write(s: string): unknown }
  readonly stderr: { write(s: string): unknown }
}

/**
 * The csledger-verify command: returns the exit code, never exits (bin/csledger-verify.mjs does).
 *
 * @example
 * process.exitCode = await run(['./export', '--code', '1042 MFRG-GZDF-MZTW-Q2LK'])
 */
export async function run(argv: readonly string[], io: Io = process): Promise<number> {
  let args
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        code: { type: 'string', multiple: true },
        require: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    io.stderr.write(`csledger-verify: error[USAGE]: ${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (args.values.help) {
    io.stdout.write(USAGE)
    return 0
  }
  if (args.positionals.length !== 1) {
    io.stderr.write(`csledger-verify: error[USAGE]: give exactly one bundle folder\n${USAGE}`)
    return 2
  }
  const report = await verifyBundle(args.positionals[0] as string, { codes: args.values.code ?? [], require: args.values.require ?? [] })
  io.stdout.write(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report))
  return EXIT_CODES[report.status]
}
