/**
 * Add-ons and previews (issue 21 with issue 6): whether the app's previews may use this add-on
 * as the app does (`addons:create … --share-with-previews`). Off by default: a preview gets its
 * own add-on where DevFlow runs it (redis) and none of the app's connection variables where it
 * does not (a server the user named), so a preview never writes into production's data.
 */
import type { Migration } from './migration.js';

export const m079: Migration = {
  version: 79,
  name: 'addon-previews',
  sql: `
      ALTER TABLE addons ADD COLUMN share_with_previews boolean NOT NULL DEFAULT false;
    `,
};
