/**
 * Issue 20, plans: which plan (billing/plans.ts) each team is on. A team without a row has no
 * quotas. Plans themselves are data in code, so a price or quota change is a reviewed commit.
 */
import type { Migration } from './migration.js';

export const m063: Migration = {
  version: 63,
  name: 'team plans',
  sql: `
      CREATE TABLE team_plans (
        team_id integer PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
        plan text NOT NULL,
        since timestamptz NOT NULL DEFAULT now()
      );
    `,
};
