/**
 * Issue 4, release management: who made each release and whether it went live, which builds
 * were removed by retention, and the crash record of each process slot. Never edit this once
 * it has landed; add a new migration.
 */
import type { Migration } from './migration.js';

export const m002: Migration = {
  version: 2,
  name: 'scheduler',
  sql: `
      ALTER TABLE releases ADD COLUMN actor text NOT NULL DEFAULT 'admin';
      -- Releases made before this migration went live, so they count as succeeded.
      ALTER TABLE releases ADD COLUMN state text NOT NULL DEFAULT 'succeeded'
        CHECK (state IN ('pending', 'succeeded', 'failed'));
      ALTER TABLE releases ADD COLUMN failure_reason text;
      ALTER TABLE releases ADD COLUMN artifact_removed_at timestamptz;
      CREATE TABLE process_crashes (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        release integer NOT NULL,
        process_type text NOT NULL,
        slot integer NOT NULL,
        exits integer NOT NULL,
        first_exit_at timestamptz NOT NULL,
        last_exit_at timestamptz NOT NULL,
        restart_at timestamptz NOT NULL,
        last_lines jsonb NOT NULL DEFAULT '[]',
        PRIMARY KEY (app_id, process_type, slot)
      );
    `,
};
