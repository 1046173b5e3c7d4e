import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll } from 'vitest'
import { type ClinicFacts, LedgerDir, buildClinic } from './clinic.ts'

const PREFIX = 'csledger-e2e-clinic-'

/**
 * The clinic fixture, built once per test run and shared by every test file of that run.
 * Setting it up costs ~20 runs of bin/csledger (a dozen scrypt passphrase checks); every test
 * works on a byte copy (`template.copy()`), never on the template itself.
 *
 * The run is identified by the vitest main process (the parent of every fork worker) and its
 * start time, so a later run never sees an earlier run's fixture. The first file to ask builds
 * it under a lock; the others wait for it (bounded). Fixtures of finished runs are removed.
 */
export async function sharedClinic(): Promise<{ template: LedgerDir; facts: ClinicFacts }> {
  const runId = currentRunId()
  if (!runId) return own()
  await removeStale()
  const base = join(tmpdir(), `${PREFIX}${runId}`)
  const lock = `${base}.lock`
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (existsSync(join(base, 'facts.json'))) return load(base)
    try {
      await mkdir(lock)
    } catch {
      const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'))
      if (owner > 0 && !alive(owner)) await rm(lock, { recursive: true, force: true })
      await sleep(200)
      continue
    }
    try {
      await writeFile(join(lock, 'pid'), String(process.pid))
      if (existsSync(join(base, 'facts.json'))) return load(base)
      const { ledger, facts } = await buildClinic()
      await writeFile(join(ledger.dir, 'facts.json'), JSON.stringify(facts))
      await rename(ledger.dir, base)
      return load(base)
    } finally {
      await rm(lock, { recursive: true, force: true })
    }
  }
  throw new Error(`the shared clinic fixture at ${base} was not ready within 180 s`)
}

async function own(): Promise<{ template: LedgerDir; facts: ClinicFacts }> {
  const { ledger, facts } = await buildClinic()
  return { template: ledger, facts }
}

async function load(base: string): Promise<{ template: LedgerDir; facts: ClinicFacts }> {
  const facts = JSON.parse(await readFile(join(base, 'facts.json'), 'utf8')) as ClinicFacts
  return { template: new LedgerDir(base, join(base, 'ledger.db'), async () => {}), facts }
}

/** `<ppid>-<its start time in clock ticks>`: unique to this vitest run (Linux /proc). */
function currentRunId(): string | undefined {
  return processStart(process.ppid)
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const start = fields[19]
    return start ? `${pid}-${start}` : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes fixtures (and stale locks) left by runs whose main process is gone. */
async function removeStale(): Promise<void> {
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX)) continue
    const m = /^(\d+)-(\d+)(\.lock)?$/.exec(name.slice(PREFIX.length))
    if (!m) continue
    if (processStart(Number(m[1])) !== `${m[1]}-${m[2]}`) await rm(join(tmpdir(), name), { recursive: true, force: true })
  }
}

/**
 * For a test file working on copies of the shared clinic: registers the hooks that fetch the
 * fixture before the file's tests and remove every copy after them. `facts` is filled in by then.
 *
 * @example
 * const shared = useSharedClinic()
 * test('…', async () => { const l = await shared.copy(); … shared.facts.head … })
 */
export function useSharedClinic(): { readonly facts: ClinicFacts; copy(): Promise<LedgerDir> } {
  let template: LedgerDir | undefined
  let facts: ClinicFacts | undefined
  const copies: LedgerDir[] = []
  beforeAll(async () => { ({ template, facts } = await sharedClinic()) })
  afterAll(async () => { await Promise.all(copies.map((c) => c.remove())) })
  return {
    get facts() { if (!facts) throw new Error('the shared clinic is read in beforeAll'); return facts },
    async copy() {
      const l = await template!.copy()
      copies.push(l)
      return l
    },
  }
}
