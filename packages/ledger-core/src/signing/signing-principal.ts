import type { KeyObject } from 'node:crypto'
import type { Principal } from '../rules/common.ts'

/**
 * A principal that carries an unsealed signing key. The key is a non-enumerable property, so it
 * never reaches JSON, logs or spread copies; only code that asks for `signingKey` sees it.
 *
 * @example
 * const me = signingPrincipal('nkim', privateKey)
 * JSON.stringify(me) // '{"username":"nkim"}'
 */
export function signingPrincipal(username: string, signingKey: KeyObject | undefined): Principal {
  const p = { username }
  if (signingKey) Object.defineProperty(p, 'signingKey', { value: signingKey, enumerable: false, writable: false })
  return Object.freeze(p)
}
