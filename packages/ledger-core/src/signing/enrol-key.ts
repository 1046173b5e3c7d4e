import { RuleViolation } from '../errors.ts'
import { type DecideContext, type Principal, activeUser } from '../rules/common.ts'
import type { ProjectionView } from '../state/projections.ts'
import type { CredentialRecord, Decision } from '../store/ledger-store.ts'
import { publicKeyBytes } from './public-key.ts'

/** A user created before signing existed enrols a signing key (their own act, with their passphrase). */
export interface EnrolKeyCommand {
  readonly by: Principal
  /** `ed25519:<base64>` */
  readonly publicKey: string
  /** The credential holding the new passphrase hash and the sealed private key. */
  readonly credential: CredentialRecord
}

/**
 * Decides a `user_key` entry: an active user who has no signing key records the public key of a
 * new one. The entry is written by the user and signed with the new key (proof of possession);
 * entries they wrote before stay as they are, unsigned and unchanged. A user who already has a key
 * is refused: replacing a key would let whoever holds the passphrase disown what was signed.
 */
export async function decideKeyEnrolment(view: ProjectionView, cmd: EnrolKeyCommand, ctx: DecideContext): Promise<Decision> {
  const user = await activeUser(view, cmd.by.username)
  if (user.public_key !== undefined) {
    throw new RuleViolation('KEY_EXISTS', `${user.username} already has a signing key (recorded at entry ${user.since_seq} or later)`, {
      hint: 'a passphrase change re-seals the same key; a lost key means deactivating the user and adding them again',
    })
  }
  if (!publicKeyBytes(cmd.publicKey)) throw new RuleViolation('BAD_PUBLIC_KEY', 'not an Ed25519 public key')
  return {
    draft: { kind: 'user_key', occurred_at: ctx.now.toISOString(), actor: user.username, data: { username: user.username, public_key: cmd.publicKey } },
    credentials: [cmd.credential],
  }
}
