/** The first schema: apps, deployments and their logs, releases, config vars, formation, tokens. */
import type { Migration } from './migration.js';

export const m001: Migration = {
  version: 1,
  name: 'apps, deployments, releases',
  sql: `
      CREATE TABLE apps (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        deploy_branch text NOT NULL DEFAULT 'main',
        current_release integer,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE deployments (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        ref text NOT NULL,
        sha text NOT NULL,
        base_sha text,
        trigger text NOT NULL DEFAULT 'push',
        state text NOT NULL DEFAULT 'queued',
        reason text,
        release_version integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deployments_app_idx ON deployments (app_id, id DESC);
      CREATE TABLE deployment_logs (
        deployment_id integer NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        line text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (deployment_id, seq)
      );
      CREATE TABLE releases (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        version integer NOT NULL,
        deployment_id integer REFERENCES deployments(id) ON DELETE SET NULL,
        sha text,
        artifact jsonb NOT NULL,
        config jsonb NOT NULL DEFAULT '{}',
        description text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (app_id, version)
      );
      CREATE TABLE config_vars (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        key text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (app_id, key)
      );
      CREATE TABLE formation (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        process_type text NOT NULL,
        replicas integer NOT NULL CHECK (replicas >= 0),
        size text NOT NULL DEFAULT 'standard',
        PRIMARY KEY (app_id, process_type)
      );
      CREATE TABLE tokens (
        id serial PRIMARY KEY,
        name text NOT NULL,
        hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
