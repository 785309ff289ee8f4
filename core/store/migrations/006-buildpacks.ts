/** Reserved for buildpack build state (issue 3). Fill in `sql`; never edit it once it has landed. */
import type { Migration } from './migration.js';

export const m006: Migration = {
  version: 6,
  name: 'buildpacks',
  sql: '',
};
