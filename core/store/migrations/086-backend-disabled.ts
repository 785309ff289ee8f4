/**
 * A backend can be turned off without losing it (issue 17, `devflow backend:disable`): the
 * project stops being served and its replication slots go, while its database, users, files,
 * functions and keys stay for `backend:enable` to bring back. Null: enabled.
 */
import type { Migration } from './migration.js';

export const m086: Migration = {
  version: 86,
  name: 'backend-disabled',
  sql: `
      ALTER TABLE backend_projects ADD COLUMN disabled_at timestamptz;
    `,
};
