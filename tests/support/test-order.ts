/**
 * The order test files start in, pure: longest first by the seconds each file took in a recorded
 * run (tests/support/test-durations.json), so the long end-to-end files start at once and the
 * run ends on many short files that the two workers share out evenly, instead of one long file
 * started late running alone (longest-processing-time-first list scheduling). A file with no
 * recorded time (new since the recording) starts first: it may be long, and a short one costs
 * little there. Ties keep a stable, path-sorted order so two runs start files alike.
 */

/** Seconds per test file, keyed by the file's path relative to the repository root. */
export type TestDurations = Readonly<Record<string, number>>;

export function orderTestFiles<T>(files: readonly T[], pathOf: (file: T) => string, durations: TestDurations): T[] {
  const known = (file: T): number | undefined => durations[pathOf(file)];
  return [...files].sort((a, b) => {
    const da = known(a);
    const db = known(b);
    if (da === undefined && db !== undefined) return -1;
    if (db === undefined && da !== undefined) return 1;
    if (da !== undefined && db !== undefined && da !== db) return db - da;
    return pathOf(a) < pathOf(b) ? -1 : pathOf(a) > pathOf(b) ? 1 : 0;
  });
}

/** Vitest's JSON report, the fields read here. */
interface VitestReport {
  testResults: { name: string; startTime: number; endTime: number }[];
}

/**
 * The durations a run's JSON reports (test-artifacts/vitest*.json) show, one decimal, keyed by
 * path relative to `root`. A file reported twice (two reports) keeps its longer time.
 */
export function durationsFromReports(reports: readonly VitestReport[], root: string): Record<string, number> {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const durations: Record<string, number> = {};
  for (const report of reports) {
    for (const file of report.testResults) {
      const relative = file.name.startsWith(prefix) ? file.name.slice(prefix.length) : file.name;
      const seconds = Math.round((file.endTime - file.startTime) / 100) / 10;
      durations[relative] = Math.max(durations[relative] ?? 0, seconds);
    }
  }
  return Object.fromEntries(Object.entries(durations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
