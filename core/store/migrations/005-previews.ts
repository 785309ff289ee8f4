/**
 * Issue 6, previews: a preview is a child app (its own releases, instances and database),
 * linked to its parent and reachable at <slug>.<parent>.<domain>.
 */
import type { Migration } from './migration.js';

export const m005: Migration = {
  version: 5,
  name: 'previews',
  sql: `
    ALTER TABLE apps ADD COLUMN parent_id integer REFERENCES apps(id) ON DELETE CASCADE;
    CREATE TABLE previews (
      app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
      parent_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      slug text NOT NULL,
      source text NOT NULL CHECK (source IN ('branch', 'pull_request')),
      source_ref text NOT NULL,
      last_activity_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (parent_id, slug)
    );
    CREATE TABLE preview_settings (
      app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
      sealed_webhook_secret text,
      config_overrides jsonb NOT NULL DEFAULT '{}'
    );
  `,
};
