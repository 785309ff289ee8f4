/**
 * Issue 19, TOTP second factor (accounts/totp.ts, accounts/two-factor.ts; RFC 6238). A person
 * has at most one factor: its secret (needed in clear to compute codes), set when enrolment
 * starts and counted as on once a code confirms it; `last_step` is the newest time step used,
 * so a code cannot be replayed. Recovery codes are stored as SHA-256 hashes and spent once.
 */
import type { Migration } from './migration.js';

export const m060: Migration = {
  version: 60,
  name: 'accounts: TOTP factors and recovery codes',
  sql: `
      CREATE TABLE totp_factors (
        person_id integer PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
        secret text NOT NULL,
        confirmed_at timestamptz,
        last_step bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE recovery_codes (
        person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (person_id, code_hash)
      );
    `,
};
