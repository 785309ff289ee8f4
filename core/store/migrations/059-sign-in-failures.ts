/**
 * Issue 19, sign-in limits shared by every DevFlow process (accounts/sign-in-limits.ts): one row
 * per failed sign-in (a wrong password, TOTP code or recovery code), keyed by `account:<email>`
 * or `ip:<address>`, timed by the database's clock so that processes on different hosts agree.
 * Rows older than the window are deleted as new failures for the same key arrive.
 */
import type { Migration } from './migration.js';

export const m059: Migration = {
  version: 59,
  name: 'accounts: shared sign-in failure counters',
  sql: `
      CREATE TABLE sign_in_failures (
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX sign_in_failures_key_at ON sign_in_failures (key, at);
    `,
};
