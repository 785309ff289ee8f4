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
import { loadSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { findApp } from '../core/store/apps.js';
import { openDatabase } from '../core/store/database.js';
import { failInterruptedDeployments } from '../core/store/deployments.js';
import { allows } from '../core/store/api-tokens.js';
import { ensureAdminToken, verifyToken } from '../core/store/tokens.js';
import { createApi } from '../dashboard/api.js';
import { createBackend } from '../backend/index.js';
import { startLogCollector } from '../dashboard/logs/collector.js';
import { guardAuthFailures, limiterFromEnv } from '../dashboard/rate-limit.js';
import { removeWarmContainers } from '../builder/index.js';
import { GitReceiver } from '../receiver/index.js';
import { serveMetrics, startRouter } from '../router/index.js';
import type { SchedulerDeps } from '../scheduler/deps.js';
import { createAppDatabaseEnv } from '../scheduler/database-env.js';
import { DEFAULT_HEALTH_CHECK } from '../scheduler/health.js';
import { runDeployment } from '../scheduler/pipeline.js';
import { reconcileAll } from '../scheduler/reconciler.js';
import { RouteSync } from '../scheduler/routes.js';
import { releaseOperations } from '../scheduler/release-manager.js';
import { parseReleaseTimeout } from '../scheduler/release-phase.js';
import { parseKeepReleases } from '../scheduler/retention.js';
import { SUPERVISE_EVERY_MS, superviseAll } from '../scheduler/supervisor.js';
import { runPeriodically } from '../core/periodic.js';
import { ProcessRuntime } from '../scheduler/runtime/process.js';
import { selectRuntime } from '../scheduler/runtime/select.js';
import { AppService } from './apps.js';
import { PreviewService } from './previews.js';
import { handleWebhook } from './webhooks.js';
import { parseDuration } from '../scheduler/previews/limits.js';
import { deployRef } from './deploy-ref.js';
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
  if (runtime instanceof ProcessRuntime) log(`process runtime: ${runtime.sizes}`);
  const secretKey = await loadSecretKey({ file: paths.secretKey, fromEnv: config.secretKey });
  const databases = new AppDatabases(db.sql, secretKey);
  const appDatabases = await createAppDatabaseEnv({
    databases, controlUrl: db.url, runtime: runtime.kind, docker: usesDocker ? docker : undefined,
  });

  // The app backend (issue 16): a gateway on this server, a host per project on the router,
  // SUPABASE_ variables for the processes of apps that enabled it.
  const backend = createBackend({
    sql: db.sql, serverUrl: db.url, secretKey, databases, config, runtime: runtime.kind, docker: usesDocker ? docker : undefined, log,
  });

  const router = await startRouter({
    sql: db.sql, secretKey, domain: config.domain, httpPort: config.httpPort, httpsPort: config.httpsPort,
    bindHost: config.bindHost, traefikDir: paths.traefik, env: process.env, log,
  });
  const routes = new RouteSync(db.sql, runtime, config.domain, async (input) => router.apply(await backend.withRoutes(input)));

  const deps: SchedulerDeps = {
    config, sql: db.sql, bus, runtime, docker: usesDocker ? docker : undefined, routes,
    healthCheck: DEFAULT_HEALTH_CHECK, drainMs: 500, stopGraceMs: 10_000, platformEnv: backend.platformEnv(appDatabases),
    keepReleases: parseKeepReleases(process.env.DEVFLOW_KEEP_RELEASES),
    releaseTimeoutMs: parseReleaseTimeout(process.env.DEVFLOW_RELEASE_TIMEOUT),
  };
  const queue = createDeployQueue({ redisUrl: config.redisUrl, databaseUrl: db.url });
  const interrupted = await failInterruptedDeployments(db.sql);
  if (interrupted > 0) log(`marked ${interrupted} interrupted deployment(s) as failed`);
  queue.work((job) => runDeployment(deps, job.deploymentId), 2);
  const pushDeps = { sql: db.sql, bus, queue, home: config.home };
  const previews = new PreviewService({
    sql: db.sql, serverUrl: db.url, databases, secretKey, runtime, routes,
    maxPreviews: Number(process.env.DEVFLOW_MAX_PREVIEWS ?? 10), idleTtlMs: parseDuration(process.env.DEVFLOW_PREVIEW_TTL ?? '7d'),
  }, pushDeps, config, paths.repos);

  const receiver = new GitReceiver({
    reposDir: paths.repos,
    // Git needs the deploy scope: a read token may not push (nor fetch the source).
    authenticate: async (_user, password) => {
      const grant = await verifyToken(db.sql, password);
      return allows(grant, 'deploy') ? grant!.name : undefined;
    },
    appExists: async (app) => (await findApp(db.sql, app)) !== undefined,
    onPush: (push, pushLog) => handlePush({ ...pushDeps, previews }, push, pushLog),
  });
  const apps = new AppService(db.sql, receiver, runtime, routes, appDatabases, previews);
  const api = createApi({
    sql: db.sql, config, apps, appDatabases, releases: releaseOperations(deps, log),
    followDeployment: (id, sink) => followDeployment({ sql: db.sql, bus }, id, sink),
    bus,
    deploy: (app, request, actor) => deployRef({ sql: db.sql, bus, queue, home: config.home }, app, request, actor),
    domainsChanged: () => router.domainsChanged(routes),
    previews,
    backend: backend.operations,
  });
  const authLimiter = limiterFromEnv(process.env);
  const server = http.createServer((req, res) => {
    if (backend.handle(req, res)) return;
    if (guardAuthFailures(authLimiter, req, res)) return;
    if (serveMetrics(req, res, { metrics: router.metrics, access: router.settings.metricsAccess,
      verifyToken: async (token) => allows(await verifyToken(db.sql, token), 'read') })) return;
    if (handleWebhook(req, res, previews)) return;
    if (!receiver.handle(req, res)) api(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindHost, resolve);
  });

  const reconcile = () => reconcileAll(deps).then(
    (r) => r.errors.forEach((e) => log(`reconcile: ${e}`)),
    (err) => log(`reconcile failed: ${errorMessage(err)}`),
  ).then(() => previews.expireIdle()).then(
    (removed) => removed.forEach((p) => log(`removed preview ${p}: idle longer than DEVFLOW_PREVIEW_TTL`)),
    (err) => log(`preview expiry failed: ${errorMessage(err)}`),
  );
  await reconcile();
  // Stopping these waits for a run in flight: its queries finish before the database closes.
  const reconciler = runPeriodically(reconcile, RECONCILE_EVERY_MS);
  const supervisor = runPeriodically(() => superviseAll(deps).then(
    (errors) => errors.forEach((e) => log(`supervise: ${e}`)),
    (err) => log(`supervise failed: ${errorMessage(err)}`),
  ), SUPERVISE_EVERY_MS);
  const logCollector = startLogCollector({ sql: db.sql, runtime, home: config.home, env: process.env, log });
  log(`devflow ready: API and git on http://localhost:${config.port}, apps at http://<app>.${config.domain}:${config.httpPort} (runtime ${runtime.kind}, queue ${queue.backend})`);

  return {
    config,
    adminToken,
    runtime: runtime.kind,
    async close() {
      await Promise.all([reconciler.stop(), supervisor.stop()]);
      await logCollector?.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await queue.close();
      await receiver.close();
      await router.close();
      await backend.close();
      await bus.close();
      await db.close();
      await removeWarmContainers();
    },
  };
}
