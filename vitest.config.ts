import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; end-to-end tests that cross roles live in tests/.
// Tests talk to a real Docker engine, Postgres and git, so they get generous timeouts
// and run files one at a time on this 2-core machine to keep them from starving each other.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'examples/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
