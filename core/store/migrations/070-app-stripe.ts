/**
 * Issue 20, "Stripe for apps" (backend/stripe/): an app's own Stripe account, connected with
 * `devflow stripe:connect`. The secret key and the webhook signing secret are sealed with the
 * platform key (core/secrets.ts); the masked forms (`sk_test_…abcd`) are what the API shows.
 */
import type { Migration } from './migration.js';

export const m070: Migration = {
  version: 70,
  name: 'app stripe',
  sql: `
      CREATE TABLE app_stripe (
        app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        sealed_secret_key text NOT NULL,
        sealed_webhook_secret text NOT NULL,
        secret_key_masked text NOT NULL,
        webhook_secret_masked text NOT NULL,
        livemode boolean NOT NULL,
        connected_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};
