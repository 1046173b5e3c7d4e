import { InputError } from '@csledger/ledger-core'

/** A `postgres://` URL taken apart: the connection string pg gets, and the ledger it names. */
export interface PostgresUrl {
  /** The URL without csledger's own parameters, as handed to pg. */
  readonly connectionString: string
  /** The `ledger` query parameter, when present. */
  readonly ledgerId: string | undefined
  /** The URL with its password replaced by `***`: safe to print. */
  readonly display: string
}

/** True for `postgres://…` and `postgresql://…` (the CLI's `--db` picks the store by this). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}

/**
 * Parses a `--db postgres://user:password@host:port/database?ledger=<ledger id>` URL. The `ledger`
 * parameter selects one registrant's ledger in a shared database; every other parameter (sslmode,
 * application_name …) goes to pg unchanged.
 *
 * @example
 * parsePostgresUrl('postgres://clinic_a@db.example/csledger?ledger=2f7c…&sslmode=require')
 */
export function parsePostgresUrl(url: string): PostgresUrl {
  if (!isPostgresUrl(url)) {
    throw new InputError('NOT_A_POSTGRES_URL', 'a PostgreSQL --db must start with postgres:// or postgresql://', { hint: 'e.g. --db postgres://clinic_a@db.example/csledger?ledger=<ledger id>' })
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new InputError('BAD_POSTGRES_URL', `cannot parse the PostgreSQL URL ${redactPassword(url)}`, { hint: 'use postgres://user:password@host:port/database; percent-encode special characters in the password' })
  }
  const ledgers = parsed.searchParams.getAll('ledger')
  if (ledgers.length > 1) throw new InputError('BAD_POSTGRES_URL', 'the URL names more than one ledger', { hint: 'give one ?ledger=<ledger id>' })
  const ledgerId = ledgers[0]
  if (ledgerId !== undefined && ledgerId.trim() === '') throw new InputError('BAD_POSTGRES_URL', 'the URL has an empty ledger parameter', { hint: 'give ?ledger=<ledger id>, or leave it out when the role uses one ledger' })
  parsed.searchParams.delete('ledger')
  const connectionString = parsed.toString()
  return { connectionString, ledgerId, display: redactPassword(connectionString) }
}

/** The URL with its password masked, for messages and logs. */
export function redactPassword(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
  }
}
