/**
 * Issue 18, error grouping (telemetry/errors/): one row per app and exception fingerprint, with
 * how often and when it was seen, the releases it was seen in and the latest sample; and the
 * positions of telemetry's readers of the runtime log (the error scanner), so a restarted
 * DevFlow neither counts an exception twice nor misses one. Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m030: Migration = {
  version: 30,
  name: 'error groups',
  sql: `
      CREATE TABLE error_groups (
        id bigserial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        fingerprint text NOT NULL,
        type text NOT NULL,
        message text NOT NULL,
        sample_stack text NOT NULL,
        count bigint NOT NULL DEFAULT 1,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        first_release integer,
        last_release integer,
        UNIQUE (app_id, fingerprint)
      );
      CREATE INDEX error_groups_recent_idx ON error_groups (app_id, last_seen DESC);
      CREATE TABLE telemetry_log_readers (
        name text PRIMARY KEY,
        last_id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
