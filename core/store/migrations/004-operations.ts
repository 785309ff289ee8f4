/** Reserved for scoped tokens, runtime logs (issue 7). Fill in `sql`; never edit it once it has landed. */
import type { Migration } from './migration.js';

export const m004: Migration = {
  version: 4,
  name: 'operations',
  sql: '',
};
