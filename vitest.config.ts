import { defineConfig } from 'vitest/config'
import { assertSupportedNode } from './test/support/node-guard.ts'

assertSupportedNode()

export default defineConfig({
  resolve: { conditions: ['@csledger/source'] },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'migrations/src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    globalSetup: ['./test/support/postgres-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
