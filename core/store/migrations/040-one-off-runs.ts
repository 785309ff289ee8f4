/**
 * Issue 21, one-off runs (`devflow run`) and cron runs: one row per run of a command in an app's
 * current release, with its state, exit code and the tail of its output. A cron run names its
 * job (041); `devflow run` leaves it null.
 */
import type { Migration } from './migration.js';

export const m040: Migration = {
  version: 40,
  name: 'one-off runs',
  sql: `
      CREATE TABLE one_off_runs (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        release integer NOT NULL,
        command text NOT NULL,
        state text NOT NULL DEFAULT 'running',
        exit_code integer,
        output text[] NOT NULL DEFAULT '{}',
        detached boolean NOT NULL DEFAULT false,
        cron_job text,
        actor text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE INDEX one_off_runs_app ON one_off_runs (app_id, id DESC);
      CREATE INDEX one_off_runs_cron ON one_off_runs (app_id, cron_job, id DESC) WHERE cron_job IS NOT NULL;
    `,
};
