import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import type { PostgresTestEnv } from '../support/postgres-global-setup.ts'

/** The PostgreSQL the global setup prepared, or null when those tests are skipped. */
export function postgresEnv(): PostgresTestEnv | null {
  return inject('csledgerPostgres')
}

/** The same server and database as `url`, as another user (and optionally another database). */
export function urlAs(url: string, user: string, password: string, database?: string): string {
  const u = new URL(url)
  u.username = user
  u.password = password
  if (database !== undefined) u.pathname = `/${database}`
  return u.toString()
}

/** Runs one query on a short-lived connection. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query<R>(text, params)
  } finally {
    await client.end()
  }
}

/** Runs statements on one connection, returning the error each throws (or undefined). */
export async function tryEach(url: string, statements: ReadonlyArray<{ text: string; params?: unknown[] }>): Promise<Array<(Error & { code?: string }) | undefined>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const out: Array<(Error & { code?: string }) | undefined> = []
  try {
    for (const s of statements) {
      try {
        await client.query(s.text, s.params ?? [])
        out.push(undefined)
      } catch (err) {
        out.push(err as Error & { code?: string })
      }
    }
  } finally {
    await client.end()
  }
  return out
}

/** A unique lowercase suffix for cluster-wide names (roles, databases). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/**
 * Creates a login role that is a member of csledger_app (a registrant's application login),
 * as the owner role (CREATEROLE). Drop it with `dropRole` when done.
 */
export async function createAppRole(env: PostgresTestEnv, prefix = 'csl_t'): Promise<{ role: string; url: string }> {
  const role = uniqueName(prefix)
  const password = randomBytes(12).toString('hex')
  await query(env.ownerUrl, `CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE csledger_app`)
  return { role, url: urlAs(env.ownerUrl, role, password) }
}

export async function dropRole(env: PostgresTestEnv, role: string): Promise<void> {
  await query(env.ownerUrl, `DROP ROLE IF EXISTS ${role}`)
}

/** Runs SQL as the postgres superuser through psql (`su postgres`): what a tamperer with server access does. */
export function superuserSql(env: PostgresTestEnv, sqlText: string, database = env.database): string {
  return execFileSync('su', ['postgres', '-c', `psql -X -q -A -t -v ON_ERROR_STOP=1 -p ${env.port} -d ${database}`], { input: sqlText, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
