/**
 * Issue 17, backend functions: a digest of each live version's files and settings, so a release
 * whose pushed functions did not change keeps their versions (and their warm workers).
 */
import type { Migration } from './migration.js';

export const m024: Migration = {
  version: 24,
  name: 'backend function digests',
  sql: `ALTER TABLE backend_functions ADD COLUMN source_digest text;`,
};
