/**
 * Issue 21, scheduled jobs: app.json `cron` entries (Dokku's shape) as read at the app's latest
 * release. `job` is a stable name for an entry (its position and command), `last_planned_at`
 * the latest scheduled time the cron loop dealt with (ran, or reported as missed), so a
 * restarted DevFlow knows which runs fell in the time it was down.
 */
import type { Migration } from './migration.js';

export const m041: Migration = {
  version: 41,
  name: 'cron jobs',
  sql: `
      CREATE TABLE cron_jobs (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        job text NOT NULL,
        command text NOT NULL,
        schedule text NOT NULL,
        release integer NOT NULL,
        last_planned_at timestamptz NOT NULL DEFAULT now(),
        missed integer NOT NULL DEFAULT 0,
        last_missed_at timestamptz,
        PRIMARY KEY (app_id, job)
      );
    `,
};
