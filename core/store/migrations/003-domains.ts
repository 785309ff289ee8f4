/** Reserved for custom domains and certificates (issue 5). Fill in `sql`; never edit it once it has landed. */
import type { Migration } from './migration.js';

export const m003: Migration = {
  version: 3,
  name: 'domains',
  sql: '',
};
