import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints one plain closing line, `N passed, N failed[, N skipped]`, which CI reads.
 * A test file that failed to load and an unhandled error each count as one failure,
 * so a broken import can never pass as a green run.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      let tests = 0
      for (const test of mod.children.allTests()) {
        tests++
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      if (mod.state() === 'failed' && (tests === 0 || mod.errors().length > 0)) failed++
    }
    failed += unhandledErrors.length
    const tail = skipped > 0 ? `, ${skipped} skipped` : ''
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`)
  }
}
