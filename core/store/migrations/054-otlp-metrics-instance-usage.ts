/**
 * Issue 18, the rest of the metrics store (telemetry/metrics/): the data points apps send over
 * OTLP (`/v1/metrics`: gauges, sums, histograms as count and sum), one row per point, with the
 * point's and the instance's attributes; and each running instance's CPU and memory, sampled
 * once a minute from the runtime (cgroups, the engine's stats). Both are kept a day, pruned by
 * the metrics rollup; the per-process-type CPU and memory of app_metrics (031) are folded from
 * the instance rows. Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m054: Migration = {
  version: 54,
  name: 'otlp metrics and instance usage',
  sql: `
      CREATE TABLE app_metric_points (
        id bigserial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('gauge', 'sum', 'histogram', 'summary', 'exponential_histogram')),
        unit text NOT NULL DEFAULT '',
        attributes jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL,
        value double precision,
        count bigint
      );
      CREATE INDEX app_metric_points_app_name_at_idx ON app_metric_points (app_id, name, at);
      CREATE INDEX app_metric_points_at_idx ON app_metric_points (at);
      CREATE TABLE instance_usage (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        instance text NOT NULL,
        process_type text NOT NULL,
        at timestamptz NOT NULL,
        cpu_percent double precision,
        memory_mb double precision,
        PRIMARY KEY (app_id, instance, at)
      );
      CREATE INDEX instance_usage_at_idx ON instance_usage (at);
    `,
};
