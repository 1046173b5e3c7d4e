import { createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InputError, IntegrityError } from '../errors.ts'
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts'
import { checkpointCode, matchesCheckpointCode, parseCheckpointCode, base32 } from './checkpoint-code.ts'
import { checkpointOrigin, ledgerIdOfOrigin } from './checkpoint-origin.ts'
import { ed25519NoteSigner, formatVerifierKey, generateNoteKey, parseSignerKey, parseVerifierKey } from './note-key.ts'
import { openCheckpoint, signCheckpoint } from './signed-checkpoint.ts'
import { cosignNote, parseNote } from './signed-note.ts'

const vectors = (file: string) => JSON.parse(readFileSync(new URL(`../../../../test/vectors/checkpoint/${file}`, import.meta.url), 'utf8'))
const BODIES = vectors('checkpoint-bodies.json')
const SUMDB = vectors('sumdb-checkpoint.json')
const root = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64')

describe('checkpoint body', () => {
  it('given the C2SP examples and the sum.golang.org checkpoint, then they parse to origin, size and root, and format back to the same bytes', () => {
    for (const v of BODIES.valid as { body?: string; note?: string; origin: string; size: number; rootBase64: string }[]) {
      const body = v.body ?? parseNote(v.note as string).text
      const cp = parseCheckpoint(body)
      expect([cp.origin, cp.size, Buffer.from(cp.rootHash).toString('base64'), cp.extensions]).toEqual([v.origin, v.size, v.rootBase64, []])
      expect(formatCheckpoint(cp)).toBe(body)
    }
    const s = parseCheckpoint(parseNote(SUMDB.note).text)
    expect([s.origin, s.size, Buffer.from(s.rootHash).toString('base64')]).toEqual([SUMDB.checkpoint.origin, SUMDB.checkpoint.size, SUMDB.checkpoint.rootBase64])
  })

  it('given each invalid body, then parsing refuses it as MALFORMED_CHECKPOINT', () => {
    for (const v of BODIES.invalid as { from: string; body: string }[]) {
      expect(() => parseCheckpoint(v.body), v.from).toThrow(expect.objectContaining({ code: 'MALFORMED_CHECKPOINT' }))
    }
  })

  it('given extension lines, then they round-trip', () => {
    const body = formatCheckpoint({ origin: 'a.example/x', size: 7, rootHash: root, extensions: ['ext one', 'two'] })
    expect(body).toBe(`a.example/x\n7\n${root.toString('base64')}\next one\ntwo\n`)
    expect(parseCheckpoint(body).extensions).toEqual(['ext one', 'two'])
  })

  it('given a root that is not 32 bytes or a negative size, then formatting refuses it', () => {
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(31) })).toThrow(InputError)
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root })).toThrow(InputError)
    expect(() => formatCheckpoint({ origin: 'o\nx', size: 1, rootHash: root })).toThrow(InputError)
  })
})

describe('origin', () => {
  it('given a ledger id, then the origin is <authority>/<ledger id> and the id can be read back', () => {
    const id = '7d0e4f0a-1c2b-4e5f-9a8b-0123456789ab'
    expect(checkpointOrigin(id)).toBe(`csledger.invalid/${id}`)
    expect(checkpointOrigin(id, 'ketamine-clinic.example.com/csledger')).toBe(`ketamine-clinic.example.com/csledger/${id}`)
    expect(ledgerIdOfOrigin(checkpointOrigin(id))).toBe(id)
    expect(ledgerIdOfOrigin('go.sum database tree')).toBeUndefined()
    expect(() => checkpointOrigin('a b')).toThrow(InputError)
    expect(() => checkpointOrigin(id, 'https://x.example')).toThrow(/schema-less/)
  })
})

describe('signed checkpoints', () => {
  const id = 'ledger-42'
  const origin = checkpointOrigin(id)
  const pic = generateNoteKey(origin)
  const cp = { origin, size: 1042, rootHash: root }

  it('given a checkpoint signed by the PIC key, then it opens with the PIC verifier key and the expected origin', () => {
    const note = signCheckpoint(cp, [pic.signer])
    const opened = openCheckpoint(note, { verifiers: [parseVerifierKey(pic.verifierKey)], origin, require: [origin] })
    expect(opened.checkpoint.size).toBe(1042)
    expect(Buffer.from(opened.checkpoint.rootHash).equals(root)).toBe(true)
    expect(opened.verified.map((s) => s.name)).toEqual([origin])
  })

  it('given another ledger\'s checkpoint, then opening it for this origin fails with ORIGIN_MISMATCH', () => {
    const other = generateNoteKey('csledger.invalid/other')
    const note = signCheckpoint({ ...cp, origin: 'csledger.invalid/other' }, [other.signer])
    expect(() => openCheckpoint(note, { verifiers: [parseVerifierKey(other.verifierKey)], origin })).toThrow(IntegrityError)
  })

  it('given a signed checkpoint whose size was edited, then its signature no longer verifies', () => {
    const note = signCheckpoint(cp, [pic.signer]).replace('\n1042\n', '\n1041\n')
    expect(() => openCheckpoint(note, { verifiers: [parseVerifierKey(pic.verifierKey)] })).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }))
  })
})

describe('checkpoint code', () => {
  it('given RFC 4648 test vectors, then base32 matches', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']]
    for (const [input, out] of cases) expect(base32(Buffer.from(input))).toBe(out)
  })

  it('given a checkpoint, then its code is the size and 16 base32 characters of the root in groups of four', () => {
    const code = checkpointCode({ size: 1042, rootHash: root })
    expect(code).toBe(`1042 ${base32(root).slice(0, 16).match(/.{4}/g)!.join('-')}`)
    expect(code).toMatch(/^1042 [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/)
    expect(checkpointCode({ size: 1042, rootHash: root }, 10)).toMatch(/^1042 [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}$/)
  })

  it('given a code typed loosely, then it still matches its checkpoint, and not another size or root', () => {
    const code = checkpointCode({ size: 1042, rootHash: root })
    const typed = code.toLowerCase().replace(/-/g, ' ')
    expect(parseCheckpointCode(typed)).toEqual({ size: 1042, rootPrefix: base32(root).slice(0, 16) })
    expect(matchesCheckpointCode(typed, { size: 1042, rootHash: root })).toBe(true)
    expect(matchesCheckpointCode(typed, { size: 1043, rootHash: root })).toBe(false)
    const other = Buffer.from(root); other[0]! ^= 0x80
    expect(matchesCheckpointCode(typed, { size: 1042, rootHash: other })).toBe(false)
    expect(() => parseCheckpointCode('1042 ABC')).toThrow(InputError)
    expect(() => parseCheckpointCode('MFRG-GZDF-MZTW-Q2LK')).toThrow(InputError)
  })
})

describe('csledger known-answer checkpoint (docs/checkpoints.md worked example)', () => {
  const EX = vectors('csledger-example.json')
  const keyOf = (seedHex: string) => createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' })

  it('given the published example seeds, when the PIC signs and the director cosigns, then keys, note and code are byte for byte the example', () => {
    const pic = ed25519NoteSigner(EX.pic.name, keyOf(EX.pic.seedHex))
    const director = ed25519NoteSigner(EX.director.name, keyOf(EX.director.seedHex))
    expect(checkpointOrigin(EX.ledgerId)).toBe(EX.origin)
    expect(formatVerifierKey(EX.pic.name, createPublicKey(keyOf(EX.pic.seedHex)))).toBe(EX.pic.verifierKey)
    expect(formatVerifierKey(EX.director.name, createPublicKey(keyOf(EX.director.seedHex)))).toBe(EX.director.verifierKey)
    expect(parseSignerKey(EX.pic.signerKey).keyId).toBe(pic.keyId)
    const cp = { origin: EX.origin, size: EX.size, rootHash: createHash('sha256').update(EX.rootIsSha256Of).digest() }
    expect(cosignNote(signCheckpoint(cp, [pic]), [director])).toBe(EX.note)
    expect(checkpointCode(cp)).toBe(EX.code)
    const opened = openCheckpoint(EX.note, { verifiers: [EX.pic.verifierKey, EX.director.verifierKey].map(parseVerifierKey), origin: EX.origin, require: [EX.pic.name, EX.director.name] })
    expect(opened.verified).toHaveLength(2)
  })
})
