/**
 * Issue 15, "find where the time goes": each deployment keeps how long each of its phases took
 * (queue, export, build, release phase, start, health, switch, and the retirement of the old
 * instances that goes on after the push returned). Versioned 15 after the issue, so the number
 * does not collide with migrations other work adds meanwhile.
 */
import type { Migration } from './migration.js';

export const m015: Migration = {
  version: 15,
  name: 'deployment phases',
  sql: `
      CREATE TABLE deployment_phases (
        deployment_id integer NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
        phase text NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        PRIMARY KEY (deployment_id, phase)
      );`,
};
