/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Times `fn` `runs` times (after one warm-up) and returns the median in ms. */
export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  await fn()
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    xs.push(performance.now() - t)
  }
  return median(xs)
}

export interface Row {
  readonly measure: string
  readonly figure: string
  readonly baseline: string
  readonly ratio: string
  readonly budget: string
  readonly ok: boolean | null
}

export function printTable(rows: readonly Row[]): string {
  const head = ['measurement', 'figure', 'baseline', 'ratio', 'budget', 'met']
  const cells = rows.map((r) => [r.measure, r.figure, r.baseline, r.ratio, r.budget, r.ok === null ? '-' : r.ok ? 'yes' : 'NO'])
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => '| ' + c.map((x, i) => x.padEnd(w[i]!)).join(' | ') + ' |'
  return [line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...cells.map(line)].join('\n')
}
