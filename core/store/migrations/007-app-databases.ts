/**
 * Issue 4, DATABASE_URL: one database and role per app on the platform PostgreSQL. The
 * password is stored sealed (core/secrets.ts), never in plaintext.
 */
import type { Migration } from './migration.js';

export const m007: Migration = {
  version: 7,
  name: 'app databases',
  sql: `
      CREATE TABLE app_databases (
        app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        database text NOT NULL,
        role text NOT NULL,
        sealed_password text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
