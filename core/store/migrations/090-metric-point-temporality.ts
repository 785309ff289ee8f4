/**
 * Issue 18, reading the apps' own metric points back (telemetry/metrics/custom.ts): whether a
 * sum or histogram point is cumulative or a delta (OTLP's aggregationTemporality) and whether a
 * sum only goes up (isMonotonic), so a counter is read as a rate and an up-down counter as a
 * value. Rows written before this have neither and are read as Prometheus counters are
 * (cumulative, monotonic). Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m090: Migration = {
  version: 90,
  name: 'metric point temporality',
  sql: `
      ALTER TABLE app_metric_points ADD COLUMN temporality text CHECK (temporality IN ('cumulative', 'delta'));
      ALTER TABLE app_metric_points ADD COLUMN monotonic boolean;
    `,
};
