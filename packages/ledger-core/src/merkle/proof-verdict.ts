/**
 * The outcome of checking a proof, as data: `ok`, or the reason it failed. Verification never
 * throws for a bad proof; it says why.
 */
export type ProofVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string }

export const PROOF_OK: ProofVerdict = Object.freeze({ ok: true })

export function proofFails(reason: string): ProofVerdict {
  return { ok: false, reason }
}
