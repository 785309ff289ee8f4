/**
 * Issue 18, error grouping: the trace an error group's latest traced occurrence belongs to. An
 * exception sent as an OpenTelemetry span event carries its trace id; one found in stderr does
 * not (its sample is still looked up near its time). Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m082: Migration = {
  version: 82,
  name: 'error-sample-traces',
  sql: `
      ALTER TABLE error_groups ADD COLUMN sample_trace_id text;
    `,
};
