/**
 * Issue 21, point-in-time recovery (addons/pitr/): base backups of the platform PostgreSQL
 * (pg_basebackup, one folder each under DEVFLOW_HOME/basebackups/) and restores of one app's
 * database to a time, each into a new database that waits to be promoted or discarded.
 */
import type { Migration } from './migration.js';

export const m073: Migration = {
  version: 73,
  name: 'pitr',
  sql: `
      CREATE TABLE pg_basebackups (
        id serial PRIMARY KEY,
        label text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('manual', 'scheduled')),
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'succeeded', 'failed')),
        dir text NOT NULL,
        timeline integer,
        start_lsn text,
        start_wal text,
        bytes bigint,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE TABLE pg_pitr_restores (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        number integer NOT NULL,
        target_time timestamptz NOT NULL,
        base_backup text NOT NULL,
        database text NOT NULL,
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'ready', 'failed', 'promoted', 'discarded')),
        error text,
        safety_backup text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (app_id, number)
      );
    `,
};
