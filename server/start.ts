/**
 * `devflow up`: starts every role in one process on the embedded defaults (or the services
 * named by DATABASE_URL / REDIS_URL) and wires them together. This is the composition root;
 * the roles themselves never import each other's internals.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import Docker from 'dockerode';
import type { Config } from '../core/config.js';
import { homePaths } from '../core/config.js';
import { EventBus } from '../core/events.js';
import { errorMessage } from '../core/errors.js';
import { createDeployQueue } from '../core/queue.js';
import { findApp } from '../core/store/apps.js';
import { openDatabase } from '../core/store/database.js';
import { failInterruptedDeployments } from '../core/store/deployments.js';
import { ensureAdminToken, verifyToken } from '../core/store/tokens.js';
import { createApi } from '../dashboard/api.js';
import { GitReceiver } from '../receiver/index.js';
import { EmbeddedProxy, buildRoutingTable, writeTraefikConfig } from '../router/index.js';
import type { SchedulerDeps } from '../scheduler/deps.js';
import { DEFAULT_HEALTH_CHECK } from '../scheduler/health.js';
import { runDeployment } from '../scheduler/pipeline.js';
import { reconcileAll } from '../scheduler/reconciler.js';
import { RouteSync } from '../scheduler/routes.js';
import { selectRuntime } from '../scheduler/runtime/select.js';
import { AppService } from './apps.js';
import { followDeployment, handlePush } from './push.js';

export interface RunningDevflow {
  config: Config;
  adminToken: string;
  runtime: string;
  close(): Promise<void>;
}

const RECONCILE_EVERY_MS = 30_000;

export async function startDevflow(config: Config, log: (line: string) => void): Promise<RunningDevflow> {
  const paths = homePaths(config.home);
  await fs.mkdir(config.home, { recursive: true, mode: 0o700 });
  for (const dir of [paths.repos, paths.builds, paths.cache, paths.slugs, paths.traefik]) await fs.mkdir(dir, { recursive: true });

  const db = await openDatabase({ url: config.databaseUrl, embeddedDir: paths.postgres, log });
  const adminToken = await ensureAdminToken(db.sql, paths.adminToken);
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  const docker = new Docker();
  const runtime = await selectRuntime({ requested: config.runtime, home: config.home, docker });
  const usesDocker = runtime.kind !== 'process';

  const proxy = new EmbeddedProxy();
  await proxy.listen(config.httpPort, config.bindHost);
  const routes = new RouteSync(db.sql, runtime, config.domain, async (input) => {
    const table = buildRoutingTable(input);
    proxy.setTable(table);
    await writeTraefikConfig(paths.traefik, table);
  });

  const deps: SchedulerDeps = {
    config, sql: db.sql, bus, runtime, docker: usesDocker ? docker : undefined, routes,
    healthCheck: DEFAULT_HEALTH_CHECK, drainMs: 500, stopGraceMs: 10_000,
  };
  const queue = createDeployQueue({ redisUrl: config.redisUrl, databaseUrl: db.url });
  const interrupted = await failInterruptedDeployments(db.sql);
  if (interrupted > 0) log(`marked ${interrupted} interrupted deployment(s) as failed`);
  queue.work((job) => runDeployment(deps, job.deploymentId), 2);

  const receiver = new GitReceiver({
    reposDir: paths.repos,
    authenticate: async (_user, password) => (await verifyToken(db.sql, password)) !== undefined,
    appExists: async (app) => (await findApp(db.sql, app)) !== undefined,
    onPush: (push, pushLog) => handlePush({ sql: db.sql, bus, queue, home: config.home }, push, pushLog),
  });
  const apps = new AppService(db.sql, receiver, runtime, routes);
  const api = createApi({
    sql: db.sql, config, apps,
    followDeployment: (id, sink) => followDeployment({ sql: db.sql, bus }, id, sink),
  });
  const server = http.createServer((req, res) => {
    if (!receiver.handle(req, res)) api(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindHost, resolve);
  });

  const reconcile = () => reconcileAll(deps).then(
    (r) => r.errors.forEach((e) => log(`reconcile: ${e}`)),
    (err) => log(`reconcile failed: ${errorMessage(err)}`),
  );
  await reconcile();
  const timer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
  log(`devflow ready: API and git on http://localhost:${config.port}, apps at http://<app>.${config.domain}:${config.httpPort} (runtime ${runtime.kind}, queue ${queue.backend})`);

  return {
    config,
    adminToken,
    runtime: runtime.kind,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await queue.close();
      await receiver.close();
      await proxy.close();
      await bus.close();
      await db.close();
    },
  };
}
