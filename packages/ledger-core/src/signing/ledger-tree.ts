import { ChainVerifier } from '../chain/verify-chain.ts'
import { IntegrityError } from '../errors.ts'
import { MerkleFrontier } from '../merkle/merkle-frontier.ts'
import type { LedgerStore } from '../store/ledger-store.ts'
import type { Entry } from '../model/entry.ts'
import { KeyDirectory } from './key-directory.ts'
import { PackedLeaves } from './packed-leaves.ts'
import { entryLeafHash } from '../merkle/rfc6962-hasher.ts'

/**
 * The Merkle tree of a ledger's entries as read now: size, root, ledger id, and, if asked, every
 * leaf, the roots at given sizes (a checkpoint's) and the keys the chain records.
 */
export interface LedgerTree {
  readonly size: number
  readonly root: Uint8Array
  readonly ledgerId: string | null
  readonly leaves?: PackedLeaves
  /** Roots at the sizes asked for with `rootsAt` that the ledger reaches. */
  readonly roots: ReadonlyMap<number, Uint8Array>
  readonly directory?: KeyDirectory
}

/**
 * Reads the chain up to `toSeq` (default: its head), checking it as it goes, and returns the
 * RFC 6962 root of the entry hashes. Refuses (IntegrityError CHAIN_BROKEN) to give a root for a
 * chain that does not verify, so no one is asked to sign a damaged or tampered history.
 *
 * @example
 * const { size, root } = await ledgerTree(store)
 */
export async function ledgerTree(
  store: LedgerStore, options: { toSeq?: number; keepLeaves?: boolean; rootsAt?: readonly number[]; keys?: boolean } = {},
): Promise<LedgerTree> {
  const chain = new ChainVerifier({ limit: 1 })
  const frontier = new MerkleFrontier()
  const leaves = options.keepLeaves ? new PackedLeaves() : undefined
  const wanted = new Set(options.rootsAt ?? [])
  const roots = new Map<number, Uint8Array>()
  if (wanted.has(0)) roots.set(0, frontier.root())
  const directory = options.keys ? new KeyDirectory() : undefined
  for await (const row of store.entryRows(options.toSeq !== undefined ? { toSeq: options.toSeq } : {})) {
    const entry = chain.push(row)
    const leaf = entryLeafHash(row.hash)
    frontier.append(leaf)
    leaves?.push(leaf)
    if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root())
    if (directory) directory.push(entry ?? (JSON.parse(row.canonical) as Entry))
  }
  const first = chain.finish()[0]
  if (first) {
    throw new IntegrityError('CHAIN_BROKEN', `the chain does not verify, so it cannot be signed: ${first.message}`, { hint: 'run `csledger verify` and keep the file as evidence' })
  }
  return { size: frontier.size, root: frontier.root(), ledgerId: chain.ledgerId, roots, ...(leaves ? { leaves } : {}), ...(directory ? { directory } : {}) }
}
