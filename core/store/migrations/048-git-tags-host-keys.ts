/**
 * Issue 22, what session 7 left: tag deploys (a glob such as `v*` whose tag pushes deploy, and
 * whether pushes to the deploy branch still do) and the ssh host keys a connection pins (the
 * known_hosts lines fetches check the host against; learned on the first fetch when not given).
 */
import type { Migration } from './migration.js';

export const m048: Migration = {
  version: 48,
  name: 'git tag deploys and pinned host keys',
  sql: `
    ALTER TABLE git_connections
      ADD COLUMN tag_pattern text,
      ADD COLUMN branch_deploys boolean NOT NULL DEFAULT true,
      ADD COLUMN known_hosts text;
  `,
};
