/**
 * backend/stripe: Stripe for an app's own users (issue 20, README.md beside). The backend
 * (backend/index.ts) makes one AppStripe and uses it at three places:
 * - the API's operations (`devflow stripe:connect|stripe|stripe:disconnect`): connect, describe, disconnect;
 * - the gateway's services: `service`, mounted under `/stripe/v1` on every app's backend;
 * - a timer: `syncCustomers()`, one pass over the customer outboxes of the connected apps.
 */
import { DevflowError, InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { SecretKey } from '../../core/secrets.js';
import type { AppRecord } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import type { BackendService } from '../contract.js';
import { stripeClient, stripeErrorType, type StripeApi } from './client.js';
import { parseStripeCredentials, scrubSecrets, type StripeCredentials } from './keys.js';
import { drainOutbox } from './outbox.js';
import { disconnectSql, stripeSchemaSql } from './schema-sql.js';
import { createStripeService } from './service.js';
import { deleteConnection, findConnection, listConnectedApps, openConnection, saveConnection, type StripeConnectionView } from './store.js';

export type { StripeApi } from './client.js';
export type { StripeConnectionView } from './store.js';

export interface AppDatabaseAccess {
  /** The app database's owner role and its URL (core/store/app-databases.ts). */
  owner(appId: number): Promise<{ role: string; url: string } | undefined>;
}

export interface AppStripeDeps {
  sql: Sql;
  secretKey: SecretKey;
  databases: AppDatabaseAccess;
  /** Elsewhere than api.stripe.com: the tests' local stand-in. */
  api?: StripeApi;
  log: (line: string) => void;
}

export interface AppStripe {
  service: BackendService;
  connect(app: AppRecord, input: { secretKey?: unknown; webhookSecret?: unknown }, webhookUrl: string): Promise<StripeConnectionView>;
  describe(app: AppRecord, webhookUrl: string): Promise<StripeConnectionView>;
  disconnect(app: AppRecord, webhookUrl: string): Promise<StripeConnectionView>;
  /** One pass over every connected app's customer outbox; errors are kept on the rows, not thrown. */
  syncCustomers(): Promise<void>;
  close(): Promise<void>;
}

/** Asks Stripe for one customer: the cheapest call that proves the key works and may touch customers. */
async function checkKey(credentials: StripeCredentials, api: StripeApi | undefined): Promise<void> {
  const stripe = await stripeClient(credentials.secretKey, api, 0);
  try {
    await stripe.customers.list({ limit: 1 });
  } catch (err) {
    const message = scrubSecrets(err instanceof Error ? err.message : String(err), [credentials.secretKey]);
    const type = stripeErrorType(err);
    if (type === 'StripeAuthenticationError' || type === 'StripePermissionError') {
      throw new InvalidInputError(`Stripe refused the secret key: ${message}`, { cause: err });
    }
    throw new DevflowError('runtime_unavailable', `the key could not be checked with Stripe: ${message}`, { cause: err });
  }
}

export function createAppStripe(deps: AppStripeDeps): AppStripe {
  const pools = new Map<number, Sql>();
  let syncing: Promise<void> | undefined;

  const ownerPool = async (appId: number): Promise<Sql> => {
    const existing = pools.get(appId);
    if (existing) return existing;
    const owner = await deps.databases.owner(appId);
    if (!owner) throw new DevflowError('internal', `app ${appId} has no database`);
    const pool = connect(owner.url, 1);
    pools.set(appId, pool);
    return pool;
  };

  const runAsOwner = async (appId: number, statements: (role: string) => string[]): Promise<void> => {
    const owner = await deps.databases.owner(appId);
    if (!owner) throw new NotFoundError('the app has no database: enable its backend first');
    const db = connect(owner.url, 1);
    try {
      await db.begin(async (tx) => {
        for (const statement of statements(owner.role)) await tx.unsafe(statement);
      });
    } finally {
      await db.end({ timeout: 5 });
    }
  };

  const view = async (app: AppRecord, webhookUrl: string): Promise<StripeConnectionView> => {
    const row = await findConnection(deps.sql, app.id);
    return {
      app: app.name, connected: row !== undefined, secretKey: row?.masked.secretKey ?? null, webhookSecret: row?.masked.webhookSecret ?? null,
      livemode: row?.livemode ?? null, connectedAt: row?.connectedAt.toISOString() ?? null, webhookUrl,
    };
  };

  const syncApp = async (appId: number, name: string): Promise<void> => {
    const credentials = await openConnection(deps.sql, deps.secretKey, appId);
    if (!credentials) return;
    const secrets = [credentials.secretKey, credentials.webhookSecret];
    const describe = (err: unknown) => scrubSecrets(err instanceof Error ? err.message : String(err), secrets);
    try {
      const result = await drainOutbox(await ownerPool(appId), await stripeClient(credentials.secretKey, deps.api, 0), describe);
      if (result.failed > 0) deps.log(`stripe (${name}): ${result.failed} customer change(s) failed, retried with backoff`);
    } catch (err) {
      deps.log(`stripe (${name}): the customer outbox could not be read: ${describe(err)}`);
    }
  };

  return {
    service: createStripeService({ sql: deps.sql, secretKey: deps.secretKey, api: deps.api, log: deps.log }),

    async connect(app, input, webhookUrl) {
      const credentials = parseStripeCredentials(input);
      await checkKey(credentials, deps.api);
      await runAsOwner(app.id, stripeSchemaSql);
      await saveConnection(deps.sql, deps.secretKey, app.id, credentials);
      return view(app, webhookUrl);
    },

    describe: view,

    async disconnect(app, webhookUrl) {
      if (!(await deleteConnection(deps.sql, app.id))) throw new NotFoundError(`${app.name} has not connected Stripe`);
      await runAsOwner(app.id, disconnectSql);
      await pools.get(app.id)?.end({ timeout: 5 });
      pools.delete(app.id);
      return view(app, webhookUrl);
    },

    syncCustomers() {
      // One pass at a time: a slow Stripe must not pile passes up.
      return (syncing ??= (async () => {
        try {
          for (const app of await listConnectedApps(deps.sql)) await syncApp(app.appId, app.name);
        } finally {
          syncing = undefined;
        }
      })());
    },

    async close() {
      await syncing?.catch(() => undefined);
      await Promise.all([...pools.values()].map((p) => p.end({ timeout: 5 })));
      pools.clear();
    },
  };
}
