/**
 * Operations (issue 7): who made each API token and when it was last used; runtime logs of
 * every instance, kept in the store so they outlive instances, redeploys and DevFlow restarts;
 * the collector's per-instance read positions. Never edit once landed; add a new migration.
 */
import type { Migration } from './migration.js';

export const m004: Migration = {
  version: 4,
  name: 'operations',
  sql: `
      ALTER TABLE tokens ADD COLUMN last_used_at timestamptz;
      CREATE TABLE runtime_logs (
        id bigserial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        instance text NOT NULL,
        process_type text NOT NULL,
        release integer NOT NULL,
        line text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX runtime_logs_app_idx ON runtime_logs (app_id, id);
      CREATE INDEX runtime_logs_at_idx ON runtime_logs (at);
      CREATE TABLE runtime_log_cursors (
        instance text PRIMARY KEY,
        position text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
