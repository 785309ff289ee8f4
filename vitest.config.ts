import { defineConfig } from 'vitest/config';
import { testWorkers } from './tests/support/test-workers.js';

// Unit tests sit beside the code; end-to-end tests that cross roles live in tests/.
// Tests talk to a real Docker engine, Postgres and git, so they get generous timeouts. Files
// run DEVFLOW_TEST_WORKERS at a time (default 2, tests/support/test-workers.ts): every file
// names what it makes (homes, databases, apps, containers, images) uniquely, so files side by
// side do not see each other's.
const workers = testWorkers();

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'examples/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: workers > 1,
    maxWorkers: workers,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
