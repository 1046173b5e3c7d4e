import type { CliContext } from './context.ts'

/** A progress reporter: a cli-progress bar on a terminal's stderr, nothing otherwise. */
export async function progressBar(ctx: CliContext, label: string): Promise<{ update(p: { phase: string; done: number; total: number | null }): void; stop(): void }> {
  if (!ctx.interactive || !process.stderr.isTTY) return { update() {}, stop() {} }
  const { SingleBar, Presets } = await import('cli-progress')
  const bar = new SingleBar({ format: `${label} {phase} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic)
  let started = false
  return {
    update(p) {
      const total = Math.max(p.total ?? p.done, 1)
      if (!started) { bar.start(total, p.done, { phase: p.phase }); started = true }
      bar.setTotal(total)
      bar.update(p.done, { phase: p.phase })
    },
    stop() { if (started) bar.stop() },
  }
}
