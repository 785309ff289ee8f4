/**
 * Issue 21, `pg:backups`: logical backups of an app's database (pg_dump's custom format), one
 * file each under DEVFLOW_HOME/backups/<app>/, numbered per app (b001, b002, …). The checksum
 * is taken as the file is written and checked before any restore reads it.
 */
import type { Migration } from './migration.js';

export const m066: Migration = {
  version: 66,
  name: 'pg backups',
  sql: `
      CREATE TABLE pg_backups (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        number integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('manual', 'scheduled', 'safety')),
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'succeeded', 'failed')),
        source_database text NOT NULL,
        file text NOT NULL,
        bytes bigint,
        sha256 text,
        error text,
        note text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (app_id, number)
      );
    `,
};
