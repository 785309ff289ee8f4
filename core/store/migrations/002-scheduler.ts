/** Reserved for releases, formation sizes, app databases (issue 4). Fill in `sql`; never edit it once it has landed. */
import type { Migration } from './migration.js';

export const m002: Migration = {
  version: 2,
  name: 'scheduler',
  sql: '',
};
