/**
 * Issue 18, metrics: restarts per app, process type and minute (the supervisor's recorded exits,
 * each followed by a restart) beside the router's figures in app_metrics; and each app's own
 * database (connections, size, cache hit ratio) sampled each minute, rolled up by hour like
 * app_metrics and kept as long. Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m083: Migration = {
  version: 83,
  name: 'metrics-restarts-databases',
  sql: `
      ALTER TABLE app_metrics ADD COLUMN restarts integer NOT NULL DEFAULT 0;
      CREATE TABLE app_database_metrics (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        resolution text NOT NULL CHECK (resolution IN ('1m', '1h')),
        at timestamptz NOT NULL,
        connections double precision NOT NULL,
        size_bytes bigint NOT NULL,
        cache_hit_ratio double precision,
        PRIMARY KEY (app_id, resolution, at)
      );
      CREATE INDEX app_database_metrics_age_idx ON app_database_metrics (resolution, at);
    `,
};
