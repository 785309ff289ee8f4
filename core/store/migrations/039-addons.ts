/**
 * Issue 21, add-ons (addons/README.md): one row per add-on of an app. `settings` holds what the
 * provider needs to describe and deprovision it (e.g. the Redis ACL user, the extensions it
 * enabled); `sealed_secret` its password, sealed (core/secrets.ts); `env` the names of the config
 * vars it bound, so destroying it unsets exactly those. Rows go with their app (ON DELETE
 * CASCADE), after AppService.destroy has deprovisioned them.
 */
import type { Migration } from './migration.js';

export const m039: Migration = {
  version: 39,
  name: 'addons',
  sql: `
      CREATE TABLE addons (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        kind text NOT NULL,
        name text NOT NULL UNIQUE,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        sealed_secret text,
        env text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (app_id, kind)
      );
    `,
};
