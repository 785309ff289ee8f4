/**
 * The control-plane row of an app's Stripe connection (migration 070): both secrets sealed
 * with the platform key (core/secrets.ts), their masked forms beside them so that showing the
 * connection never opens a secret.
 */
import { openSecret, sealSecret, type SecretKey } from '../../core/secrets.js';
import type { Sql } from '../../core/store/database.js';
import { maskSecret, type StripeCredentials } from './keys.js';

/** What `GET /apps/{app}/stripe` shows: never a secret, only its masked form. */
export interface StripeConnectionView {
  app: string;
  connected: boolean;
  secretKey: string | null;
  webhookSecret: string | null;
  livemode: boolean | null;
  connectedAt: string | null;
  /** Where Stripe must send the app's events (the backend's URL + /stripe/v1/webhook). */
  webhookUrl: string;
}

interface Row {
  app_id: number;
  sealed_secret_key: string;
  sealed_webhook_secret: string;
  secret_key_masked: string;
  webhook_secret_masked: string;
  livemode: boolean;
  connected_at: Date;
}

export interface StoredConnection {
  appId: number;
  masked: { secretKey: string; webhookSecret: string };
  livemode: boolean;
  connectedAt: Date;
}

export async function saveConnection(sql: Sql, key: SecretKey, appId: number, credentials: StripeCredentials): Promise<void> {
  const row = {
    app_id: appId,
    sealed_secret_key: sealSecret(key, credentials.secretKey),
    sealed_webhook_secret: sealSecret(key, credentials.webhookSecret),
    secret_key_masked: maskSecret(credentials.secretKey),
    webhook_secret_masked: maskSecret(credentials.webhookSecret),
    livemode: credentials.livemode,
  };
  await sql`
    INSERT INTO app_stripe ${sql(row)}
    ON CONFLICT (app_id) DO UPDATE SET sealed_secret_key = EXCLUDED.sealed_secret_key,
      sealed_webhook_secret = EXCLUDED.sealed_webhook_secret, secret_key_masked = EXCLUDED.secret_key_masked,
      webhook_secret_masked = EXCLUDED.webhook_secret_masked, livemode = EXCLUDED.livemode, connected_at = now()`;
}

export async function findConnection(sql: Sql, appId: number): Promise<StoredConnection | undefined> {
  const [row] = await sql<Row[]>`SELECT * FROM app_stripe WHERE app_id = ${appId}`;
  return row && {
    appId: row.app_id,
    masked: { secretKey: row.secret_key_masked, webhookSecret: row.webhook_secret_masked },
    livemode: row.livemode,
    connectedAt: row.connected_at,
  };
}

/** The opened secrets, for a call to Stripe or a signature check; undefined when not connected. */
export async function openConnection(sql: Sql, key: SecretKey, appId: number): Promise<StripeCredentials | undefined> {
  const [row] = await sql<Row[]>`SELECT * FROM app_stripe WHERE app_id = ${appId}`;
  return row && {
    secretKey: openSecret(key, row.sealed_secret_key),
    webhookSecret: openSecret(key, row.sealed_webhook_secret),
    livemode: row.livemode,
  };
}

export async function deleteConnection(sql: Sql, appId: number): Promise<boolean> {
  const rows = await sql`DELETE FROM app_stripe WHERE app_id = ${appId} RETURNING app_id`;
  return rows.length > 0;
}

/** The apps whose customers the outbox worker keeps in step (their names open their databases). */
export async function listConnectedApps(sql: Sql): Promise<Array<{ appId: number; name: string }>> {
  const rows = await sql<{ id: number; name: string }[]>`
    SELECT a.id, a.name FROM app_stripe s JOIN apps a ON a.id = s.app_id ORDER BY a.id`;
  return rows.map((r) => ({ appId: r.id, name: r.name }));
}
