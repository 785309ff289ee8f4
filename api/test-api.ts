/**
 * For tests: the real API in-process on a fresh database of the test run's PostgreSQL, on an
 * ephemeral port. App operations are the store's own (createApp/deleteApp) instead of deploys/
 * AppService, which would also make git repositories and routes; config changes go through the
 * scheduler's real releaseOperations (apps without a release start nothing). Account mails go
 * over real SMTP to the embedded mail catcher.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { accountMailer, type AccountMailer } from '../accounts/index.js';
import { loadConfig, type Config } from '../core/config.js';
import { EventBus } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createApp, deleteApp } from '../core/store/apps.js';
import { ensureAdminToken } from '../core/store/tokens.js';
import { releaseOperations, type SchedulerDeps } from '../scheduler/index.js';
import { connect } from '../core/store/database.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { createApi, type ApiDeps } from './api.js';

export interface TestApi {
  db: TestDatabase;
  bus: EventBus;
  base: string;
  adminToken: string;
  close(): Promise<void>;
}

/**
 * `sameDatabaseAs`: a second DevFlow process on another's database, with its own connection
 * pool (the first one drops the database). `config`: settings over the defaults (e.g. `stripe`).
 * `deps`: parts made on this database once it exists (e.g. `git`, the git host connections).
 */
export async function startTestApi(options: {
  sameDatabaseAs?: TestDatabase; config?: Partial<Config>; deps?: (db: TestDatabase, home: string) => Promise<Partial<ApiDeps>>;
} = {}): Promise<TestApi> {
  const db = options.sameDatabaseAs ? secondConnection(options.sameDatabaseAs) : await createTestDatabase();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-api-'));
  const adminToken = await ensureAdminToken(db.sql, path.join(home, 'admin-token'));
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  const mailer: AccountMailer = accountMailer({ sql: db.sql, smtpUrl: undefined });
  const config = { ...loadConfig({}), port: 7070, ...options.config };
  const deps = {
    sql: db.sql, config, bus, mailer,
    apps: { create: (name: string) => createApp(db.sql, parseAppName(name)), destroy: (name: string) => deleteApp(db.sql, parseAppName(name)) },
    releases: releaseOperations({ sql: db.sql, bus, config } as SchedulerDeps, () => {}),
    ...(options.deps ? await options.deps(db, home) : {}),
  } as unknown as ApiDeps;
  const server = http.createServer(createApi(deps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    db, bus, adminToken,
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await mailer.close();
      await bus.close();
      await db.drop();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

function secondConnection(db: TestDatabase): TestDatabase {
  const sql = connect(db.url);
  return { sql, url: db.url, drop: () => sql.end({ timeout: 2 }) };
}
