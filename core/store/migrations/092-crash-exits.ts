/**
 * DEVFLOW_MAX_RESTARTS (scheduler/crash-loop.ts): each crash record keeps the exits at which its
 * slot counts as crashed, decided when the exit was recorded, so that `ps`, the router and the
 * alerts read it from the row. Rows made before: 3, the fixed threshold they were counted by.
 */
import type { Migration } from './migration.js';

export const m092: Migration = {
  version: 92,
  name: 'crash-exits',
  sql: `
      ALTER TABLE process_crashes ADD COLUMN crash_exits integer NOT NULL DEFAULT 3;
    `,
};
