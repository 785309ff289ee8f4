/**
 * Issue 20, more usage sources: the router's requests and egress bytes per app and hour (added
 * to as the meter flushes its counters), and each app's database and storage bytes sampled once
 * an hour. Every usage row carries the app's team when it was recorded, so a team's rollup
 * still counts an app that was destroyed since (its use is still owed), like the intervals.
 */
import type { Migration } from './migration.js';

export const m062: Migration = {
  version: 62,
  name: 'usage traffic and sizes',
  sql: `
      ALTER TABLE usage_instances ADD COLUMN team_id integer;
      UPDATE usage_instances u SET team_id = a.team_id FROM apps a WHERE a.id = u.app_id;
      CREATE INDEX usage_instances_by_team ON usage_instances (team_id, started_at);
      CREATE TABLE usage_traffic (
        app_id integer NOT NULL,
        app text NOT NULL,
        team_id integer,
        hour timestamptz NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        egress_bytes bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (app_id, hour)
      );
      CREATE INDEX usage_traffic_by_team ON usage_traffic (team_id, hour);
      CREATE TABLE usage_sizes (
        app_id integer NOT NULL,
        app text NOT NULL,
        team_id integer,
        hour timestamptz NOT NULL,
        database_bytes bigint,
        storage_bytes bigint,
        PRIMARY KEY (app_id, hour)
      );
      CREATE INDEX usage_sizes_by_team ON usage_sizes (team_id, hour);
    `,
};
