/**
 * Issue 16, the app backend's OAuth providers (backend/oauth-providers.ts): per project and
 * provider, the client id and the client secret (sealed with the platform key, core/secrets.ts,
 * like the project's other secrets), whether it is enabled, and for GitHub the base URL of a
 * GitHub Enterprise Server (GoTrue's GOTRUE_EXTERNAL_GITHUB_URL).
 */
import type { Migration } from './migration.js';

export const m085: Migration = {
  version: 85,
  name: 'backend-oauth-providers',
  sql: `
      CREATE TABLE backend_oauth_providers (
        app_id integer NOT NULL REFERENCES backend_projects(app_id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider IN ('github', 'google')),
        enabled boolean NOT NULL DEFAULT true,
        client_id text NOT NULL,
        sealed_secret text NOT NULL,
        url text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app_id, provider)
      );
    `,
};
