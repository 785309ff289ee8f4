/**
 * Issue 16, the app backend (backend/README.md): one row per project whose backend is enabled,
 * an app or one of its previews (each preview has its own keys). The JWT secret, the private
 * signing key and the service-role key are sealed (core/secrets.ts); the anon key is public by
 * design (it ships in browsers) and stored as it is. Versioned 16 after the issue, so the
 * number does not collide with migrations other work adds meanwhile.
 */
import type { Migration } from './migration.js';

export const m016: Migration = {
  version: 16,
  name: 'backend projects',
  sql: `
      CREATE TABLE backend_projects (
        app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        sealed_jwt_secret text NOT NULL,
        sealed_signing_key text NOT NULL,
        anon_key text NOT NULL,
        sealed_service_role_key text NOT NULL,
        keyless_anon boolean NOT NULL DEFAULT false,
        auth_settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        provisioned_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
