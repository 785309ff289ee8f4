/**
 * Issue 4, "listing shows who/what/when": a deployment records the token that asked for it (the
 * git push's or the API call's), and its release takes that name as its actor. Deployments made
 * before this column existed have none.
 */
import type { Migration } from './migration.js';

export const m008: Migration = {
  version: 8,
  name: 'deployment actor',
  sql: `ALTER TABLE deployments ADD COLUMN actor text;`,
};
