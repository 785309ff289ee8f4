/**
 * For backend/stripe's tests: the app backend in this process (real PostgreSQL, the real Auth
 * service, supabase-js as the client) with Stripe replaced by the local stand-in
 * (tests/support/stripe-standin/), reached through a switchable relay so a test can take
 * "Stripe" down and bring it back, as an outage would.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../core/config.js';
import { parseAppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../../core/store/app-databases.js';
import { createApp, getApp } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import type { TestDatabase } from '../../tests/support/postgres.js';
import { startStripeStandin, type StripeStandin } from '../../tests/support/stripe-standin/index.js';
import { createAuthService } from '../auth/index.js';
import { createBackend, type Backend, type BackendView } from '../index.js';

/** A TCP relay to the stand-in that cuts its connections and refuses new ones while down. */
export interface Relay {
  port: number;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

async function startRelay(target: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const relay: Relay = {
    port: 0,
    setDown(value) {
      down = value;
      // The stripe package keeps connections alive: an outage ends those too.
      if (down) for (const s of sockets) s.destroy();
    },
    close: async () => {},
  };
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.port = (server.address() as AddressInfo).port;
  relay.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return relay;
}

export interface StripeTestBed {
  db: TestDatabase;
  backend: Backend;
  standin: StripeStandin;
  relay: Relay;
  /** Where the backend serves (its path form: `${base}/backend/<app>`). */
  base: string;
  views: Record<string, BackendView>;
  /** Every line DevFlow logged. */
  logged: string[];
  /** A pool on an app's own database as its owner role (what the app's DATABASE_URL gives it). */
  appSql(name: string): Promise<Sql>;
  close(): Promise<void>;
}

/** `given`: a migrated control database (bench/ brings its own); else one on the test run's PostgreSQL. */
export async function startStripeTestBed(apps: string[], given?: TestDatabase): Promise<StripeTestBed> {
  // Imported here: tests/support/postgres.ts needs vitest's runner, which a bench has not.
  const db = given ?? await (await import('../../tests/support/postgres.js')).createTestDatabase();
  const standin = await startStripeStandin();
  const relay = await startRelay(standin.port);
  const secretKey = parseSecretKey('22'.repeat(32));
  const logged: string[] = [];
  const backend = createBackend({
    sql: db.sql, serverUrl: db.url, secretKey, databases: new AppDatabases(db.sql, secretKey),
    config: { ...loadConfig({}), port: 7070, httpsPort: 8443 }, runtime: 'process', docker: undefined,
    log: (line) => logged.push(line),
    services: async () => [createAuthService({ mailer: { send: async () => {} } })],
    stripeApi: { host: '127.0.0.1', port: relay.port, protocol: 'http' },
    stripeSyncMs: 100,
  });
  const views: Record<string, BackendView> = {};
  for (const name of apps) {
    await createApp(db.sql, parseAppName(name));
    views[name] = (await backend.operations.enable(parseAppName(name))).view;
  }
  const databases = new AppDatabases(db.sql, secretKey);
  const pools: Sql[] = [];
  const appSql = async (name: string) => {
    const credentials = (await databases.find((await getApp(db.sql, parseAppName(name))).id))!;
    const server = new URL(db.url);
    const pool = connect(appDatabaseUrl(credentials, { host: server.hostname, port: Number(server.port) }), 2);
    pools.push(pool);
    return pool;
  };
  const server = http.createServer((req, res) => {
    if (!backend.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    db, backend, standin, relay, views, logged, appSql,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const pool of pools) await pool.end({ timeout: 2 });
      await backend.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.close();
      await standin.close();
      await db.drop();
    },
  };
}

/** Asks again until `check` returns something (not a timing assertion: a bound on waiting). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, boundMs = 30_000): Promise<T> {
  const until = Date.now() + boundMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
