import { ChainVerifier } from '../chain/verify-chain.ts'
import { IntegrityError } from '../errors.ts'
import { MerkleFrontier } from '../merkle/merkle-frontier.ts'
import type { LedgerStore } from '../store/ledger-store.ts'
import { PackedLeaves } from './packed-leaves.ts'
import { entryLeafHash } from '../merkle/rfc6962-hasher.ts'

/** The Merkle tree of a ledger's entries as read now: size, root, ledger id, and (if asked) every leaf. */
export interface LedgerTree {
  readonly size: number
  readonly root: Uint8Array
  readonly ledgerId: string | null
  readonly leaves?: PackedLeaves
}

/**
 * Reads the chain up to `toSeq` (default: its head), checking it as it goes, and returns the
 * RFC 6962 root of the entry hashes. Refuses (IntegrityError CHAIN_BROKEN) to give a root for a
 * chain that does not verify, so no one is asked to sign a damaged or tampered history.
 *
 * @example
 * const { size, root } = await ledgerTree(store)
 */
export async function ledgerTree(store: LedgerStore, options: { toSeq?: number; keepLeaves?: boolean } = {}): Promise<LedgerTree> {
  const chain = new ChainVerifier({ limit: 1 })
  const frontier = new MerkleFrontier()
  const leaves = options.keepLeaves ? new PackedLeaves() : undefined
  for await (const row of store.entryRows(options.toSeq !== undefined ? { toSeq: options.toSeq } : {})) {
    chain.push(row)
    const leaf = entryLeafHash(row.hash)
    frontier.append(leaf)
    leaves?.push(leaf)
  }
  const first = chain.finish()[0]
  if (first) {
    throw new IntegrityError('CHAIN_BROKEN', `the chain does not verify, so it cannot be signed: ${first.message}`, { hint: 'run `csledger verify` and keep the file as evidence' })
  }
  return { size: frontier.size, root: frontier.root(), ledgerId: chain.ledgerId, ...(leaves ? { leaves } : {}) }
}
