import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

/** How the PostgreSQL tests reach the server (provided to them as `inject('csledgerPostgres')`). */
export interface PostgresTestEnv {
  /** The owner role (runs migrations, creates test roles and databases). */
  readonly ownerUrl: string
  /** An application login role (member of csledger_app). */
  readonly appUrl: string
  readonly port: string
  readonly database: string
  /** True when tests may run psql as the postgres superuser (`su postgres`, as root). */
  readonly superuser: boolean
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when CSLEDGER_SKIP_POSTGRES=1: the PostgreSQL tests are skipped. */
    csledgerPostgres: PostgresTestEnv | null
  }
}

const START = fileURLToPath(new URL('../../bin/postgres-start', import.meta.url))

/**
 * Vitest global setup for the PostgreSQL tests: uses the server named by CSLEDGER_PG_URL and
 * CSLEDGER_PG_APP_URL (as `eval "$(bin/postgres-start)"` exports them), or runs
 * bin/postgres-start itself (idempotent: installs, starts and provisions a local server), then
 * migrates the test database explicitly. Set CSLEDGER_SKIP_POSTGRES=1 to skip those tests on a
 * machine without PostgreSQL; anywhere else a server that cannot be started fails the run.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.CSLEDGER_SKIP_POSTGRES === '1') {
    project.provide('csledgerPostgres', null)
    return
  }
  const vars = process.env.CSLEDGER_PG_URL && process.env.CSLEDGER_PG_APP_URL ? process.env : startServer()
  const ownerUrl = required(vars, 'CSLEDGER_PG_URL')
  const appUrl = required(vars, 'CSLEDGER_PG_APP_URL')
  const parsed = new URL(ownerUrl)
  const env: PostgresTestEnv = {
    ownerUrl,
    appUrl,
    port: vars.CSLEDGER_PG_PORT ?? (parsed.port || '5432'),
    database: vars.CSLEDGER_PG_DATABASE ?? parsed.pathname.slice(1),
    superuser: ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname) && canSuperuser(),
  }
  const { migratePostgres } = await import('@csledger/ledger-postgres')
  await migratePostgres(env.ownerUrl)
  project.provide('csledgerPostgres', env)
}

function startServer(): Record<string, string | undefined> {
  let out: string
  try {
    out = execFileSync(START, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err)
    throw new Error(`bin/postgres-start failed: ${stderr.trim()}\nhint: fix the PostgreSQL set-up, or run with CSLEDGER_SKIP_POSTGRES=1 to skip the PostgreSQL tests`)
  }
  const vars: Record<string, string> = {}
  for (const m of out.matchAll(/^export (\w+)='([^']*)'$/gm)) vars[m[1]!] = m[2]!
  return vars
}

function required(vars: Record<string, string | undefined>, name: string): string {
  const v = vars[name]
  if (!v) throw new Error(`${name} is not set and bin/postgres-start did not print it`)
  return v
}

function canSuperuser(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('su', ['postgres', '-c', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
