/**
 * How many test files run at a time: DEVFLOW_TEST_WORKERS, default 2. Read by vitest.config.ts
 * only (a test-run knob, not a DevFlow setting, so it lives here and not in core/settings.ts).
 * Most of an end-to-end file's time is waiting (app containers capped at half a CPU starting
 * npm, health-check polls, the Docker engine), so two files side by side fit on two cores;
 * 1 runs every file alone, as before session 8.
 */
export function testWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DEVFLOW_TEST_WORKERS;
  if (text === undefined || text === '') return 2;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`DEVFLOW_TEST_WORKERS must be a whole number of at least 1, got "${text}"`);
  return n;
}

/**
 * Files this run leaves out: DEVFLOW_TEST_EXCLUDE, comma-separated paths or globs (scripts/test.sh
 * sets it for the files that then run alone). Read by vitest.config.ts into every project's
 * exclude list: with projects, `vitest run --exclude` on the command line did not reach them,
 * and the zero-downtime file ran twice, once beside another file.
 */
export function excludedFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DEVFLOW_TEST_EXCLUDE ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
}
