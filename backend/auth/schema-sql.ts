/**
 * The `auth` schema's tables, shaped as Supabase Auth (GoTrue) creates them, so SQL written for
 * Supabase works unchanged: `REFERENCES auth.users(id) ON DELETE CASCADE`, triggers on
 * auth.users that copy `raw_user_meta_data` into a profiles table, policies on `auth.uid()`.
 * Column names, types and the generated `confirmed_at` follow GoTrue's migrations; only what
 * this service reads and writes is here (no SAML, SSO, MFA factors or audit log yet).
 *
 * Run after provision-sql.ts's projectDatabaseSql (which creates the schema), by a superuser or
 * the database owner, connected to the project's database. Every statement is idempotent.
 */
import { quoteIdent } from '../provision-sql.js';

const TABLES = ['users', 'identities', 'sessions', 'refresh_tokens', 'one_time_tokens', 'flow_state', 'mfa_amr_claims'];

function enumSql(name: string, labels: string[]): string {
  const list = labels.map((l) => `'${l}'`).join(', ');
  return `DO $$ BEGIN CREATE TYPE auth.${name} AS ENUM (${list});
    EXCEPTION WHEN duplicate_object THEN NULL; END $$`;
}

export function authSchemaSql(owner: string): string[] {
  const o = quoteIdent(owner);
  return [
    `CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION ${o}`,
    enumSql('aal_level', ['aal1', 'aal2', 'aal3']),
    enumSql('code_challenge_method', ['s256', 'plain']),
    enumSql('one_time_token_type', ['confirmation_token', 'reauthentication_token', 'recovery_token',
      'email_change_token_new', 'email_change_token_current', 'phone_change_token']),
    `CREATE TABLE IF NOT EXISTS auth.users (
      instance_id uuid,
      id uuid PRIMARY KEY,
      aud varchar(255),
      role varchar(255),
      email varchar(255),
      encrypted_password varchar(255),
      email_confirmed_at timestamptz,
      invited_at timestamptz,
      confirmation_token varchar(255),
      confirmation_sent_at timestamptz,
      recovery_token varchar(255),
      recovery_sent_at timestamptz,
      email_change_token_new varchar(255),
      email_change varchar(255),
      email_change_sent_at timestamptz,
      last_sign_in_at timestamptz,
      raw_app_meta_data jsonb,
      raw_user_meta_data jsonb,
      is_super_admin boolean,
      created_at timestamptz,
      updated_at timestamptz,
      phone text UNIQUE DEFAULT NULL,
      phone_confirmed_at timestamptz,
      phone_change text DEFAULT '',
      phone_change_token varchar(255) DEFAULT '',
      phone_change_sent_at timestamptz,
      confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
      email_change_token_current varchar(255) DEFAULT '',
      email_change_confirm_status smallint DEFAULT 0 CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
      banned_until timestamptz,
      reauthentication_token varchar(255) DEFAULT '',
      reauthentication_sent_at timestamptz,
      is_sso_user boolean NOT NULL DEFAULT false,
      deleted_at timestamptz,
      is_anonymous boolean NOT NULL DEFAULT false
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE is_sso_user = false`,
    `CREATE INDEX IF NOT EXISTS users_is_anonymous_idx ON auth.users (is_anonymous)`,
    `CREATE TABLE IF NOT EXISTS auth.identities (
      provider_id text NOT NULL,
      user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
      identity_data jsonb NOT NULL,
      provider text NOT NULL,
      last_sign_in_at timestamptz,
      created_at timestamptz,
      updated_at timestamptz,
      email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider)
    )`,
    `CREATE INDEX IF NOT EXISTS identities_user_id_idx ON auth.identities (user_id)`,
    `CREATE TABLE IF NOT EXISTS auth.sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
      created_at timestamptz,
      updated_at timestamptz,
      factor_id uuid,
      aal auth.aal_level,
      not_after timestamptz,
      refreshed_at timestamp,
      user_agent text,
      ip inet,
      tag text
    )`,
    `CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON auth.sessions (user_id)`,
    `CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
      instance_id uuid,
      id bigserial PRIMARY KEY,
      token varchar(255) UNIQUE,
      user_id varchar(255),
      revoked boolean,
      created_at timestamptz,
      updated_at timestamptz,
      parent varchar(255),
      session_id uuid REFERENCES auth.sessions (id) ON DELETE CASCADE
    )`,
    `CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_revoked_idx ON auth.refresh_tokens (session_id, revoked)`,
    `CREATE INDEX IF NOT EXISTS refresh_tokens_parent_idx ON auth.refresh_tokens (parent)`,
    `CREATE TABLE IF NOT EXISTS auth.one_time_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
      token_type auth.one_time_token_type NOT NULL,
      token_hash text NOT NULL CHECK (char_length(token_hash) > 0),
      relates_to text NOT NULL,
      created_at timestamp NOT NULL DEFAULT now(),
      updated_at timestamp NOT NULL DEFAULT now(),
      UNIQUE (user_id, token_type)
    )`,
    `CREATE INDEX IF NOT EXISTS one_time_tokens_token_hash_hash_idx ON auth.one_time_tokens USING hash (token_hash)`,
    `CREATE TABLE IF NOT EXISTS auth.flow_state (
      id uuid PRIMARY KEY,
      user_id uuid,
      auth_code text NOT NULL,
      code_challenge_method auth.code_challenge_method NOT NULL,
      code_challenge text NOT NULL,
      provider_type text NOT NULL,
      provider_access_token text,
      provider_refresh_token text,
      created_at timestamptz,
      updated_at timestamptz,
      authentication_method text NOT NULL,
      auth_code_issued_at timestamptz
    )`,
    `CREATE INDEX IF NOT EXISTS idx_auth_code ON auth.flow_state (auth_code)`,
    `CREATE TABLE IF NOT EXISTS auth.mfa_amr_claims (
      session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      authentication_method text NOT NULL,
      id uuid PRIMARY KEY,
      CONSTRAINT mfa_amr_claims_session_id_authentication_method_pkey UNIQUE (session_id, authentication_method)
    )`,
    ...TABLES.map((t) => `ALTER TABLE auth.${t} OWNER TO ${o}`),
    // Supabase's request roles see nothing of auth's tables (they reach users only through
    // this API); the owner, which serves this API, owns them.
    `REVOKE ALL ON ${TABLES.map((t) => `auth.${t}`).join(', ')} FROM anon, authenticated`,
  ];
}
