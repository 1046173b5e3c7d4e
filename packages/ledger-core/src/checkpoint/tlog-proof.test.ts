import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { entryLeafHash } from '../merkle/rfc6962-hasher.ts'
import { inclusionProof, verifyInclusion } from '../merkle/inclusion-proof.ts'
import { MerkleFrontier } from '../merkle/merkle-frontier.ts'
import { checkpointOrigin } from './checkpoint-origin.ts'
import { generateNoteKey, parseVerifierKey } from './note-key.ts'
import { openCheckpoint, signCheckpoint } from './signed-checkpoint.ts'
import { formatTlogProof, parseTlogProof } from './tlog-proof.ts'

describe('tlog-proof', () => {
  it('given an entry and a signed checkpoint, when the proof is written and read back, then it proves the entry is in the signed tree', () => {
    const origin = checkpointOrigin('ledger-proof')
    const pic = generateNoteKey(origin)
    const entryHashes = Array.from({ length: 37 }, (_, i) => createHash('sha256').update(`entry ${i + 1}`).digest('hex'))
    const leaves = entryHashes.map(entryLeafHash)
    const f = new MerkleFrontier()
    leaves.forEach((l) => f.append(l))
    const note = signCheckpoint({ origin, size: 37, rootHash: f.root() }, [pic.signer])
    const text = formatTlogProof({ index: 20, proof: inclusionProof(20, 37, leaves), checkpoint: note, extra: Buffer.from('seq 21') })
    expect(text.split('\n').slice(0, 3)).toEqual(['c2sp.org/tlog-proof@v1', `extra ${Buffer.from('seq 21').toString('base64')}`, 'index 20'])
    const back = parseTlogProof(text)
    expect(back.checkpoint).toBe(note)
    const { checkpoint } = openCheckpoint(back.checkpoint, { verifiers: [parseVerifierKey(pic.verifierKey)], origin })
    expect(verifyInclusion({ index: back.index, size: checkpoint.size, leafHash: entryLeafHash(entryHashes[20]!), proof: back.proof, root: checkpoint.rootHash })).toEqual({ ok: true })
    expect(verifyInclusion({ index: back.index, size: checkpoint.size, leafHash: entryLeafHash(entryHashes[21]!), proof: back.proof, root: checkpoint.rootHash }).ok).toBe(false)
  })

  // Header and proof lines from the example in C2SP/C2SP tlog-proof.md @0065ea5b716154a2dd48508e3f905012a16ce5e9 (two of its five proof lines).
  it('given the C2SP example header lines, then they parse; a wrong header or a short hash is refused', () => {
    const example = 'c2sp.org/tlog-proof@v1\nindex 73894\ngSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\nexample.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— x AAAAAAA=\n'
    const p = parseTlogProof(example)
    expect([p.index, p.proof.length, p.checkpoint.split('\n')[0]]).toEqual([73894, 2, 'example.com/fancylog'])
    expect(() => parseTlogProof(example.replace('@v1', '@v2'))).toThrow(InputError)
    expect(() => parseTlogProof(example.replace('B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=', 'AAAA'))).toThrow(/32-byte/)
    expect(() => parseTlogProof(example.replace('index 73894', 'index 073894'))).toThrow(/index/)
  })
})
