import { sign, verify, type KeyObject } from 'node:crypto'
import { InputError } from '../errors.ts'
import { decodeStrictBase64 } from '../checkpoint/strict-base64.ts'

/** Domain tag of entry signatures: a signature over anything else can never pass for one. */
export const ENTRY_SIGNATURE_DOMAIN_V1 = 'csledger:sig:v1'

/** Who signs an entry: its actor, and its witness when it has one (a co-sign entry's actor is the co-signer). */
export type SignatureRole = 'actor' | 'witness'
export const SIGNATURE_ROLES: readonly SignatureRole[] = ['actor', 'witness']

/**
 * One signature on one entry, stored beside the chain (never in the hashed entry): the entry's seq,
 * the role signed in, the username of the signer (the entry's `actor` or `witness`) and the
 * standard base64 of the 64-byte Ed25519 signature.
 */
export interface EntrySignature {
  readonly seq: number
  readonly role: SignatureRole
  readonly signer: string
  readonly signature: string
}

/**
 * The bytes an entry signature signs:
 * `"csledger:sig:v1" || 0x00 || role ("actor" | "witness") || 0x00 || the 32 bytes of the entry hash`.
 * Ed25519 (RFC 8032, pure, no pre-hash) signs these bytes as they are. The entry hash already covers
 * ledger_id, seq and prev_hash, so a signature ties the signer to one entry at one place in one ledger.
 *
 * @example
 * entrySignatureMessage('actor', stored.hash).length // 15 + 1 + 5 + 1 + 32 = 54
 */
export function entrySignatureMessage(role: SignatureRole, entryHashHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(entryHashHex)) throw new InputError('BAD_ENTRY_HASH', 'an entry hash is 64 lowercase hex digits')
  if (role !== 'actor' && role !== 'witness') throw new InputError('BAD_SIGNATURE_ROLE', `no signature role ${JSON.stringify(role)}`)
  return Buffer.concat([Buffer.from(ENTRY_SIGNATURE_DOMAIN_V1, 'ascii'), Buffer.from([0]), Buffer.from(role, 'ascii'), Buffer.from([0]), Buffer.from(entryHashHex, 'hex')])
}

/**
 * Signs an entry hash in a role with an Ed25519 private key; returns the base64 signature.
 *
 * @example
 * const signature = signEntryHash(nurseKey, 'actor', stored.hash)
 */
export function signEntryHash(privateKey: KeyObject, role: SignatureRole, entryHashHex: string): string {
  return sign(null, entrySignatureMessage(role, entryHashHex), privateKey).toString('base64')
}

/** Whether `signature` (base64) is the signature of entry hash `entryHashHex` in `role` by `publicKey`. Never throws for bad input. */
export function verifyEntrySignature(publicKey: KeyObject, role: SignatureRole, entryHashHex: string, signature: string): boolean {
  const raw = decodeStrictBase64(signature)
  if (raw === undefined || raw.length !== 64 || !/^[0-9a-f]{64}$/.test(entryHashHex)) return false
  try {
    return verify(null, entrySignatureMessage(role, entryHashHex), publicKey, raw)
  } catch {
    return false
  }
}
