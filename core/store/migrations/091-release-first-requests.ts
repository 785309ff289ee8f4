/**
 * Issue 18, deploy traces: the first request the embedded router relayed from an instance of
 * each release (router/tracing/first-request.ts), kept per app and release version rather than
 * per deployment, because the router may serve it before the deployment is marked succeeded and
 * given its release. A deployment's phases show it as `first-request` (core/store/deployment-phases.ts).
 * Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m091: Migration = {
  version: 91,
  name: 'release first requests',
  sql: `
      CREATE TABLE release_first_requests (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        release_version integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        PRIMARY KEY (app_id, release_version)
      );
    `,
};
