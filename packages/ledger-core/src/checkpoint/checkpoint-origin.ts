import { InputError } from '../errors.ts'

/**
 * Default authority of a checkpoint origin. `.invalid` is reserved by RFC 6761 and never resolves,
 * which says plainly that the origin names a ledger and is not a network address.
 */
export const DEFAULT_ORIGIN_AUTHORITY = 'csledger.invalid'

const PART = /^[^\s+/]+$/u
const AUTHORITY = /^[^\s+/:]+(?:\/[^\s+/]+)*$/u

/**
 * The origin line of a ledger's checkpoints: `<authority>/<ledger_id>`, a schema-less URL as C2SP
 * tlog-checkpoint recommends. The last path segment is always the ledger_id, so a verifier can tie
 * a checkpoint to the entries it covers. The authority is a domain the registrant controls (with an
 * optional path, e.g. `ketamine-clinic.example.com/csledger`) or {@link DEFAULT_ORIGIN_AUTHORITY}.
 * The same string is the key name of the ledger's own signing key (held by the PIC).
 *
 * @example
 * checkpointOrigin('7d0e4f0a-…') // 'csledger.invalid/7d0e4f0a-…'
 */
export function checkpointOrigin(ledgerId: string, authority: string = DEFAULT_ORIGIN_AUTHORITY): string {
  if (!PART.test(ledgerId)) throw new InputError('BAD_ORIGIN', `a ledger id in an origin cannot contain spaces, "+" or "/": ${JSON.stringify(ledgerId)}`)
  if (!AUTHORITY.test(authority)) throw new InputError('BAD_ORIGIN', `an origin authority is a schema-less URL such as clinic.example.com/csledger, got ${JSON.stringify(authority)}`)
  return `${authority}/${ledgerId}`
}

/** The ledger_id an origin names (its last path segment), or undefined if it is not of the csledger form. */
export function ledgerIdOfOrigin(origin: string): string | undefined {
  const at = origin.lastIndexOf('/')
  if (at <= 0) return undefined
  const id = origin.slice(at + 1)
  return PART.test(id) && AUTHORITY.test(origin.slice(0, at)) ? id : undefined
}
