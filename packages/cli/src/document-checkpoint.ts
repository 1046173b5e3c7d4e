import { type Ledger, LedgerError, type Principal, type VerifyReport } from '@csledger/ledger-core'
import type { CheckpointGiven } from '@csledger/reports'

/** The checkpoint a document prints, and a line for the terminal when none could be signed for it. */
export interface DocumentCheckpoint {
  readonly given: CheckpointGiven | null
  readonly note?: string
}

/**
 * The checkpoint an audit packet or a count sheet prints (issue: every audit packet produces one).
 * The person who generates it (`signer`, already authenticated) signs one of the ledger as it
 * stands; without a signer, or when they cannot sign (no key, a chain that does not verify), the
 * document falls back to `stored()`: the newest stored checkpoint the ledger still extends.
 */
export async function documentCheckpoint(L: Ledger, signer: Principal | undefined, stored: () => Promise<CheckpointGiven | null>): Promise<DocumentCheckpoint> {
  if (!signer) return { given: await stored() }
  if (!signer.signingKey) {
    return { given: await stored(), note: `no checkpoint signed for it: ${signer.username} has no signing key (enrol one with \`csledger user passphrase ${signer.username}\`)` }
  }
  try {
    const cp = await L.checkpoint({ by: signer })
    return { given: { note: cp.note, signed_by: cp.signers.map((s) => s.username), basis: 'signed-now' } }
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err
    return { given: await stored(), note: `WARNING: no checkpoint signed for it: ${err.message}` }
  }
}

/** The newest stored checkpoint that verification accepted (verdicts come in the order the store lists them). */
export async function newestVerifiedCheckpoint(L: Ledger, verification: VerifyReport): Promise<CheckpointGiven | null> {
  const records = []
  for await (const r of L.checkpoints()) records.push(r)
  const verdicts = (verification.checkpoints ?? []).filter((v) => v.source === 'stored')
  for (let i = records.length - 1; i >= 0; i--) {
    const v = verdicts[i]
    if (v?.status === 'ok') return { note: records[i]!.note, signed_by: v.signed_by, basis: 'stored' }
  }
  return null
}

/** The newest stored checkpoint, if the ledger as it stands still extends it (no full verification). */
export async function newestExtendedCheckpoint(L: Ledger): Promise<CheckpointGiven | null> {
  const newest = await L.newestCheckpoint()
  return newest?.verdict.status === 'ok' ? { note: newest.record.note, signed_by: newest.verdict.signed_by, basis: 'stored' } : null
}
