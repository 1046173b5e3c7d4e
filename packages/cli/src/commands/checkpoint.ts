import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { InputError, IntegrityError, type Ledger, type LedgerCheckpoint, LedgerError, type Principal, checkpointTime } from '@csledger/ledger-core'
import { need } from '../ask.ts'
import { authenticate } from '../auth.ts'
import { type RunState, action, example } from '../command-kit.ts'
import type { CliContext, CommandResult } from '../context.ts'

export function registerCheckpoint(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('checkpoint')
    .description('sign the ledger as it stands (entry count and Merkle root) with the PIC\'s key, and write it to a file to give away; prints its short code')
    .option('--out <file>', 'where to write the signed checkpoint (never overwritten)')
    .option('--by <pic>', 'the PIC signing')
    .option('--cosigner <user>', 'a second signer, e.g. the medical director (passphrase: CSLEDGER_WITNESS_PASSPHRASE)')
    .action(action<{ out?: string; by?: string; cosigner?: string }>(ctx, state, async ({ opts, g, ledger }) => {
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: 'e.g. csledger checkpoint --out checkpoint-2026-11-26.txt --by pkim' })
      const target = resolve(ctx.cwd, opts.out)
      assertNewFile(target)
      const by = await need(ctx, g, opts.by, '--by', 'Your username (PIC):')
      const L = await ledger()
      const pic = await authenticate(ctx, g, L, by, 'actor')
      const cosigners = opts.cosigner ? [await authenticate(ctx, g, L, opts.cosigner, 'witness')] : []
      const cp = await L.checkpoint({ by: pic, cosigners, requirePic: true })
      const out = await writeCheckpointFile(target, cp)
      return { exitCode: 0, data: checkpointData(cp, out), text: `${checkpointText(cp)}  written to ${out}\n` }
    }))
  example(cmd, 'csledger checkpoint --out checkpoint-2026-11-26.txt --by pkim', 'csledger checkpoint --out month-end.txt --by pkim --cosigner drlee')
}

export function registerProve(program: Command, ctx: CliContext, state: RunState): void {
  const cmd = program.command('prove <seq>')
    .description('write an offline proof (C2SP tlog-proof) that one entry is in a signed checkpoint: the entry, its Merkle audit path and the checkpoint, to show one record without the whole ledger')
    .option('--out <file>', 'where to write the proof (never overwritten)')
    .option('--checkpoint <file>', 'the signed checkpoint to prove against (default: the newest stored one that covers the entry)')
    .action(action<{ out?: string; checkpoint?: string }>(ctx, state, async ({ opts, ledger, positional }) => {
      if (!opts.out) throw new InputError('MISSING_OPTION', '--out is required', { hint: 'e.g. csledger prove 1042 --out entry-1042.proof' })
      const seq = Number(positional[0])
      if (!/^[1-9]\d{0,15}$/.test(positional[0] ?? '')) throw new InputError('INVALID_SEQ', `"${String(positional[0]).slice(0, 20)}" is not an entry number`)
      const target = resolve(ctx.cwd, opts.out)
      assertNewFile(target)
      const note = opts.checkpoint ? await readCheckpointFile(resolve(ctx.cwd, opts.checkpoint)) : undefined
      const r = await (await ledger()).inclusionProof(seq, note)
      await writeNewFile(target, r.proof)
      return { exitCode: 0, data: { seq, out: target, checkpoint: r.code, proof: r.proof }, text: `proof that entry ${seq} is in checkpoint ${r.code} written to ${target}\n` }
    }, { readonly: true }))
  example(cmd, 'csledger prove 1042 --out entry-1042.proof', 'csledger prove 1042 --checkpoint count-2026-11-26.txt --out entry-1042.proof')
}

/**
 * Signs a checkpoint after a count or an inventory, by the counter and the witness (each already
 * authenticated). Returns undefined, with a note, when either has no signing key (a user created
 * before signing existed): the count stands, only the checkpoint is skipped.
 */
export async function checkpointAfterCount(L: Ledger, by: Principal, witness: Principal): Promise<{ cp?: LedgerCheckpoint; note?: string; integrity?: boolean }> {
  const people = [by, ...(witness.username !== by.username ? [witness] : [])]
  const keyless = people.filter((p) => !p.signingKey).map((p) => p.username)
  if (keyless.length > 0) return { note: `no checkpoint signed: ${keyless.join(' and ')} ha${keyless.length === 1 ? 's' : 've'} no signing key (enrol one with \`csledger user passphrase <username>\`)` }
  try {
    return { cp: await L.checkpoint({ by, cosigners: people.slice(1) }) }
  } catch (err) {
    // The count is recorded whatever happens here: say why no checkpoint was signed, never hide the count.
    if (!(err instanceof LedgerError)) throw err
    return { note: `WARNING: the count is recorded, but no checkpoint was signed: ${err.message}${err.hint ? ` (${err.hint})` : ''}`, integrity: err instanceof IntegrityError }
  }
}

/**
 * A count's or inventory's result with the checkpoint signed after it: its code in the text and the
 * data, or why none was signed. A chain that could not be signed makes the run an integrity failure
 * (exit 5), with the count still recorded.
 */
export function withCheckpoint(signed: { cp?: LedgerCheckpoint; note?: string; integrity?: boolean }, result: CommandResult, onto: string): CommandResult {
  const line = signed.cp
    ? `checkpoint ${signed.cp.code} (entries 1-${signed.cp.checkpoint.size}, signed by ${signed.cp.signers.map((s) => s.username).join(' and ')}): copy it onto the ${onto}`
    : signed.note
  const text = line ? `${result.text.replace(/\n?$/, '\n')}${line}\n` : result.text
  const data = { ...(result.data as Record<string, unknown>), ...(signed.cp ? { checkpoint: checkpointData(signed.cp) } : signed.note ? { checkpoint_not_signed: signed.note } : {}) }
  if (signed.integrity) return { exitCode: 5, data, text, error: { code: 'CHAIN_BROKEN', message: signed.note ?? 'no checkpoint signed', hint: 'keep the file as evidence and run `csledger verify`' } }
  return { ...result, data, text }
}

/** The lines a checkpoint prints: the code to copy onto the count sheet, size, root and signers. */
export function checkpointText(cp: LedgerCheckpoint): string {
  return [
    `checkpoint ${cp.code}`,
    `  entries 1-${cp.checkpoint.size}, Merkle root ${Buffer.from(cp.checkpoint.rootHash).toString('base64')}, signed ${checkpointTime(cp.checkpoint) ?? ''}`,
    `  signed by ${cp.signers.map((s) => `${s.username} (${s.keyName})`).join(', ')}`,
    '  copy the code onto the count sheet: whoever holds it can later prove the ledger was not rewritten',
  ].join('\n') + '\n'
}

export function checkpointData(cp: LedgerCheckpoint, out?: string): Record<string, unknown> {
  return {
    code: cp.code, origin: cp.checkpoint.origin, size: cp.checkpoint.size, root: Buffer.from(cp.checkpoint.rootHash).toString('base64'), time: checkpointTime(cp.checkpoint) ?? null,
    signers: cp.signers, note: cp.note, ...(out ? { out } : {}),
  }
}

async function writeCheckpointFile(out: string, cp: LedgerCheckpoint): Promise<string> {
  await writeNewFile(out, cp.note, 'the checkpoint was signed and stored, but not written out')
  return out
}

/**
 * Writes a new file (never replacing one): FILE_EXISTS if it is there, CANNOT_WRITE if the folder
 * is missing or not writable, so a bad path is a typed error, not an internal one.
 */
export async function writeNewFile(out: string, text: string, what = 'nothing was written'): Promise<void> {
  try {
    await writeFile(out, text, { flag: 'wx' })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new InputError('FILE_EXISTS', `${out} already exists; ${what}`, { hint: 'choose another --out; a file is never overwritten' })
    if (typeof code === 'string') throw new InputError('CANNOT_WRITE', `cannot write ${out} (${code}); ${what}`, { hint: 'check that the folder exists and is writable, or choose another --out path' })
    throw err
  }
}

/** Refuses, before anything is signed, an --out that exists or whose folder does not. */
export function assertNewFile(target: string): void {
  if (existsSync(target)) throw new InputError('FILE_EXISTS', `${target} already exists`, { hint: 'choose another --out; a file is never overwritten' })
  if (!existsSync(dirname(target))) throw new InputError('CANNOT_WRITE', `cannot write ${target} (the folder ${dirname(target)} does not exist)`, { hint: 'create the folder first, or choose another --out path' })
}

/** Reads a checkpoint file given on the command line: NO_SUCH_FILE / CANNOT_READ as typed errors. */
export async function readCheckpointFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new InputError('NO_SUCH_FILE', `no checkpoint file ${path}`, { hint: 'give the file written by `csledger checkpoint --out` (or kept from a count)' })
    if (typeof code === 'string') throw new InputError('CANNOT_READ', `cannot read ${path} (${code})`, { hint: 'give a readable checkpoint file' })
    throw err
  }
}
