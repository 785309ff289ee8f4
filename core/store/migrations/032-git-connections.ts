/**
 * Issue 22, deploys from a git host: an app's connected repository (URL, deploy branch, base
 * directory, sealed credentials: an access token or the private half of a deploy key), the
 * webhook deliveries it received (a delivery id is applied once; the dashboard shows the last
 * ones with their result) and the one preview comment per pull request, updated in place.
 */
import type { Migration } from './migration.js';

export const m032: Migration = {
  version: 32,
  name: 'git connections',
  sql: `
    CREATE TABLE git_connections (
      app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
      url text NOT NULL,
      branch text NOT NULL,
      base_dir text,
      provider text CHECK (provider IN ('github', 'gitea', 'gitlab')),
      api_url text,
      sealed_token text,
      deploy_public_key text,
      sealed_deploy_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE git_deliveries (
      id bigserial PRIMARY KEY,
      app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      delivery_id text NOT NULL,
      provider text NOT NULL,
      event text NOT NULL,
      ref text,
      sha text,
      result text NOT NULL CHECK (result IN ('ignored', 'deploying', 'deployed', 'failed', 'superseded')),
      detail text NOT NULL DEFAULT '',
      deployment_id integer REFERENCES deployments(id) ON DELETE SET NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (app_id, delivery_id)
    );
    CREATE INDEX git_deliveries_recent ON git_deliveries (app_id, id DESC);
    CREATE TABLE git_pr_comments (
      app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      pr_number integer NOT NULL,
      comment_id text NOT NULL,
      PRIMARY KEY (app_id, pr_number)
    );
  `,
};
