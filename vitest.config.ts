import { defineConfig } from 'vitest/config';
import { DurationSequencer } from './tests/support/duration-sequencer.js';
import { excludedFiles, testWorkers } from './tests/support/test-workers.js';

// Unit tests sit beside the code; end-to-end tests that cross roles live in tests/.
// Tests talk to a real Docker engine, Postgres and git, so they get generous timeouts. Files
// run DEVFLOW_TEST_WORKERS at a time (default 2, tests/support/test-workers.ts): every file
// names what it makes (homes, databases, apps, containers, images) uniquely, so files side by
// side do not see each other's.
const workers = testWorkers();

const files = {
  exclude: ['node_modules/**', 'dist/**', 'examples/**', ...excludedFiles()],
  testTimeout: 120_000,
  hookTimeout: 300_000,
};
// Files that run each in a fresh worker: the end-to-end files, and the few that change what a
// whole process shares (process.env, spies on shared objects), though they put it back.
const isolated = [
  'tests/e2e/**/*.test.ts',
  'api/routes/observability.test.ts',
  'receiver/git-service.test.ts',
  'scheduler/runtime/process.test.ts',
  'router/socket-write.test.ts',
  // Compares its own /proc stat line read twice; the state letter (R/S) of a worker busy with
  // earlier files' leftovers changed between the two reads.
  'scheduler/runtime/process-state.test.ts',
];

export default defineConfig({
  test: {
    fileParallelism: workers > 1,
    maxWorkers: workers,
    globalSetup: ['tests/support/global-setup.ts'],
    // Longest files first, by the durations recorded in tests/support/test-durations.json.
    sequence: { sequencer: DurationSequencer },
    projects: [
      { test: { ...files, name: 'isolated', include: isolated } },
      // The other files share one module graph per worker (isolate: false): a fresh worker per
      // file re-imported the same modules each time, about a second a file on two loaded cores,
      // over 270 files. They keep no state between files outside what each one makes and names.
      { test: { ...files, name: 'shared', isolate: false, include: ['**/*.test.ts'], exclude: [...files.exclude, ...isolated] } },
    ],
  },
});
