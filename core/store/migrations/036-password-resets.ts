/**
 * Issue 19, password reset (accounts/password-reset.ts): one-time codes mailed to a person,
 * stored as SHA-256 hashes, valid for an hour and spent on use.
 */
import type { Migration } from './migration.js';

export const m036: Migration = {
  version: 36,
  name: 'accounts: password resets',
  sql: `
      CREATE TABLE password_resets (
        code_hash text PRIMARY KEY,
        person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
