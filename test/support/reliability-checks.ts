import { readFileSync } from 'node:fs'
import { verifyLedger } from '@csledger/ledger-core'
import { openSqliteStore } from '@csledger/ledger-sqlite'

/**
 * A writer's side file: one JSON line per event, written right after the event and before the
 * next one starts. `try` lists the request ids about to be appended (one append, or one batch);
 * `ack` lists those whose append returned success, with the seq and hash it returned.
 */
export type SideLine =
  | { readonly t: 'try'; readonly rids: readonly string[] }
  | { readonly t: 'ack'; readonly acks: ReadonlyArray<{ readonly rid: string; readonly seq: number; readonly hash: string }> }

/** What the side files of all writers so far say. */
export interface SideLog {
  readonly tried: Set<string>
  readonly acked: Map<string, { seq: number; hash: string }>
  /** Request ids tried but neither acknowledged nor refused when their writer died. */
  readonly inFlight: Set<string>
}

export function emptySideLog(): SideLog {
  return { tried: new Set(), acked: new Map(), inFlight: new Set() }
}

/**
 * Adds one writer's side file to `log`. A torn last line (the kill landed inside the write) is
 * ignored, which only ever weakens the check (an acknowledgement is dropped, never invented).
 */
export function readSideFile(file: string, log: SideLog): void {
  let text: string
  try { text = readFileSync(file, 'utf8') } catch { return }
  let pending: readonly string[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    let l: SideLine
    try { l = JSON.parse(line) as SideLine } catch { continue }
    if (l.t === 'try') {
      for (const rid of l.rids) log.tried.add(rid)
      pending = l.rids
    } else {
      for (const a of l.acks) log.acked.set(a.rid, { seq: a.seq, hash: a.hash })
      pending = []
    }
  }
  for (const rid of pending) if (!log.acked.has(rid)) log.inFlight.add(rid)
}

/** The outcome of the checks after one kill. */
export interface CrashCheck {
  readonly violations: string[]
  /** Entries after the setup in the file. */
  readonly entries: number
  /** Acknowledged appends found in the file with the seq and hash their writer was given. */
  readonly ackedFound: number
  /** Entries found whose writer died before it was told (the append committed, the ack did not). */
  readonly unackedPresent: number
}

/**
 * The checks after a writer was killed: open the file as the next process would (SQLite
 * recovers the WAL), then PRAGMA integrity_check is ok, the chain verifies, the projections and
 * their history match a rebuild, every acknowledged entry is there with its seq and hash, and
 * every other entry is one a writer was in the middle of (no stray, duplicate or partial entry).
 *
 * @example
 * const check = await checkAfterCrash(file, clinic.setupHead, log)
 * expect(check.violations).toEqual([])
 */
export async function checkAfterCrash(file: string, setupHead: number, log: SideLog): Promise<CrashCheck> {
  const violations: string[] = []
  const store = await openSqliteStore(file)
  try {
    const integrity = (store.database.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check)
    if (integrity.join() !== 'ok') violations.push(`integrity_check: ${integrity.slice(0, 5).join('; ')}`)
    const report = await verifyLedger(store)
    for (const f of report.findings) violations.push(`verify: [${f.code}] ${f.message}`)
    const present = new Map<string, { seq: number; hash: string }>()
    let entries = 0
    for await (const row of store.entryRows({ fromSeq: setupHead + 1 })) {
      entries++
      if (row.request_id === null) { violations.push(`entry ${row.seq} has no request id: no writer made it`); continue }
      if (present.has(row.request_id)) violations.push(`request id ${row.request_id} appears twice (seq ${present.get(row.request_id)!.seq} and ${row.seq})`)
      present.set(row.request_id, { seq: row.seq, hash: row.hash })
      if (!log.tried.has(row.request_id)) violations.push(`entry ${row.seq} (${row.request_id}) was never tried by a writer`)
      else if (!log.acked.has(row.request_id) && !log.inFlight.has(row.request_id)) violations.push(`entry ${row.seq} (${row.request_id}) is there, but its writer went on as if it had failed`)
    }
    let ackedFound = 0
    for (const [rid, ack] of log.acked) {
      const p = present.get(rid)
      if (!p) violations.push(`acknowledged ${rid} (seq ${ack.seq}) is missing`)
      else if (p.seq !== ack.seq || p.hash !== ack.hash) violations.push(`acknowledged ${rid} was seq ${ack.seq} ${ack.hash.slice(0, 12)}, the file has seq ${p.seq} ${p.hash.slice(0, 12)}`)
      else ackedFound++
    }
    const unackedPresent = [...present.keys()].filter((rid) => !log.acked.has(rid)).length
    return { violations, entries, ackedFound, unackedPresent }
  } finally {
    await store.close()
  }
}
