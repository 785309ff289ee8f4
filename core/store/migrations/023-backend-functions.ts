/**
 * Issue 17, the backend's Functions (backend/functions/README.md): the deployed version of each
 * function of a project with its counters, and the lines its workers logged. Bundles live on
 * disk under DEVFLOW_HOME (one folder per version); these rows say which version is live.
 */
import type { Migration } from './migration.js';

export const m023: Migration = {
  version: 23,
  name: 'backend functions',
  sql: `
      CREATE TABLE backend_functions (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name text NOT NULL,
        version integer NOT NULL,
        verify_jwt boolean NOT NULL DEFAULT true,
        invocations bigint NOT NULL DEFAULT 0,
        errors bigint NOT NULL DEFAULT 0,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app_id, name)
      );
      CREATE TABLE backend_function_logs (
        id bigserial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name text NOT NULL,
        version integer NOT NULL,
        invocation text,
        stream text NOT NULL,
        line text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX backend_function_logs_by_function ON backend_function_logs (app_id, name, id);
    `,
};
