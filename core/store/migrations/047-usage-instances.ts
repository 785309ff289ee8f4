/**
 * Issue 20, metering: one row per instance (and one-off run) from the moment its runtime started
 * it to the moment it was stopped, with the size it ran at. Rows name the app by id and name
 * without a foreign key: what an app used stays on record after the app is destroyed, since it
 * is still owed. `last_seen_at` is moved on while DevFlow sees the instance, so an interval left
 * open by a crash of DevFlow is closed where it was last seen, not when DevFlow came back.
 */
import type { Migration } from './migration.js';

export const m047: Migration = {
  version: 47,
  name: 'usage instances',
  sql: `
      CREATE TABLE usage_instances (
        id bigserial PRIMARY KEY,
        instance_id text NOT NULL,
        app_id integer NOT NULL,
        app text NOT NULL,
        process_type text NOT NULL,
        one_off boolean NOT NULL DEFAULT false,
        size text NOT NULL,
        memory_mb integer,
        cpus real,
        runtime text NOT NULL,
        started_at timestamptz NOT NULL,
        stopped_at timestamptz,
        last_seen_at timestamptz NOT NULL,
        CHECK (stopped_at IS NULL OR stopped_at >= started_at)
      );
      CREATE UNIQUE INDEX usage_instances_open ON usage_instances (instance_id) WHERE stopped_at IS NULL;
      CREATE INDEX usage_instances_by_app ON usage_instances (app_id, started_at);
    `,
};
