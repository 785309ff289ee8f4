/**
 * Issue 17, the database studio: each operator's SQL editor history per app (what they ran,
 * whether it worked, when). Kept to the newest 50 per person and app by the store.
 */
import type { Migration } from './migration.js';

export const m046: Migration = {
  version: 46,
  name: 'studio queries',
  sql: `
      CREATE TABLE studio_queries (
        id bigserial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        actor text NOT NULL,
        sql text NOT NULL,
        ok boolean NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX studio_queries_by_actor ON studio_queries (app_id, actor, id DESC);
    `,
};
