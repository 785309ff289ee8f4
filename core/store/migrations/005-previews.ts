/** Reserved for preview environments (issue 6). Fill in `sql`; never edit it once it has landed. */
import type { Migration } from './migration.js';

export const m005: Migration = {
  version: 5,
  name: 'previews',
  sql: '',
};
