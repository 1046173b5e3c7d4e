import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InputError, IntegrityError } from '../errors.ts'
import { generateNoteKey, parseSignerKey, parseVerifierKey } from './note-key.ts'
import { cosignNote, openNote, parseNote, signNote, verifyNote } from './signed-note.ts'

const vectors = (file: string) => JSON.parse(readFileSync(new URL(`../../../../test/vectors/checkpoint/${file}`, import.meta.url), 'utf8'))
const GO = vectors('go-sumdb-note.json')
const SUMDB = vectors('sumdb-checkpoint.json')
const BODIES = vectors('checkpoint-bodies.json')
const peter = parseVerifierKey(GO.peter.verifierKey)
const enoch = parseVerifierKey(GO.enoch.verifierKey)
const text: string = GO.text
const peterSig: string = GO.peterSignatureLine
const enochSig: string = GO.enochSignatureLine
// Go slices these strings by byte; the em dash is 3 bytes in UTF-8, so splice bytes, not UTF-16 units.
const spliceBytes = (s: string, at: number, insert: string) => { const b = Buffer.from(s); return Buffer.concat([b.subarray(0, at), Buffer.from(insert), b.subarray(at)]).toString() }

describe('signNote', () => {
  it('given the Go package test key and text, when signing, then the note is byte for byte the published one', () => {
    expect(signNote(text, [parseSignerKey(GO.peter.signerKey)])).toBe(GO.signedByPeter)
  })

  it('given text without a final newline or with a control character, then signing refuses it', () => {
    const s = parseSignerKey(GO.peter.signerKey)
    expect(() => signNote('abc', [s])).toThrow(/newline/)
    expect(() => signNote('a\u0001b\n', [s])).toThrow(/control/)
  })
})

describe('verifyNote and openNote (Go TestOpen)', () => {
  const both = `${text}\n${peterSig}${enochSig}`

  it('given two signatures and one trusted key, then one is verified and the other set aside', () => {
    const v = verifyNote(both, { verifiers: [peter] })
    expect(v.ok).toBe(true)
    expect(v.text).toBe(text)
    expect(v.verified.map((s) => [s.name, s.keyId.toString(16), s.base64])).toEqual([['PeterNeumann', 'c74f20a3', GO.peterSignatureBase64]])
    expect(v.unverified.map((s) => [s.name, s.keyId.toString(16), s.base64])).toEqual([['EnochRoot', 'af0cfe78', GO.enochSignatureBase64]])
  })

  it('given both keys trusted, then both verify, in note order', () => {
    const v = verifyNote(both, { verifiers: [enoch, peter], require: ['PeterNeumann', 'EnochRoot'] })
    expect(v.ok).toBe(true)
    expect(v.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot'])
    expect(v.unverified).toEqual([])
  })

  it('given no trusted key, then the note is refused as unverified', () => {
    const v = verifyNote(both, { verifiers: [] })
    expect(v.ok).toBe(false)
    expect(v.problems.map((p) => p.code)).toEqual(['NO_VERIFIED_SIGNATURE'])
    expect(v.unverified).toHaveLength(2)
    expect(() => openNote(both, [])).toThrow(IntegrityError)
  })

  it('given a signer required who did not sign, then MISSING_SIGNER names them', () => {
    const v = verifyNote(`${text}\n${peterSig}`, { verifiers: [peter, enoch], require: ['EnochRoot'] })
    expect(v.problems).toEqual([{ code: 'MISSING_SIGNER', message: 'no verified signature by EnochRoot', key: 'EnochRoot' }])
  })

  it('given the same key trusted twice, then a signature by it is ambiguous, and an unused duplicate is harmless', () => {
    expect(verifyNote(`${text}\n${enochSig}`, { verifiers: [enoch, peter, enoch] }).problems.map((p) => [p.code, p.key])).toEqual([['AMBIGUOUS_KEY', 'EnochRoot+af0cfe78']])
    expect(verifyNote(`${text}\n${peterSig}`, { verifiers: [enoch, peter, enoch] }).ok).toBe(true)
  })

  it('given 101 signature lines, then the note is malformed', () => {
    const v = verifyNote(`${text}\n${peterSig.repeat(101)}`, { verifiers: [peter] })
    expect(v.problems.map((p) => p.code)).toEqual(['MALFORMED_NOTE'])
    expect(() => openNote(`${text}\n${peterSig.repeat(101)}`, [peter])).toThrow(InputError)
  })

  it('given a signature by a trusted key that does not verify, then the whole note is refused', () => {
    const tampered = `${text}\n${spliceBytes(peterSig, 60, 'ABCD')}`
    const v = verifyNote(tampered, { verifiers: [peter] })
    expect(v.problems.map((p) => [p.code, p.key])).toEqual([['BAD_SIGNATURE', 'PeterNeumann+c74f20a3']])
    expect(() => openNote(tampered, [peter])).toThrow(/does not verify/)
  })

  it('given the text changed after signing, then the signature does not verify', () => {
    expect(verifyNote(GO.signedByPeter.replace('cryptography', 'cryptographY'), { verifiers: [peter] }).problems[0]?.code).toBe('BAD_SIGNATURE')
  })

  it('given repeated verified and unverified signatures, then each counts once', () => {
    const enochAbcd = spliceBytes(enochSig, 60, 'ABCD')
    const v = verifyNote(`${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${enochAbcd}`, { verifiers: [peter] })
    expect(v.ok).toBe(true)
    expect(v.verified.map((s) => s.name)).toEqual(['PeterNeumann'])
    expect(v.unverified.map((s) => s.base64)).toEqual([GO.enochSignatureBase64, enochAbcd.trim().split(' ')[2]])
  })

  it('given each malformed note of Go TestOpen, then it is refused as malformed', () => {
    for (const c of GO.malformedNotes.cases as { why: string; note: string }[]) {
      expect(verifyNote(c.note, { verifiers: [peter] }).problems.map((p) => p.code), c.why).toEqual(['MALFORMED_NOTE'])
    }
    expect(() => parseNote(Buffer.from(GO.malformedNotes.invalidUtf8Hex, 'hex'))).toThrow(/UTF-8/)
  })

  it('given the note as bytes, then it opens the same as the string', () => {
    expect(openNote(Buffer.from(GO.signedByPeter), [peter]).text).toBe(text)
  })
})

describe('published multi-signature checkpoint', () => {
  it('given the real sum.golang.org checkpoint, then its signature verifies with the published key', () => {
    const v = verifyNote(SUMDB.note, { verifiers: [parseVerifierKey(SUMDB.logVerifierKey)] })
    expect(v.ok).toBe(true)
    expect(v.verified.map((s) => s.name)).toEqual(['sum.golang.org'])
  })

  it('given the log signature, three cosignatures and two lines by unknown names, then the four known verify and the rest are set aside', () => {
    const note = SUMDB.note + [...SUMDB.cosigners.map((c: { line: string }) => c.line), ...SUMDB.unknownSignerLines.lines].map((l: string) => `${l}\n`).join('')
    const verifiers = [SUMDB.logVerifierKey, ...SUMDB.cosigners.map((c: { verifierKey: string }) => c.verifierKey)].map(parseVerifierKey)
    const v = verifyNote(note, { verifiers, require: ['sum.golang.org', 'witness'] })
    expect(v.ok).toBe(true)
    expect(v.verified.map((s) => s.name)).toEqual(['sum.golang.org', 'monkeys', 'bananas', 'witness'])
    expect(v.unverified.map((s) => s.name)).toEqual(['random1', 'random2'])
  })

  it('given the C2SP example whose text holds a blank line, then the text ends at the last blank line', () => {
    const n = parseNote(BODIES.signedNoteExample.note)
    expect(n.text).toBe(BODIES.signedNoteExample.text)
    expect(n.signatures.map((s) => s.name)).toEqual([BODIES.signedNoteExample.signatureName])
  })
})

describe('cosignNote', () => {
  it('given a note signed by the PIC, when the medical director cosigns, then both signatures verify and the PIC line stays first', () => {
    const pic = generateNoteKey('csledger.invalid/ledger-1')
    const director = generateNoteKey('csledger.invalid/ledger-1/medical-director')
    const signed = signNote('csledger.invalid/ledger-1\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', [pic.signer])
    const both = cosignNote(signed, [director.signer])
    expect(both.startsWith(signed)).toBe(true)
    const v = verifyNote(both, { verifiers: [parseVerifierKey(pic.verifierKey), parseVerifierKey(director.verifierKey)], require: [pic.signer.name, director.signer.name] })
    expect(v.ok).toBe(true)
    expect(v.verified.map((s) => s.name)).toEqual([pic.signer.name, director.signer.name])
  })

  it('given a signer re-signing, then its old line is replaced, not duplicated (Go Sign)', () => {
    const s = parseSignerKey(GO.peter.signerKey)
    const withBad = `${text}\n\u2014 PeterNeumann ${Buffer.concat([Buffer.from('c74f20a3', 'hex'), Buffer.alloc(64)]).toString('base64')}\n`
    expect(cosignNote(withBad, [s])).toBe(GO.signedByPeter)
  })
})
