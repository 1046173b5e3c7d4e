import { execFile } from 'node:child_process'
import { access, chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { CSLEDGER_BIN, type CliArg, type CliRun, REPO_ROOT } from '../support/cli.ts'
import { CLINIC, type ClinicFacts, LedgerDir, PEOPLE, type Signers, day } from '../support/clinic.ts'
import { TmuxCli } from '../support/tmux.ts'

/**
 * One reproducer per error code bin/csledger can print today. Each sets up what it needs on a
 * copy of the clinic fixture (or an empty directory) and makes csledger fail with that code.
 * docs/errors.md lists exactly these codes (test/errors/error-catalog.test.ts checks it).
 *
 * `mode` says how the error is read: `json` (the one --json document on stdout), `text` (the
 * house format on stderr: errors raised before the JSON machinery exists, by the launcher), or
 * `terminal` (errors that only happen at a prompt; read off a real terminal under tmux).
 */
export interface Reproducer {
  readonly code: string
  readonly exit: number
  readonly mode: 'json' | 'text' | 'terminal'
  /** What provokes it, in words (also the test name). */
  readonly how: string
  readonly run: (ctx: ReproContext) => Promise<CliRun>
}

export interface ReproContext {
  readonly facts: ClinicFacts
  /** A fresh copy of the clinic fixture (removed after the test). */
  clinic(): Promise<LedgerDir>
  /** An empty directory (removed after the test). */
  empty(): Promise<LedgerDir>
}

type Args = (f: ClinicFacts) => CliArg[]

/** A reproducer that runs one command with --json on a copy of the clinic. */
function onClinic(code: string, exit: number, how: string, args: Args, signers: Signers = {}): Reproducer {
  return { code, exit, mode: 'json', how, run: async (ctx) => (await ctx.clinic()).run([...args(ctx.facts), '--json'], signers) }
}

/** A setup command, its signers, and the exit code it must end with (default 0). */
type Step = readonly [Args, Signers] | readonly [Args, Signers, number]

/** A reproducer that first runs setup commands (which must end as expected) and then the failing one. */
function afterSteps(code: string, exit: number, how: string, steps: readonly Step[], args: Args, signers: Signers = {}): Reproducer {
  return {
    code, exit, mode: 'json', how,
    run: async (ctx) => {
      const l = await ctx.clinic()
      for (const [step, s, expected = 0] of steps) {
        const r = await l.run([...step(ctx.facts), '--json'], s)
        if (r.code !== expected) throw new Error(`setup step \`${step(ctx.facts).join(' ')}\` exited ${r.code}, not ${expected}: ${r.stdout}${r.stderr}`)
      }
      return l.run([...args(ctx.facts), '--json'], signers)
    },
  }
}

const nurse: Signers = { as: 'nkim' }
const pic: Signers = { as: 'pkim' }
const witnessed: Signers = { as: 'nkim', witness: 'rjones' }
const dose = (amount: string, extra: string[] = []): Args => (f) => ['administer', '--container', f.container, '--dose', amount, '--patient', 'P-1042', '--by', 'nkim', ...extra]
const receive = (over: Record<string, string>): Args => (f) => {
  const flags: Record<string, string> = { product: 'KET-50', lot: 'K2417A', expires: f.expires, containers: '2', location: 'SAFE-1', supplier: 'Acme Wholesale', 'supplier-address': '9 Depot Rd', 'supplier-dea': 'AB1234563', invoice: 'INV-1', by: 'nkim', ...over }
  return ['receive', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]
}
const productAdd = (over: Record<string, string>): Args => () => {
  const flags: Record<string, string> = { drug: 'ketamine', ndc: '0409-2051-05', concentration: '100mg/mL', volume: '5mL', 'dose-form': 'multi-dose', by: 'pkim', ...over }
  return ['product', 'add', flags.code ?? 'KET-100', ...Object.entries(flags).filter(([k]) => k !== 'code').flatMap(([k, v]) => [`--${k}`, v])]
}
const counted: Signers = { as: 'pkim', witness: 'nkim' }
/** A count of SAFE-1 giving every item (the fixture's book: 9 sealed K2417A, 5 M7731, 2 OLD1, the open container at 9.2 mL), with K2417A and the container as given. */
const countSafe = (k2417a: number, extra: string[] = [], containerLeft = '9.2mL'): Args => (f) => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', `KET-50:K2417A=${k2417a}`, '--item', 'M7731=5', '--item', 'OLD1=2', '--item', `${f.container}=${containerLeft}`, ...extra]
/** Setup: a count one sealed K2417A short, which opens discrepancy D-0001 (the count exits 1, by design). */
const shortCount: Step = [countSafe(8), counted, 1]
const reconcile = (reason: string, extra: string[] = []): Args => () => ['reconcile', 'D-0001', '--reason', reason, '--note', 'searched the med room', '--by', 'pkim', ...extra]
const lossRecord: Args = (f) => ['loss', 'record', '--type', 'breakage-spill', '--container', f.container, '--amount', '0.2mL', '--note', 'vial dropped', '--by', 'pkim']
const inventory = (kind: string, at: string, items: string[]): Args => () => ['inventory', '--kind', kind, '--at', at, ...items, '--by', 'pkim', '--witness', 'nkim']
const auditJson = (from: string, to: string, extra: string[] = []): Args => () => ['report', 'audit', '--from', from, '--to', to, '--format', 'json', ...extra]
/** A PostgreSQL URL on 127.0.0.1 port 1, where no server listens (as in test/postgres): no server is needed. */
const NO_SERVER = 'postgres://csledger_clinic@127.0.0.1:1/csledger'
const wasteFromContainer = (amount: string, extra: string[] = ['--by', 'nkim', '--witness', 'rjones']): Args => (f) => ['waste', '--container', f.container, '--amount', amount, '--reason', 'end of day', ...extra]

export const REPRODUCERS: readonly Reproducer[] = [
  // ── authentication and permission (77) ──
  onClinic('BAD_PASSPHRASE', 77, 'the actor\'s passphrase is wrong', dose('5mg'), { env: { CSLEDGER_PASSPHRASE: 'not the passphrase' } }),
  onClinic('PASSPHRASE_REQUIRED', 77, 'no passphrase in the environment and no terminal to ask at', dose('5mg')),
  onClinic('ROLE_FORBIDDEN', 77, 'a nurse tries to co-sign a waste', (f) => ['cosign', String(f.pendingWaste), '--by', 'rjones'], { as: 'rjones' }),
  onClinic('UNKNOWN_USER', 77, '--by names no user', (f) => ['administer', '--container', f.container, '--dose', '5mg', '--patient', 'P-1', '--by', 'ghost'], nurse),
  onClinic('UNKNOWN_USER', 3, 'user deactivate names no user', () => ['user', 'deactivate', 'ghost', '--by', 'pkim'], pic),
  onClinic('USER_DEACTIVATED', 77, 'a deactivated user signs', (f) => ['administer', '--container', f.container, '--dose', '5mg', '--patient', 'P-1', '--by', 'tgone'], { as: 'tgone' }),
  {
    code: 'PASSPHRASE_MISMATCH', exit: 77, mode: 'terminal', how: 'at a terminal, the new user\'s passphrase is typed differently the second time',
    run: async (ctx) => {
      const l = await ctx.clinic()
      return atTerminal(l, ['user', 'add', 'mchen', '--name', 'Mia Chen', '--role', 'nurse', '--by', 'pkim'], async (t) => {
        await t.answer(/pkim, passphrase:/, PEOPLE.pkim.passphrase)
        await t.answer(/New passphrase for mchen:/, 'mchen: first attempt')
        await t.answer(/Repeat the passphrase for mchen:/, 'mchen: second attempt')
      })
    },
  },

  // ── conflict, safe to retry (4) ──
  {
    code: 'BUSY', exit: 4, mode: 'json', how: 'another process holds the write lock longer than the 15 s busy timeout',
    run: async (ctx) => {
      const l = await ctx.clinic()
      const holder = new Database(l.db)
      try {
        holder.exec('BEGIN IMMEDIATE')
        return await l.run([...dose('5mg')(ctx.facts), '--json'], nurse)
      } finally {
        holder.exec('ROLLBACK')
        holder.close()
      }
    },
  },

  onClinic('TIP_MOVED', 4, 'a count sheet printed before a receipt at the counted location', (f) => countSafe(9, ['--based-on', String(f.receipt - 1)])(f), counted),

  // ── usage or invalid input (2) ──
  onClinic('USAGE', 2, 'an option the command does not have', (f) => ['administer', '--container', f.container, '--dose-mg', '5']),
  onClinic('MISSING_OPTION', 2, 'a required flag is missing and there is no terminal to ask at', (f) => ['administer', '--container', f.container, '--dose', '5mg', '--by', 'nkim'], nurse),
  onClinic('MISSING_ARGUMENT', 2, 'cosign without an entry number or --pending', () => ['cosign', '--by', 'drlee'], { as: 'drlee' }),
  onClinic('MISSING_FIELD', 2, 'a reason of blanks only', (f) => ['waste', '--container', f.container, '--amount', '1mg', '--reason', '   ', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('INVALID_QUANTITY', 2, 'a dose that is not a plain decimal with mg or mL (1e309)', dose('1e309mg'), nurse),
  onClinic('TOO_PRECISE', 2, 'a dose with more than 4 decimal places', dose('5.00001mg'), nurse),
  {
    code: 'INEXACT_CONVERSION', exit: 2, mode: 'json', how: 'a dose in mg that is not a whole number of microlitres at the product\'s strength (1 mg at 3 mg/mL)',
    run: async (ctx) => {
      const l = await ctx.clinic()
      await l.json(productAdd({ code: 'KET-3', concentration: '3mg/mL', volume: '10mL' })(ctx.facts), pic)
      await l.json(receive({ product: 'KET-3', lot: 'T3' })(ctx.facts), nurse)
      const opened = await l.json<{ container: string }>(['open', '--product', 'KET-3', '--lot', 'T3', '--location', 'SAFE-1', '--by', 'nkim'], nurse)
      return l.run(['administer', '--container', opened.container, '--dose', '1mg', '--patient', 'P-1', '--by', 'nkim', '--json'], nurse)
    },
  },
  onClinic('INVALID_COUNT', 2, 'zero containers received', receive({ containers: '0' }), nurse),
  onClinic('INVALID_NUMBER', 2, 'a product strength of zero', productAdd({ concentration: '0mg/mL' }), pic),
  onClinic('INVALID_DATE', 2, 'an expiry date that is not on the calendar', receive({ lot: 'K2', expires: '2027-02-30' }), nurse),
  onClinic('INVALID_TIME', 2, '--at without a time zone', dose('5mg', ['--at', '2026-11-26T09:30:00']), nurse),
  onClinic('INVALID_TEXT', 2, 'a reason with a terminal escape sequence', (f) => ['waste', '--container', f.container, '--amount', '1mg', '--reason', 'ok\u001b[2J', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('TOO_LONG', 2, 'a 10 kB reason', (f) => ['waste', '--container', f.container, '--amount', '1mg', '--reason', 'x'.repeat(10_240), '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('INVALID_IDENTIFIER', 2, 'SQL in a patient reference', (f) => ['administer', '--container', f.container, '--dose', '5mg', '--patient', "P-1'; DROP TABLE ledger_entry;--", '--by', 'nkim'], nurse),
  onClinic('INVALID_DEA_NUMBER', 2, 'a supplier DEA number that is not 2 letters and 7 digits', receive({ 'supplier-dea': 'AB12345' }), nurse),
  onClinic('INVALID_NDC', 2, 'an NDC without hyphens', productAdd({ ndc: '6745710810' }), pic),
  onClinic('UNKNOWN_DRUG', 2, 'a drug csledger does not track', productAdd({ drug: 'fentanyl' }), pic),
  onClinic('INVALID_DOSE_FORM', 2, 'a dose form other than multi-dose or single-dose', productAdd({ 'dose-form': 'ampoule' }), pic),
  onClinic('INVALID_ROLE', 2, 'a role that does not exist', () => ['user', 'add', 'mchen', '--name', 'Mia Chen', '--role', 'janitor', '--by', 'pkim'], { as: 'pkim', newPassphrase: 'mchen: a long passphrase' }),
  onClinic('WEAK_PASSPHRASE', 2, 'a new passphrase shorter than 8 characters', () => ['user', 'add', 'mchen', '--name', 'Mia Chen', '--role', 'nurse', '--by', 'pkim'], { as: 'pkim', newPassphrase: 'short' }),
  onClinic('WASTE_TARGET', 2, 'waste naming both a container and a dose', (f) => ['waste', '--container', f.container, '--administration', String(f.dose), '--amount', '1mg', '--reason', 'x', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('NOT_AMENDABLE', 2, 'correcting a dose with a waste-only flag', (f) => ['correct', String(f.dose), '--amount', '1mg', '--reason', 'typo', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('INVALID_AS_OF', 2, 'balance --as-of that is neither a seq nor a time', () => ['balance', '--as-of', 'yesterday']),
  onClinic('SEQ_OUT_OF_RANGE', 2, 'balance --as-of beyond the last entry', () => ['balance', '--as-of', '99999']),
  onClinic('INVALID_SEQ', 2, 'log --seq that is not an entry number', () => ['log', '--seq', '1e1']),
  onClinic('UNKNOWN_KIND', 2, 'log --kind that is not an entry kind', () => ['log', '--kind', 'dose']),
  onClinic('INVALID_HEAD', 2, 'verify --head that is not <seq>:<64 hex>', () => ['verify', '--head', '12:abc']),
  onClinic('CANNOT_WRITE', 2, 'export --out into a folder that does not exist', () => ['export', '--out', 'missing-folder/ledger.jsonl']),
  {
    code: 'CANCELLED', exit: 2, mode: 'terminal', how: 'Ctrl-C at a prompt',
    run: async (ctx) => {
      const l = await ctx.clinic()
      return atTerminal(l, ['administer', '--container', ctx.facts.container, '--by', 'nkim'], async (t) => {
        await t.waitFor(/Dose given/)
        await t.press('C-c')
      })
    },
  },

  // ── store (2) ──
  { code: 'NO_LEDGER', exit: 2, mode: 'json', how: '--db names a file that does not exist', run: async (ctx) => (await ctx.empty()).run(['balance', '--json']) },
  { code: 'NOT_A_LEDGER', exit: 2, mode: 'json', how: '--db names a file that is not SQLite', run: async (ctx) => {
    const l = await ctx.empty()
    await writeFile(l.db, 'date,item,qty\n2026-11-26,ketamine,10\n')
    return l.run(['balance', '--json'])
  } },
  { code: 'DAMAGED', exit: 2, mode: 'json', how: 'the database file is cut short', run: async (ctx) => {
    const l = await ctx.empty()
    await writeFile(l.db, Buffer.concat([Buffer.from('SQLite format 3\u0000', 'latin1'), Buffer.alloc(84)]))
    return l.run(['balance', '--json'])
  } },
  { code: 'CANNOT_OPEN', exit: 2, mode: 'json', how: 'init --db in a folder that does not exist', run: async (ctx) => {
    const l = await ctx.empty()
    return l.run(['--db', join(l.dir, 'no-such-folder', 'clinic.db'), 'init', '--registrant', 'Calm Waters', '--address', '12 Elm St', '--dea', 'BJ6125341', '--admin', 'pkim', '--admin-name', 'Pat Kim', '--json'], { newPassphrase: PEOPLE.pkim.passphrase })
  } },
  { code: 'SCHEMA_TOO_NEW', exit: 2, mode: 'json', how: 'the database records a migration this csledger does not know', run: async (ctx) => {
    const l = await ctx.clinic()
    withDb(l.db, (db) => db.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('9999-from-the-future', '2030-01-01T00:00:00.000Z'))
    return l.run(['balance', '--json'])
  } },
  { code: 'EMPTY_SOURCE', exit: 2, mode: 'json', how: 'copy --from a ledger file that holds no entries (a refused init leaves one)', run: async (ctx) => {
    const l = await ctx.empty()
    const refused = await l.run(['init', '--registrant', 'Calm Waters', '--address', '12 Elm St', '--dea', 'BJ6125341', '--admin', 'pkim', '--admin-name', 'Pat Kim', '--timezone', 'Mars/Olympus_Mons', '--json'], { newPassphrase: PEOPLE.pkim.passphrase })
    if (refused.code !== 2) throw new Error(`init with a bad time zone exited ${refused.code}: ${refused.stdout}`)
    return l.run(['copy', '--from', l.db, '--to', NO_SERVER, '--json'])
  } },
  { code: 'CANNOT_CONNECT', exit: 2, mode: 'json', how: '--db names a PostgreSQL server that is not there (a port where nothing listens)', run: async (ctx) => (await ctx.clinic()).run(['--db', NO_SERVER, 'balance', '--json']) },
  onClinic('BAD_POSTGRES_URL', 2, 'a PostgreSQL --db naming two ledgers', () => ['--db', `${NO_SERVER}?ledger=a&ledger=b`, 'balance']),
  onClinic('LEDGER_MISMATCH', 2, 'copy --to a URL whose ?ledger= is not the ledger being copied', () => ['copy', '--from', 'ledger.db', '--to', `${NO_SERVER}?ledger=another-ledger`]),
  onClinic('NOT_POSTGRES', 2, 'migrate on a SQLite ledger file', () => ['migrate']),
  onClinic('NOT_SQLITE', 2, 'restore into a postgres:// --db', () => ['restore', '--from', 'ledger.db', '--db', NO_SERVER]),
  onClinic('FILE_EXISTS', 2, 'export --out naming an existing file (here the ledger itself)', () => ['export', '--out', 'ledger.db']),

  // ── counts, inventories, losses, disposals, settings, reports: usage or invalid input (2) ──
  onClinic('INVALID_ITEM', 2, 'count --item without =<value>', () => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', 'K2417A']),
  onClinic('UNKNOWN_ITEM', 2, 'count --item naming neither a received lot nor a container', () => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', 'K9999Z=1'], counted),
  onClinic('DUPLICATE_ITEM', 2, 'a count giving one lot twice', countSafe(9, ['--item', 'K2417A=9']), counted),
  afterSteps('AMBIGUOUS_LOT', 2, 'a count naming a lot number two products share, without the product', [[productAdd({}), pic], [receive({ product: 'KET-100' }), nurse]], () => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', 'K2417A=9'], counted),
  onClinic('WRONG_LOCATION', 2, 'a count of LOCKBOX-2 giving a container that is in SAFE-1', (f) => ['count', '--location', 'LOCKBOX-2', '--by', 'pkim', '--witness', 'nkim', '--item', `${f.container}=9.2mL`], counted),
  onClinic('COUNT_INCOMPLETE', 2, 'a count that leaves items out', () => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--item', 'KET-50:K2417A=9'], counted),
  onClinic('INVALID_POSITION', 2, 'count --based-on a position beyond the end of the ledger', countSafe(9, ['--based-on', '99999']), counted),
  onClinic('CANNOT_READ', 2, 'count --sheet naming a file that does not exist', () => ['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--sheet', 'no-such-sheet.csv']),
  { code: 'INVALID_SHEET', exit: 2, mode: 'json', how: 'a count sheet whose header is not "item,count"', run: async (ctx) => {
    const l = await ctx.clinic()
    await writeFile(join(l.dir, 'safe-1.csv'), 'lot,qty\nK2417A,9\n')
    return l.run(['count', '--location', 'SAFE-1', '--by', 'pkim', '--witness', 'nkim', '--sheet', 'safe-1.csv', '--json'])
  } },
  onClinic('INVALID_INVENTORY_KIND', 2, 'inventory --kind other than initial or biennial', inventory('annual', 'close', ['--zero']), counted),
  onClinic('INVALID_INVENTORY_TIME', 2, 'inventory --at other than opening or close', inventory('biennial', 'noon', ['--zero']), counted),
  onClinic('LOCATION_REQUIRED', 2, 'a biennial inventory item of sealed stock without its location', inventory('biennial', 'close', ['--item', 'K2417A=9']), counted),
  afterSteps('INVALID_REASON', 2, 'reconcile --reason that is not one of the six', [shortCount], reconcile('misplaced'), pic),
  onClinic('INVALID_LOSS_TYPE', 2, 'loss record --type that is not theft, loss, in-transit or breakage-spill', (f) => ['loss', 'record', '--type', 'burglary', '--container', f.container, '--note', 'x', '--by', 'pkim'], pic),
  onClinic('NO_ITEMS', 2, 'loss record naming nothing that was lost', () => ['loss', 'record', '--type', 'theft', '--note', 'lockbox forced', '--by', 'pkim'], pic),
  onClinic('INVALID_METHOD', 2, 'dispose --method other than reverse-distributor or destruction', (f) => ['dispose', '--method', 'incinerate', '--container', f.container, '--reason', 'expired', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('UNKNOWN_SETTING', 2, 'settings set with a name that is not a setting', () => ['settings', 'set', 'colour', 'blue', '--by', 'pkim'], pic),
  onClinic('INVALID_SETTING', 2, 'settings set with a value of the wrong kind', () => ['settings', 'set', 'count_tolerance_ml', 'lots', '--by', 'pkim'], pic),
  onClinic('INVALID_REQUEST_ID', 2, '--request-id with a space in it', dose('5mg', ['--request-id', 'dose one']), nurse),
  afterSteps('REQUEST_ID_REUSED', 2, 'a --request-id used for a dose, reused for another command', [[dose('5mg', ['--request-id', 'R-1']), nurse]], () => ['location', 'add', 'FRIDGE-3', '--name', 'Fridge', '--by', 'pkim', '--request-id', 'R-1'], pic),
  onClinic('INVALID_FORMAT', 2, 'report audit --format other than pdf, csv or json', auditJson('2026-01-01', '2026-01-31', ['--format', 'docx'])),
  onClinic('INVALID_SCHEDULE', 2, 'report audit --schedule other than III or IV', auditJson('2026-01-01', '2026-01-31', ['--schedule', 'II'])),
  onClinic('INVALID_PERIOD', 2, 'report audit --from after --to', auditJson('2026-02-01', '2026-01-01')),
  onClinic('UNKNOWN_PRODUCT', 2, 'report audit --product naming no product', auditJson('2026-01-01', '2026-01-31', ['--product', 'KET-99'])),
  onClinic('UNKNOWN_LOCATION', 2, 'report audit --location naming no location', auditJson('2026-01-01', '2026-01-31', ['--location', 'SAFE-9'])),
  afterSteps('UNKNOWN_CONTAINER', 2, 'a count giving a container that was disposed of', [[(f) => ['dispose', '--method', 'destruction', '--container', f.container, '--reason', 'past beyond-use date', '--destruction-method', 'chemical digestion', '--place', 'med room', '--by', 'nkim', '--witness', 'rjones'], witnessed]], countSafe(9, [], '0mL'), counted),
  onClinic('UNKNOWN_INVENTORY', 2, 'report inventory --seq naming an entry that is not an inventory', (f) => ['report', 'inventory', '--seq', String(f.registrant), '--out', 'inventory.pdf']),
  onClinic('UNKNOWN_DISPOSAL', 2, 'report form41 naming an entry that is not a disposal', (f) => ['report', 'form41', String(f.dose), '--out', 'form41.pdf']),
  afterSteps('NOT_A_DESTRUCTION', 2, 'report form41 for a disposal to a reverse distributor', [[() => ['dispose', '--method', 'reverse-distributor', '--product', 'MDZ-5', '--lot', 'M7731', '--location', 'SAFE-1', '--containers', '1', '--reason', 'unwanted', '--distributor', 'Return Logistics Inc', '--distributor-address', '400 Commerce Way, Dayton OH', '--distributor-dea', 'AB1234563', '--by', 'nkim', '--witness', 'rjones'], witnessed]], (f) => ['report', 'form41', String(f.head + 1), '--out', 'form41.pdf']),
  onClinic('UNKNOWN_LOSS', 2, 'report form106 naming a loss that does not exist', () => ['report', 'form106', 'L-0099', '--out', 'form106.pdf']),
  { code: 'INVALID_TIMEZONE', exit: 2, mode: 'json', how: 'init --timezone that is not an IANA time zone', run: async (ctx) => {
    const l = await ctx.empty()
    return l.run(['init', '--registrant', 'Calm Waters', '--address', '12 Elm St', '--dea', 'BJ6125341', '--admin', 'pkim', '--admin-name', 'Pat Kim', '--timezone', 'Mars/Olympus_Mons', '--json'], { newPassphrase: PEOPLE.pkim.passphrase })
  } },
  { code: 'INVALID_DAYS', exit: 2, mode: 'json', how: 'demo --days 0', run: async (ctx) => (await ctx.empty()).run(['demo', '--days', '0', '--json']) },
  onClinic('DB_EXISTS', 2, 'demo --db naming an existing ledger', () => ['demo', '--days', '1']),

  // ── refused by a ledger rule (3) ──
  onClinic('ALREADY_INITIALISED', 3, 'init on a ledger that has entries', () => ['init', '--registrant', 'Other', '--address', '1 Main St', '--dea', 'BJ6125341', '--admin', 'eve', '--admin-name', 'Eve'], { newPassphrase: 'eve: a long passphrase' }),
  onClinic('USER_EXISTS', 3, 'adding a username that exists', () => ['user', 'add', 'nkim', '--name', 'Nora Kim', '--role', 'nurse', '--by', 'pkim'], { as: 'pkim', newPassphrase: 'nkim: another passphrase' }),
  onClinic('ALREADY_DEACTIVATED', 3, 'deactivating a deactivated user', () => ['user', 'deactivate', 'tgone', '--by', 'pkim'], pic),
  onClinic('SELF_DEACTIVATION', 3, 'a PIC deactivating themselves', () => ['user', 'deactivate', 'pkim', '--by', 'pkim'], pic),
  onClinic('LOCATION_EXISTS', 3, 'adding a location code that exists', () => ['location', 'add', 'SAFE-1', '--name', 'Again', '--by', 'pkim'], pic),
  onClinic('PRODUCT_EXISTS', 3, 'adding a product code that exists', productAdd({ code: 'KET-50' }), pic),
  onClinic('UNKNOWN_PRODUCT', 3, 'a product code that is not in the catalog', () => ['open', '--product', 'KET-99', '--lot', 'K2417A', '--location', 'SAFE-1', '--by', 'nkim'], nurse),
  onClinic('UNKNOWN_LOCATION', 3, 'a location that does not exist', () => ['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-9', '--by', 'nkim'], nurse),
  onClinic('UNKNOWN_LOT', 3, 'a lot that was never received', () => ['open', '--product', 'KET-50', '--lot', 'K9999Z', '--location', 'SAFE-1', '--by', 'nkim'], nurse),
  onClinic('LOT_EXPIRED', 3, 'opening a container of an expired lot', () => ['open', '--product', 'KET-50', '--lot', 'OLD1', '--location', 'SAFE-1', '--by', 'nkim'], nurse),
  onClinic('LOT_EXPIRY_MISMATCH', 3, 'receiving a known lot with another expiry date', receive({ expires: '2030-01-31' }), nurse),
  onClinic('DEA_CHECK_WARNING', 3, 'a supplier DEA number whose check digit fails, without --supplier-dea-override', receive({ 'supplier-dea': 'AB1234567' }), nurse),
  onClinic('FUTURE_TIME', 3, '--at later than now (beyond 5 minutes of clock skew)', dose('5mg', ['--at', '2099-01-01T00:00:00Z']), nurse),
  onClinic('INSUFFICIENT_STOCK', 3, 'transferring more sealed containers than are on hand', () => ['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '10', '--from', 'SAFE-1', '--to', 'LOCKBOX-2', '--by', 'nkim'], nurse),
  onClinic('SAME_LOCATION', 3, 'a transfer from a location to itself', () => ['transfer', '--product', 'KET-50', '--lot', 'K2417A', '--containers', '1', '--from', 'SAFE-1', '--to', 'SAFE-1', '--by', 'nkim'], nurse),
  onClinic('UNKNOWN_CONTAINER', 3, 'a container id that was never opened', () => ['administer', '--container', 'C-9999', '--dose', '5mg', '--patient', 'P-1', '--by', 'nkim'], nurse),
  afterSteps('CONTAINER_EMPTY', 3, 'a dose from a container whose remainder was wasted', [[wasteFromContainer('9.2mL'), witnessed]], dose('5mg'), nurse),
  onClinic('DRAW_EXCEEDS_CONTAINER', 3, 'a dose larger than what the container holds', dose('500mg'), nurse),
  onClinic('DOSE_EXCEEDS_DRAWN', 3, '--drawn less than --dose', dose('35mg', ['--drawn', '30mg']), nurse),
  onClinic('PRESCRIBER_NOT_PHYSICIAN', 3, 'a prescriber who is a nurse', dose('5mg', ['--prescriber', 'rjones']), nurse),
  onClinic('WITNESS_IS_ACTOR', 3, 'the actor names themselves as witness', wasteFromContainer('1mg', ['--by', 'nkim', '--witness', 'nkim']), { as: 'nkim', witness: 'nkim' }),
  onClinic('UNKNOWN_ADMINISTRATION', 3, 'waste --administration naming an entry that is not a dose', (f) => ['waste', '--administration', String(f.registrant), '--amount', '1mg', '--reason', 'x', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('WASTE_EXCEEDS_REMAINDER', 3, 'wasting more of a dose than was drawn and not given', (f) => ['waste', '--administration', String(f.dose), '--amount', '1mg', '--reason', 'x', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('UNKNOWN_WASTE', 3, 'co-signing an entry that is not a waste', (f) => ['cosign', String(f.dose), '--by', 'drlee'], { as: 'drlee' }),
  afterSteps('ALREADY_COSIGNED', 3, 'co-signing a waste twice', [[(f) => ['cosign', String(f.pendingWaste), '--by', 'drlee'], { as: 'drlee' }]], (f) => ['cosign', String(f.pendingWaste), '--by', 'drpark'], { as: 'drpark' }),
  afterSteps('COSIGNER_NOT_INDEPENDENT', 3, 'the physician who witnessed a waste co-signs it', [[wasteFromContainer('1mg', ['--by', 'nkim', '--witness', 'drlee']), { as: 'nkim', witness: 'drlee' }]], (f) => ['cosign', String(f.head + 1), '--by', 'drlee'], { as: 'drlee' }),
  onClinic('UNKNOWN_ENTRY', 3, 'correcting an entry number beyond the ledger', () => ['correct', '9999', '--reason', 'typo', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  onClinic('NOT_CORRECTABLE', 3, 'correcting the registrant entry', (f) => ['correct', String(f.registrant), '--reason', 'typo', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  afterSteps('ALREADY_VOIDED', 3, 'voiding an entry twice', [[(f) => ['correct', String(f.pendingWaste), '--reason', 'recorded twice', '--by', 'nkim', '--witness', 'rjones'], witnessed]], (f) => ['correct', String(f.pendingWaste), '--reason', 'again', '--by', 'rjones', '--witness', 'nkim'], { as: 'rjones', witness: 'nkim' }),
  onClinic('WASTE_OUTSTANDING', 3, 'voiding a dose whose drawn-but-not-given remainder was wasted', (f) => ['correct', String(f.dose), '--reason', 'wrong patient', '--by', 'nkim', '--witness', 'rjones'], witnessed),
  {
    code: 'BEYOND_USE_DATE', exit: 3, mode: 'json', how: 'a dose from a multi-dose vial opened 40 days ago (beyond-use 28 days)',
    run: async (ctx) => {
      const l = await ctx.clinic()
      const opened = await l.json<{ container: string }>(['open', '--product', 'KET-50', '--lot', 'K2417A', '--location', 'SAFE-1', '--at', `${day(-40)}T12:00:00Z`, '--by', 'nkim'], nurse)
      return l.run(['administer', '--container', opened.container, '--dose', '5mg', '--patient', 'P-1', '--by', 'nkim', '--json'], nurse)
    },
  },
  {
    code: 'INITIAL_INVENTORY_REQUIRED', exit: 3, mode: 'json', how: 'a first receipt on a new ledger before its initial inventory',
    run: async (ctx) => {
      const l = await ctx.empty()
      await l.json(['init', '--registrant', CLINIC.registrant, '--address', CLINIC.address, '--dea', CLINIC.dea, '--admin', 'pkim', '--admin-name', PEOPLE.pkim.name], { newPassphrase: PEOPLE.pkim.passphrase })
      await l.json(['location', 'add', 'SAFE-1', '--name', 'Main safe', '--by', 'pkim'], pic)
      await l.json(productAdd({ code: 'KET-50' })(ctx.facts), pic)
      return l.run([...receive({ by: 'pkim' })(ctx.facts), '--json'], pic)
    },
  },
  onClinic('INVENTORY_EXISTS', 3, 'a second initial inventory', inventory('initial', 'opening', ['--zero']), counted),
  onClinic('UNKNOWN_DISCREPANCY', 3, 'reconcile naming a discrepancy that does not exist', () => ['reconcile', 'D-0099', '--reason', 'unexplained', '--note', 'x', '--by', 'pkim'], pic),
  afterSteps('ALREADY_RESOLVED', 3, 'reconciling a discrepancy twice', [shortCount, [reconcile('unexplained'), pic]], reconcile('unexplained'), pic),
  afterSteps('LINK_REQUIRED', 3, 'a documentation error reconciled without --entry', [shortCount], reconcile('documentation-error'), pic),
  afterSteps('LINK_NOT_LATE', 3, 'a documentation error linked to an entry recorded before the count', [shortCount], (f) => reconcile('documentation-error', ['--entry', String(f.dose)])(f), pic),
  afterSteps('NOT_A_SHORTAGE', 3, 'a count overage reconciled as theft', [[countSafe(10), counted, 1]], reconcile('theft'), pic),
  onClinic('UNKNOWN_LOSS', 3, 'loss notice naming a loss that does not exist', () => ['loss', 'notice', 'L-0099', '--method', 'email', '--to', 'Springfield Field Division', '--by', 'pkim'], pic),
  afterSteps('ALREADY_NOTIFIED', 3, 'a second DEA notice for one loss', [[lossRecord, pic], [() => ['loss', 'notice', 'L-0001', '--method', 'email', '--to', 'Springfield Field Division', '--by', 'pkim'], pic]], () => ['loss', 'notice', 'L-0001', '--method', 'fax', '--to', 'Springfield Field Division', '--by', 'pkim'], pic),
  afterSteps('BEFORE_DISCOVERY', 3, 'a DEA notice dated before the loss was discovered', [[lossRecord, pic]], () => ['loss', 'notice', 'L-0001', '--method', 'email', '--to', 'Springfield Field Division', '--at', '2020-01-06T09:00:00Z', '--by', 'pkim'], pic),

  // ── integrity failure (5) ──
  { code: 'BACKUP_INVALID', exit: 5, mode: 'json', how: 'restore --head naming an entry the backup does not contain', run: async (ctx) => {
    const l = await ctx.clinic()
    return l.run(['restore', '--from', l.db, '--head', `1:${'0'.repeat(64)}`, '--db', join(l.dir, 'restored.db'), '--json'])
  } },

  // ── internal error (70) ──
  {
    code: 'NODE_TOO_OLD', exit: 70, mode: 'text', how: 'bin/csledger finds a Node older than 22.18',
    run: async (ctx) => {
      const l = await ctx.empty()
      const root = await launcherCopy(l.dir)
      const node = join(root, '.toolchain', 'bin', 'node')
      await mkdir(join(root, '.toolchain', 'bin'), { recursive: true })
      await writeFile(node, `#!/bin/sh\nexec '${process.execPath}' --import 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})' "$@"\n`)
      await chmod(node, 0o755)
      return runLauncher(join(root, 'bin', 'csledger'), l.dir, '/usr/bin:/bin')
    },
  },
  {
    code: 'NO_NODE', exit: 70, mode: 'text', how: 'bin/csledger finds no Node at all (no .toolchain, none on PATH)',
    run: async (ctx) => {
      const l = await ctx.empty()
      const root = await launcherCopy(l.dir)
      const tools = join(l.dir, 'tools')
      await mkdir(tools)
      for (const tool of ['dirname', 'readlink']) await symlink(await which(tool), join(tools, tool))
      return runLauncher(join(root, 'bin', 'csledger'), l.dir, tools)
    },
  },
]

/** A copy of bin/csledger in its own root (packages/ linked to the real ones), to try the launcher's checks. */
async function launcherCopy(dir: string): Promise<string> {
  const root = join(dir, 'root')
  await mkdir(join(root, 'bin'), { recursive: true })
  await copyFile(CSLEDGER_BIN, join(root, 'bin', 'csledger'))
  await chmod(join(root, 'bin', 'csledger'), 0o755)
  await symlink(join(REPO_ROOT, 'packages'), join(root, 'packages'))
  return root
}

/** Runs a launcher copy with bash given by absolute path and exactly this PATH. */
async function runLauncher(launcher: string, cwd: string, path: string): Promise<CliRun> {
  const r = await promisify(execFile)('/bin/bash', [launcher, '--help'], { cwd, env: { PATH: path, HOME: cwd }, encoding: 'utf8' }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  )
  return { args: ['--help'], ...r }
}

async function which(tool: string): Promise<string> {
  for (const dir of ['/usr/bin', '/bin']) {
    const p = join(dir, tool)
    if (await access(p).then(() => true, () => false)) return p
  }
  throw new Error(`${tool} not found in /usr/bin or /bin`)
}

function withDb(file: string, f: (db: Database.Database) => void): void {
  const db = new Database(file)
  try { f(db) } finally { db.close() }
}

/** Runs a command in a real terminal, lets `drive` answer its prompts, and reads the outcome off the screen. */
async function atTerminal(l: LedgerDir, args: string[], drive: (t: TmuxCli) => Promise<void>): Promise<CliRun> {
  const t = await TmuxCli.start(args, { cwd: l.dir, env: { CSLEDGER_DB: l.db } })
  try {
    await drive(t)
    const code = await t.exitCode()
    return { args, code, stdout: '', stderr: await t.screen() }
  } finally {
    await t.stop()
  }
}
