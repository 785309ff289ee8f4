/**
 * For Realtime's tests (test-support.ts) and bench: the real backend (createBackend, its gateway and project
 * registry) with the Realtime service mounted, on a loopback HTTP server that also takes
 * WebSocket upgrades as DevFlow's API server does, one enabled app, and @supabase/supabase-js
 * clients speaking to it over real WebSockets (`ws`: Node 20 has no WebSocket of its own).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import ws from 'ws';
import { loadConfig } from '../../core/config.js';
import { parseAppName } from '../../core/names.js';
import { openSecret, parseSecretKey } from '../../core/secrets.js';
import { AppDatabases } from '../../core/store/app-databases.js';
import { createApp } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import { createBackend, type Backend, type BackendView } from '../index.js';
import { createRealtime, type RealtimeOptions, type RealtimeService } from './index.js';

/** A control-plane database (migrated) on a cluster where this role is a superuser. */
export interface ControlDatabase {
  sql: Sql;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface RealtimeTestBackend {
  db: ControlDatabase;
  realtime: RealtimeService;
  /** SUPABASE_URL of the app `chat` (the path form). */
  url: string;
  base: string;
  view: BackendView;
  /** A superuser pool on the app's database, for tables, policies and writes the tests make. */
  appSql: Sql;
  appDatabase: string;
  owner: string;
  logs: string[];
  /** The backend's API operations (the studio's channel list reads them). */
  operations: Backend['operations'];
  /** An access token of a signed-in user, as Supabase Auth issues one. */
  userToken(sub: string, expiresInSeconds?: number): Promise<string>;
  /** A client with the anon key, or as a user; `vsn` picks the realtime protocol. */
  client(options?: { user?: string; token?: string; vsn?: '1.0.0' | '2.0.0' }): Promise<SupabaseClient>;
  close(): Promise<void>;
}

const SECRET_KEY = parseSecretKey('22'.repeat(32));

export type RealtimeBackendOptions = Pick<RealtimeOptions, 'feedLingerMs' | 'maxRetainedWalBytes' | 'walCheckMs'>;

export async function startRealtimeBackend(db: ControlDatabase, options: RealtimeBackendOptions = {}): Promise<RealtimeTestBackend> {
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const databases = new AppDatabases(db.sql, SECRET_KEY);
  const realtime = await createRealtime({ sql: db.sql, serverUrl: db.url, log, ...options, feedLingerMs: options.feedLingerMs ?? 0 });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const config = { ...loadConfig({}), port };
  const backend: Backend = createBackend({
    sql: db.sql, serverUrl: db.url, secretKey: SECRET_KEY, databases, config, runtime: 'process', docker: undefined,
    log, services: async () => [realtime],
  });
  server.on('request', (req, res) => {
    if (!backend.handle(req, res)) res.writeHead(418).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!backend.upgrade(req, socket, head)) socket.destroy();
  });
  const app = await createApp(db.sql, parseAppName('chat'));
  const view = (await backend.operations.enable(parseAppName('chat'))).view;
  const credentials = (await databases.find(app.id))!;
  const appSql = connect(withDatabase(db.url, credentials.database), 2);
  const [row] = await db.sql`SELECT sealed_jwt_secret FROM backend_projects WHERE app_id = ${app.id}`;
  const secret = new TextEncoder().encode(openSecret(SECRET_KEY, row!.sealed_jwt_secret));
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/backend/chat`;
  const userToken = async (sub: string, expiresInSeconds = 3600) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ role: 'authenticated', aud: 'authenticated', sub }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat).setExpirationTime(iat + expiresInSeconds).sign(secret);
  };
  const clients: SupabaseClient[] = [];
  return {
    db, realtime, url, base, view, appSql, appDatabase: credentials.database, owner: credentials.role, logs, userToken,
    operations: backend.operations,
    async client({ user, token, vsn } = {}) {
      const access = token ?? (user ? await userToken(user) : undefined);
      const client = createClient(url, view.anonKey, {
        ...(access ? { accessToken: async () => access } : { auth: { persistSession: false, autoRefreshToken: false } }),
        realtime: { transport: ws as never, ...(vsn ? { vsn } : {}) },
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.removeAllChannels().catch(() => {})));
      await backend.close();
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await appSql.end({ timeout: 2 });
      // After realtime closed: PostgreSQL refuses to drop a database an active slot reads.
      await databases.drop(parseAppName('chat'));
      await db.drop();
    },
  };
}
