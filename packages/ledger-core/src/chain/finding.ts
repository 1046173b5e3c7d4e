/**
 * What a check found, as data: which entry, what was expected, what was found. Findings are
 * returned, not thrown: an auditor needs every one, and where it is.
 */
export interface Finding {
  /** Stable code, e.g. HASH_MISMATCH, SEQ_GAP, PREV_MISMATCH, REORDERED, TRUNCATED, PROJECTION_MISMATCH. */
  readonly code: string
  /** The entry the finding names (null when it concerns the ledger as a whole). */
  readonly seq: number | null
  readonly message: string
  readonly expected?: string
  readonly found?: string
}
