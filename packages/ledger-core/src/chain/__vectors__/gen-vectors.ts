/**
 * Prints the known-answer vectors of entry hash format 1 (v1.json). Run it only when a NEW vector
 * file is wanted; v1.json is committed and the test compares against it and never regenerates it,
 * so a change in canonicalization, key order, decimal spelling or hashing shows up as a failure:
 *
 *   node --conditions=@csledger/source packages/ledger-core/src/chain/__vectors__/gen-vectors.ts > v1.json
 *
 * The entries are written by hand (not through the rules) so they pin the format alone. They form
 * one valid chain: each prev_hash is the previous vector's hash.
 */
import { Decimal } from 'decimal.js'
import { ENTRY_HASH_DOMAIN_V1, GENESIS_PREV_HASH, dec, hashEntry } from '../../index.ts'
import type { Entry, EntryDraft } from '../../index.ts'

const LEDGER_ID = '8d5c2f0e-4b7a-4f3e-9c1d-2a6b8e0f7c31'
const d = (text: string): string => dec(new Decimal(text))

/** Decimal spellings that are hashed: what `dec` writes for each decimal.js input. */
const SPELLINGS = ['1e-7', '0.00000010', '35.000', '0.70', '1e21', '-0', '12.5', '100'] as const

const drafts: ReadonlyArray<{ name: string; draft: EntryDraft }> = [
  {
    name: 'registrant with non-ASCII name and address',
    draft: {
      kind: 'registrant', occurred_at: '2026-11-02T14:00:00.000Z', actor: 'pkim',
      data: {
        name: 'Clínica Ketamina São José — Ünïcödé ✓', address: '1 Rue de l’Église, Montréal QC', dea_number: 'BJ6125341', schedules: ['III', 'IV'],
        admin: { username: 'pkim', name: 'Pat Kim 김' },
      },
    },
  },
  { name: 'user', draft: { kind: 'user', occurred_at: '2026-11-02T14:01:00.000Z', actor: 'pkim', data: { username: 'nlopez', name: 'Nora López', role: 'nurse' } } },
  { name: 'location', draft: { kind: 'location', occurred_at: '2026-11-02T14:02:00.000Z', actor: 'pkim', data: { code: 'SAFE-1', name: 'Main safe' } } },
  {
    name: 'product with decimal concentration',
    draft: {
      kind: 'product', occurred_at: '2026-11-02T14:03:00.000Z', actor: 'pkim',
      data: {
        code: 'KET-50', drug: 'ketamine', substance: 'Ketamine HCl', schedule: 'III', dea_code: '7285', ndc: '67457-108-10', ndc11: '67457010810',
        concentration_mg_per_ml: d('50.0'), volume_ml: d('10'), dose_form: 'multi-dose',
      },
    },
  },
  {
    name: 'receipt with supplier DEA override and request id',
    draft: {
      kind: 'receipt', occurred_at: '2026-11-03T09:15:00.000Z', actor: 'nlopez', request_id: 'rcv-2026-11-03-001',
      data: {
        product: 'KET-50', lot: 'K2417A', expires: '2027-06-30', containers: 4, location: 'SAFE-1',
        supplier: { name: 'Acme Wholesale', address: '9 Depot Rd, Columbus, OH', dea_number: 'FS3456782', dea_override: 'verified on DEA certificate #2231 "as printed"' },
        invoice: 'INV-7731',
      },
    },
  },
  {
    name: 'container opening',
    draft: { kind: 'container_opening', occurred_at: '2026-11-03T09:20:00.000Z', actor: 'nlopez', data: { container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', volume_ml: d('10') } },
  },
  {
    name: 'administration with tiny decimals',
    draft: {
      kind: 'administration', occurred_at: '2026-11-03T09:30:00.000Z', actor: 'nlopez',
      data: {
        container: 'C-0001', product: 'KET-50', lot: 'K2417A', location: 'SAFE-1', patient: 'P-1042',
        given_ml: d('1e-7'), given_mg: d('0.000005'), drawn_ml: d('0.8'), drawn_mg: d('40.000'), prescriber: 'drlee',
      },
    },
  },
  {
    name: 'waste with witness and escapes in the reason',
    draft: {
      kind: 'waste', occurred_at: '2026-11-03T09:41:00.000Z', actor: 'nlopez', witness: 'rdiaz',
      data: {
        container: 'C-0001', administration: 7, product: 'KET-50', lot: 'K2417A', location: 'SAFE-1',
        amount_ml: d('0.7999999'), amount_mg: d('39.999995'), reason: 'patient said "stop" \\ dose halted — 停止 🛑',
      },
    },
  },
  { name: 'cosign', draft: { kind: 'cosign', occurred_at: '2026-11-03T10:05:00.000Z', actor: 'drlee', data: { waste: 8 } } },
  { name: 'transfer', draft: { kind: 'transfer', occurred_at: '2026-11-03T11:00:00.000Z', actor: 'nlopez', data: { product: 'KET-50', lot: 'K2417A', containers: 2, from: 'SAFE-1', to: 'LOCKBOX-2' } } },
  {
    name: 'correction (amend) with nested before and amended data',
    draft: {
      kind: 'correction', occurred_at: '2026-11-03T12:00:00.000Z', actor: 'nlopez', witness: 'rdiaz',
      data: {
        corrects: 5, corrects_kind: 'receipt', action: 'amend', reason: 'invoice mistyped: 7731 → 7713',
        before: { product: 'KET-50', lot: 'K2417A', expires: '2027-06-30', containers: 4, location: 'SAFE-1', supplier: { name: 'Acme Wholesale', address: '9 Depot Rd, Columbus, OH', dea_number: 'FS3456782', dea_override: 'verified on DEA certificate #2231 "as printed"' }, invoice: 'INV-7731' },
        amended: { product: 'KET-50', lot: 'K2417A', expires: '2027-06-30', containers: 4, location: 'SAFE-1', supplier: { name: 'Acme Wholesale', address: '9 Depot Rd, Columbus, OH', dea_number: 'FS3456782', dea_override: 'verified on DEA certificate #2231 "as printed"' }, invoice: 'INV-7713' },
      },
    },
  },
  { name: 'user deactivation', draft: { kind: 'user_deactivation', occurred_at: '2026-11-04T08:00:00.000Z', actor: 'pkim', data: { username: 'nlopez', reason: 'left the practice' } } },
  { name: 'setting', draft: { kind: 'setting', occurred_at: '2026-11-04T08:05:00.000Z', actor: 'pkim', data: { name: 'count_tolerance_ml', value: '0.2' } } },
  {
    name: 'count with a discrepancy',
    draft: {
      kind: 'count', occurred_at: '2026-11-04T08:30:00.000Z', actor: 'pkim', witness: 'rdiaz',
      data: {
        location: 'SAFE-1', based_on_seq: 13, blind: true, tolerance_ml: d('0.2'),
        items: [
          { type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', expected: 2, counted: 1 },
          { type: 'open', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', container: 'C-0001', expected_ml: d('9.2'), counted_ml: d('9.2') },
        ],
        discrepancies: [{ id: 'D-0001', item: { type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', expected: 2, counted: 1 }, difference: '-1', unit: 'container', due: '2026-11-05T08:30:00.000Z' }],
      },
    },
  },
  {
    name: 'reconciliation as loss',
    draft: {
      kind: 'reconciliation', occurred_at: '2026-11-04T09:00:00.000Z', actor: 'pkim',
      data: {
        discrepancy: 'D-0001', reason: 'loss', note: 'vial not found after a search of the safe', linked: [], explained: '0',
        adjustment: { type: 'sealed', location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', delta: -1 },
        loss: {
          id: 'L-0001', type: 'loss', discovered_at: '2026-11-04T08:30:00.000Z', note: 'vial not found after a search of the safe', discrepancy: 'D-0001',
          items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', ndc: '68083-162-10', containers: 1, amount_ml: d('10'), amount_mg: d('500') }],
          notice_due: '2026-11-05T08:30:00.000Z', form106_due: '2026-12-19T08:30:00.000Z', adjusts_stock: false,
        },
      },
    },
  },
  { name: 'loss notice', draft: { kind: 'loss_notice', occurred_at: '2026-11-04T15:00:00.000Z', actor: 'pkim', data: { loss: 'L-0001', method: 'email', to: 'Detroit Field Division' } } },
  { name: 'loss filing', draft: { kind: 'loss_filing', occurred_at: '2026-11-10T10:00:00.000Z', actor: 'pkim', data: { loss: 'L-0001', confirmation: 'TLR-2026-118833' } } },
  {
    name: 'direct loss (theft)',
    draft: {
      kind: 'loss', occurred_at: '2026-11-11T07:45:00.000Z', actor: 'pkim',
      data: {
        id: 'L-0002', type: 'theft', discovered_at: '2026-11-11T07:45:00.000Z', note: 'lockbox found forced open',
        items: [{ location: 'LOCKBOX-2', product: 'KET-50', lot: 'K2417A', ndc: '68083-162-10', containers: 1, amount_ml: d('10'), amount_mg: d('500') }],
        notice_due: '2026-11-12T07:45:00.000Z', form106_due: '2026-12-26T07:45:00.000Z', adjusts_stock: true,
      },
    },
  },
  {
    name: 'disposal by destruction (Form 41)',
    draft: {
      kind: 'disposal', occurred_at: '2026-12-02T16:00:00.000Z', actor: 'rdiaz', witness: 'pkim',
      data: {
        method: 'destruction', reason: 'past beyond-use date', witnesses: ['rdiaz', 'pkim'],
        destruction: { method: 'chemical digestion (Rx Destroyer)', place: 'med room, 12 Elm St, Springfield' },
        items: [{ location: 'SAFE-1', product: 'KET-50', lot: 'K2417A', containers: 0, container: 'C-0001', amount_ml: d('9.2'), amount_mg: d('460') }],
      },
    },
  },
  {
    name: 'biennial inventory',
    draft: {
      kind: 'inventory', occurred_at: '2026-12-31T22:00:00.000Z', actor: 'pkim', witness: 'rdiaz',
      data: {
        type: 'biennial', at: 'close', taken_at: '2026-12-31T22:00:00.000Z', based_on_seq: 19, zero: true,
        registrant: { name: 'Springfield Ketamine Clinic', address: '12 Elm St, Springfield, IL 62701', dea_number: 'BJ6125341' },
        items: [], discrepancies: [],
      },
    },
  },
  {
    name: 'signing key enrolled by a user created before signing existed (docs/signatures.md)',
    draft: { kind: 'user_key', occurred_at: '2027-01-04T08:00:00.000Z', actor: 'rdiaz', data: { username: 'rdiaz', public_key: 'ed25519:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=' } },
  },
]

let prev = GENESIS_PREV_HASH
const vectors = drafts.map(({ name, draft }, i) => {
  const entry = { ...draft, format: 1, ledger_id: LEDGER_ID, seq: i + 1, prev_hash: prev, recorded_at: draft.occurred_at.replace(/\.000Z$/, '.250Z') } as Entry
  const { canonical, hash } = hashEntry(entry)
  prev = hash
  return { name, entry, canonical, hash }
})

const file = {
  description: 'Known-answer vectors for csledger entry hash format 1. Each canonical is RFC 8785 of entry; each hash is lowercase hex SHA-256 of the ASCII domain tag, one 0x00 byte, then the UTF-8 canonical bytes. The vectors form one chain. spellings: what dec() writes for a decimal.js input (the only decimal spelling that is hashed).',
  domain: ENTRY_HASH_DOMAIN_V1,
  genesis_prev_hash: GENESIS_PREV_HASH,
  spellings: SPELLINGS.map((input) => ({ input, dec: d(input) })),
  vectors,
}
process.stdout.write(`${JSON.stringify(file, null, 2)}\n`)
