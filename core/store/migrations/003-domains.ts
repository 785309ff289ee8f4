/**
 * Custom domains and certificates (issue 5). A domain belongs to one app; a certificate covers
 * one host name or one `*.` wildcard and keeps its ACME state, its expiry and its key sealed
 * with DEVFLOW_HOME/secret-key (core/secrets.ts). Never edit this once it has landed.
 */
import type { Migration } from './migration.js';

export const m003: Migration = {
  version: 3,
  name: 'domains',
  sql: `
      CREATE TABLE domains (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX domains_app_idx ON domains (app_id);
      CREATE TABLE certificates (
        name text PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('acme', 'self-signed', 'operator')),
        state text NOT NULL CHECK (state IN ('pending', 'issued', 'failed')),
        reason text,
        cert_pem text,
        key_sealed text,
        not_after timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE acme_accounts (
        directory_url text PRIMARY KEY,
        key_sealed text NOT NULL,
        account_url text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE apps ADD COLUMN https_redirect boolean NOT NULL DEFAULT false;
    `,
};
