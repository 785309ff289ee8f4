/**
 * The steps of `devflow up`, in the order boot/start.ts runs them. Each starts one layer of the
 * house from what the earlier steps made and says how to stop it; start.ts stops them backwards.
 * A step is a small named function so a new role (the app backend, telemetry, …) is one more step.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { dockerClient } from '../core/docker-engine.js';
import { createApi, createRunTtyUpgrade, guardAuthFailures, handleWebhook, limiterFromEnv } from '../api/index.js';
import { assertMayBuild, maskSecret, meterRuntime, startMeteringLoop, startStripeMeterReporting, startUsageSampling } from '../billing/index.js';
import { RUN_IMAGE, removeWarmContainers } from '../builder/index.js';
import { homePaths, publicApiUrl, type Config } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { EventBus } from '../core/events.js';
import { runPeriodically } from '../core/periodic.js';
import { createDeployQueue, type DeployQueue } from '../core/queue.js';
import { loadSecretKey, type SecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { findApp } from '../core/store/apps.js';
import { openDatabase, type Database } from '../core/store/database.js';
import { accountMailer, gitActor, gitDecision, instanceMayRead, startAuditPartitionLoop } from '../accounts/index.js';
import { readAuditKeepMonths } from '../core/settings.js';
import { createBackend, type Backend } from '../backend/index.js';
import { createTelemetry, nodeAgentMount, type Telemetry } from '../telemetry/index.js';
import { createAddons, type Addons } from '../addons/index.js';
import { failInterruptedDeployments } from '../core/store/deployments.js';
import { ensureAdminToken } from '../core/store/tokens.js';
import { AppService, GitHostService, HostReporter, PreviewService, deployBranchesOf, deployRef, handlePush } from '../deploys/index.js';
import { GitReceiver } from '../receiver/index.js';
import { serveMetrics, startRouter, type RouterService } from '../router/index.js';
import {
  DEFAULT_HEALTH_CHECK, ProcessRuntime, RouteSync, SUPERVISE_EVERY_MS, createAppDatabaseEnv, followDeployment,
  readRoutingInput, reconcileAll, releaseOperations, runDeployment, selectRuntime,
  startLogCollector, superviseAll, type AppDatabaseEnv, type RuntimeDriver, type SchedulerDeps,
} from '../scheduler/index.js';
import { startTelemetryLoops } from '../telemetry/index.js';
import { readServerSettings } from '../core/settings.js';

export type Log = (line: string) => void;

/**
 * What the steps before a step have made. Each step names the parts it needs (a Pick of this),
 * and boot/start.ts passes them by name, so a new role adds a field here, not a positional
 * parameter to every later step.
 */
export interface House {
  config: Config;
  log: Log;
  store: Store;
  runtime: Runtime;
  backend: Backend;
  telemetry: Telemetry;
  routing: Routing;
  addons: Addons;
  roles: Roles;
}

/** What a started step leaves running; stop() undoes it. */
export interface Started<T> {
  value: T;
  stop(): Promise<void>;
}

const RECONCILE_EVERY_MS = 30_000;
/** How long a stopping DevFlow lets git requests finish once the deployments have ended. */
const PUSH_VERDICT_MS = 5_000;

export interface Store {
  db: Database;
  bus: EventBus;
  adminToken: string;
  secretKey: SecretKey;
  databases: AppDatabases;
}

/** The state folders, the control-plane database (embedded or DATABASE_URL), the event bus, the keys. */
export async function openStore({ config, log }: Pick<House, 'config' | 'log'>): Promise<Started<Store>> {
  const paths = homePaths(config.home);
  await fs.mkdir(config.home, { recursive: true, mode: 0o700 });
  for (const dir of [paths.repos, paths.builds, paths.cache, paths.slugs, paths.traefik]) await fs.mkdir(dir, { recursive: true });
  // Point-in-time recovery (issue 21, addons/pitr): the embedded server archives its WAL.
  const walArchive = config.pitr.enabled ? path.join(config.home, 'wal') : undefined;
  const db = await openDatabase({ url: config.databaseUrl, embeddedDir: paths.postgres, walArchive, log });
  const adminToken = await ensureAdminToken(db.sql, paths.adminToken);
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  const secretKey = await loadSecretKey({ file: paths.secretKey, fromEnv: config.secretKey });
  const databases = new AppDatabases(db.sql, secretKey);
  return {
    value: { db, bus, adminToken, secretKey, databases },
    async stop() {
      await bus.close();
      await db.close();
    },
  };
}

export interface Runtime {
  runtime: RuntimeDriver;
  /** The Docker engine, when the runtime uses one (docker, swarm). */
  docker: Docker | undefined;
  /** DATABASE_URL and friends for each app's processes. */
  platformEnv: AppDatabaseEnv;
}

/** The runtime driver (docker, process or swarm) and the app databases' address as it sees them. */
export async function startRuntime({ config, store, log }: Pick<House, 'config' | 'store' | 'log'>): Promise<Started<Runtime>> {
  // Metered (billing/metered-runtime.ts): every start and stop also writes the usage ledger.
  // Telemetry's Node agent reaches containers as a read-only mount (telemetry/agent/agent-files.ts).
  const readOnlyMounts = [nodeAgentMount(config.home)];
  await Promise.all(readOnlyMounts.map((m) => fs.mkdir(m.hostPath, { recursive: true, mode: 0o755 })));
  // Docker's web instances join network namespaces readied during their build (scheduler/runtime/docker-netns.ts),
  // held by the stack's run image, which every buildpack build has already.
  const selected = await selectRuntime({ requested: config.runtime, home: config.home, readOnlyMounts, maxRestarts: config.maxRestarts, netnsHolderImage: RUN_IMAGE });
  const runtime = meterRuntime(selected, { sql: store.db.sql, log });
  if (runtime instanceof ProcessRuntime) log(`process runtime: ${runtime.sizes}`);
  const docker = runtime.kind === 'process' ? undefined : await dockerClient();
  const platformEnv = await createAppDatabaseEnv({ databases: store.databases, controlUrl: store.db.url, runtime: runtime.kind, docker });
  return { value: { runtime, docker, platformEnv }, stop: async () => { await Promise.all([removeWarmContainers(), runtime.close?.()]); } };
}

/**
 * The app backend (issue 16): a gateway on the API server, a host per project on the router,
 * SUPABASE_ variables for the processes of apps that enabled it. Its services load on the
 * first request to a project.
 */
export async function startBackend({ config, store, runtime, log }: Pick<House, 'config' | 'store' | 'runtime' | 'log'>): Promise<Started<Backend>> {
  const backend = createBackend({
    sql: store.db.sql, serverUrl: store.db.url, secretKey: store.secretKey, databases: store.databases, config,
    runtime: runtime.runtime.kind, docker: runtime.docker, log,
  });
  return { value: backend, stop: () => backend.close() };
}

/**
 * Telemetry (issue 18): the span store the router writes into, the OTLP receiver on the API port,
 * OTEL_ variables for the processes of apps that enabled it, span retention.
 */
export async function startTelemetry({
  config, store, runtime, log,
}: Pick<House, 'config' | 'store' | 'runtime' | 'log'>): Promise<Started<Telemetry>> {
  const telemetry = createTelemetry({
    sql: store.db.sql, secretKey: store.secretKey, config, runtime: runtime.runtime.kind, docker: runtime.docker, log,
  });
  return { value: telemetry, stop: () => telemetry.close() };
}

export interface Routing {
  router: RouterService;
  routes: RouteSync;
}

/**
 * The router, with the routes the store and the runtime hold restored before it listens or
 * writes a Traefik file: a restarted DevFlow keeps serving running apps at once.
 */
export async function startRouting({
  config, store, runtime, backend, log, telemetry,
}: Pick<House, 'config' | 'store' | 'runtime' | 'backend' | 'log' | 'telemetry'>): Promise<Started<Routing>> {
  const restored = await backend.withRoutes(await readRoutingInput(store.db.sql, await runtime.runtime.list(), config.domain));
  const router = await startRouter({
    sql: store.db.sql, secretKey: store.secretKey, domain: config.domain, httpPort: config.httpPort, httpsPort: config.httpsPort,
    bindHost: config.bindHost, traefikDir: homePaths(config.home).traefik, env: process.env, log, routes: restored,
    spans: telemetry?.routerSpans,
    firstRequests: telemetry?.firstRequests,
  });
  await telemetry?.useTracer(router.tracer);
  const routes = new RouteSync(store.db.sql, runtime.runtime, config.domain, async (input) => router.apply(await backend.withRoutes(input)));
  return { value: { router, routes }, stop: () => router.close() };
}

export interface Roles {
  scheduler: SchedulerDeps;
  queue: DeployQueue;
  receiver: GitReceiver;
  previews: PreviewService;
  apps: AppService;
  /** Deploys from a git host's webhooks (issue 22). */
  git: GitHostService;
  /**
   * Ends the deployments in progress, once: a running build is stopped (scheduler/build-deadline.ts),
   * a release finishes, and the queue takes no more. The API calls it before it closes its
   * connections, so each push is told how its deployment ended.
   */
  endDeployments(): Promise<void>;
}

/** The scheduler working the deploy queue, the git receiver, previews and apps. */
export async function startRoles({
  config, store, runtime, backend, routing, addons, log, telemetry,
}: Pick<House, 'config' | 'store' | 'runtime' | 'backend' | 'routing' | 'addons' | 'log' | 'telemetry'>): Promise<Started<Roles>> {
  const { sql } = store.db;
  // A preview's add-ons are made or withheld before it builds (addons/previews/).
  // Aborted when DevFlow stops: a running build ends then, instead of holding the stop (build-deadline.ts).
  const stopping = new AbortController();
  const scheduler = { ...schedulerDeps(config, store, runtime, backend, routing, telemetry), previewAddons: addons.previews, stopping: stopping.signal };
  const queue = createDeployQueue({ redisUrl: config.redisUrl, databaseUrl: store.db.url });
  const interrupted = await failInterruptedDeployments(sql);
  if (interrupted > 0) log(`marked ${interrupted} interrupted deployment(s) as failed`);
  queue.work((job) => runDeployment(scheduler, job.deploymentId), 2);
  const enqueue = { sql, bus: store.bus, queue, home: config.home };
  const receiver: GitReceiver = new GitReceiver({
    reposDir: homePaths(config.home).repos,
    // Git needs the deploy scope: a read token may not push (nor fetch the source); and the
    // deploy permission on the app's team (accounts/, the same table as the API).
    authenticate: (_user, password) => gitActor(sql, password),
    authorize: (password, app, service, rpc, origin) => gitDecision(sql, password, app, service, rpc, origin),
    appExists: async (app) => (await findApp(sql, app)) !== undefined,
    deployBranches: (app) => deployBranchesOf(sql, app),
    onPush: (push, pushLog) => handlePush({ ...enqueue, previews }, push, pushLog),
  });
  const previews: PreviewService = new PreviewService({
    sql, serverUrl: store.db.url, databases: store.databases, secretKey: store.secretKey, runtime: runtime.runtime, routes: routing.routes,
    maxPreviews: config.maxPreviews, idleTtlMs: config.previewTtlMs, addons: addons.previews,
  }, enqueue, config, receiver);
  const apps = new AppService(sql, receiver, runtime.runtime, routing.routes, runtime.platformEnv, previews, addons, { sql, bus: store.bus });
  const publicUrl = publicApiUrl(config);
  const reporter = new HostReporter({ sql, bus: store.bus, secretKey: store.secretKey, config, publicUrl, allowHosts: config.gitAllowHosts, log });
  const git = new GitHostService({
    sql, secretKey: store.secretKey, enqueue, repos: receiver, previews, reporter, allowHosts: config.gitAllowHosts, publicUrl,
  });
  let ended: Promise<void> | undefined;
  const endDeployments = () => (ended ??= (stopping.abort(), queue.close()));
  return {
    value: { scheduler, queue, receiver, previews, apps, git, endDeployments },
    async stop() {
      await endDeployments();
      await receiver.close();
    },
  };
}

function schedulerDeps(config: Config, store: Store, runtime: Runtime, backend: Backend, routing: Routing, telemetry?: Telemetry): SchedulerDeps {
  const platformEnv = backend.platformEnv(runtime.platformEnv);
  return {
    config, sql: store.db.sql, bus: store.bus, runtime: runtime.runtime, docker: runtime.docker, routes: routing.routes,
    healthCheck: DEFAULT_HEALTH_CHECK, drainMs: 500, stopGraceMs: 10_000, platformEnv: telemetry?.platformEnv(platformEnv) ?? platformEnv,
    keepReleases: config.keepReleases, releaseTimeoutMs: config.releaseTimeoutMs, buildTimeoutMs: config.buildTimeoutMs,
    sourceHook: backend.sourceHook,
    beforeBuild: (app) => assertMayBuild(store.db.sql, app), // the team's build minutes (issue 20)
  };
}

/** One HTTP server on the API port: the app backend's gateway, rate limit, metrics, pull-request webhooks, git, then the REST API and dashboard. */
export async function startApi({
  config, store, runtime, backend, routing, roles, addons, log, telemetry,
}: Pick<House, 'config' | 'store' | 'runtime' | 'backend' | 'routing' | 'roles' | 'addons' | 'log' | 'telemetry'>): Promise<Started<http.Server>> {
  const { sql } = store.db;
  const { router, routes } = routing;
  // Next month's audit partition is made weeks ahead while DevFlow runs, and old months dropped.
  const auditPartitions = await startAuditPartitionLoop(sql, { keepMonths: readAuditKeepMonths(process.env), log });
  const mailer = accountMailer({ sql, smtpUrl: config.smtpUrl });
  const api = createApi({
    sql, config, apps: roles.apps, appDatabases: runtime.platformEnv, releases: releaseOperations(roles.scheduler, log),
    followDeployment: (id, sink) => followDeployment({ sql, bus: store.bus }, id, sink),
    bus: store.bus,
    deploy: (app, request, actor) => deployRef({ sql, bus: store.bus, queue: roles.queue, home: config.home, repos: roles.receiver }, app, request, actor),
    domainsChanged: () => router.domainsChanged(routes),
    previews: roles.previews,
    backend: backend.operations,
    telemetry: telemetry?.operations,
    git: roles.git,
    addons: addons.operations,
    mailer,
  });
  const authLimiter = limiterFromEnv(process.env);
  const server = http.createServer((req, res) => {
    if (backend.handle(req, res)) return;
    if (guardAuthFailures(authLimiter, req, res)) return;
    if (telemetry?.handle(req, res)) return;
    if (serveMetrics(req, res, { metrics: router.metrics, access: router.settings.metricsAccess,
      // Every app's figures: the instance's credentials only, not a team member's (issue 19).
      verifyToken: (token) => instanceMayRead(sql, token) })) return;
    if (handleWebhook(req, res, roles.previews, roles.git)) return;
    if (!roles.receiver.handle(req, res)) api(req, res);
  });
  // WebSocket upgrades (the backend's /realtime/v1/websocket); others are closed, as Node does unheard.
  // server.close() waits for upgraded sockets too, which closeAllConnections() does not end: stop() does.
  const upgraded = new Set<Duplex>();
  // `devflow run --tty`'s terminal (api/run-tty.ts) is the API's own upgrade.
  const runTty = createRunTtyUpgrade({ sql, addons: addons.operations });
  server.on('upgrade', (req, socket, head) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (!backend.upgrade(req, socket, head) && !runTty(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindHost, resolve);
  });
  return {
    value: server,
    async stop() {
      // Pushes hear how their deployment ended (a build is stopped, not waited for) before the
      // connections close; a push still queued is not waited for beyond PUSH_VERDICT_MS.
      const closed = new Promise((r) => server.close(r));
      await roles.endDeployments();
      await roles.receiver.settled(PUSH_VERDICT_MS);
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await closed;
      await mailer.close();
      await auditPartitions.stop();
    },
  };
}

/** A first reconcile, then the reconciler, the supervisor and the log collector in the background. */
export async function startLoops({ store, runtime, roles, log }: Pick<House, 'store' | 'runtime' | 'roles' | 'log'>): Promise<Started<void>> {
  const reconcile = () => reconcileAll(roles.scheduler).then(
    (r) => r.errors.forEach((e) => log(`reconcile: ${e}`)),
    (err) => log(`reconcile failed: ${errorMessage(err)}`),
  ).then(() => roles.previews.expireIdle()).then(
    (removed) => removed.forEach((p) => log(`removed preview ${p}: idle longer than DEVFLOW_PREVIEW_TTL`)),
    (err) => log(`preview expiry failed: ${errorMessage(err)}`),
  );
  await reconcile();
  // Stopping these waits for a run in flight: its queries finish before the database closes.
  const reconciler = runPeriodically(reconcile, RECONCILE_EVERY_MS);
  const supervisor = runPeriodically(() => superviseAll(roles.scheduler).then(
    (errors) => errors.forEach((e) => log(`supervise: ${e}`)),
    (err) => log(`supervise failed: ${errorMessage(err)}`),
  ), SUPERVISE_EVERY_MS);
  const logCollector = startLogCollector({ sql: store.db.sql, runtime: runtime.runtime, env: process.env, log });
  const metering = await startMeteringLoop({ sql: store.db.sql, runtime: runtime.runtime, log });
  return {
    value: undefined,
    async stop() {
      await Promise.all([reconciler.stop(), supervisor.stop(), metering.stop()]);
      await logCollector.stop();
    },
  };
}

/** Telemetry's background work (issue 18, telemetry/loops.ts): error scanner, metrics rollup, alerts. */
export async function startTelemetryLoopsStep({
  config, store, routing, log, runtime,
}: Pick<House, 'config' | 'store' | 'routing' | 'log' | 'runtime'>): Promise<Started<void>> {
  const loops = startTelemetryLoops({
    sql: store.db.sql, traffic: routing.router.metrics, runtime: runtime?.runtime, smtpUrl: readServerSettings(process.env).smtpUrl,
    mailFrom: `DevFlow alerts <alerts@${config.domain}>`, log, metricsEveryMs: config.metricsEveryMs,
  });
  return { value: undefined, stop: () => loops.stop() };
}

/**
 * Add-ons, one-off runs and cron (issue 21, addons/index.ts). Variables an add-on binds go
 * through the scheduler's config path (a new release); the add-on Redis server starts here only
 * when a Redis add-on exists.
 */
export async function startAddons({
  config, store, runtime, backend, routing, log,
}: Pick<House, 'config' | 'store' | 'runtime' | 'backend' | 'routing' | 'log'>): Promise<Started<Addons>> {
  const scheduler = schedulerDeps(config, store, runtime, backend, routing);
  const releases = releaseOperations(scheduler, log);
  const addons = await createAddons({
    sql: store.db.sql, secretKey: store.secretKey, home: config.home, serverUrl: store.db.url, databases: store.databases,
    runtime: runtime.runtime, docker: runtime.docker, platformEnv: scheduler.platformEnv,
    setConfig: (app, change, actor) => releases.setConfig(app, change, actor), log, backupsKeep: config.backupsKeep,
    walArchive: await pitrArchive(config, store.db), pitrKeepDays: config.pitr.keepDays,
    backupsUrl: config.backupsUrl,
  });
  return { value: addons, stop: () => addons.close() };
}

/**
 * The WAL archive point-in-time recovery reads: the embedded server's, or with DATABASE_URL the
 * folder the operator's server archives to, mounted at DEVFLOW_HOME/wal (compose.yaml).
 */
async function pitrArchive(config: House['config'], db: Database): Promise<string | undefined> {
  if (!config.pitr.enabled) return undefined;
  if (db.walArchive) return db.walArchive;
  const mounted = path.join(config.home, 'wal');
  return (await fs.stat(mounted).catch(() => undefined))?.isDirectory() ? fs.realpath(mounted) : undefined;
}

/** Billing's usage sources beside the runtime's (issue 20): router traffic and database sizes. */
export async function startUsageSamplingStep({ store, routing, log }: Pick<House, 'store' | 'routing' | 'log'>): Promise<Started<void>> {
  const sampling = startUsageSampling({ sql: store.db.sql, serverUrl: store.db.url, traffic: routing.router.metrics, log });
  return { value: undefined, stop: () => sampling.stop() };
}

/** Stripe for the platform (issue 20, billing/stripe/): teams' instance-seconds reported as meter events, when a key is set. */
export async function startStripeReportingStep({ config, store, log }: Pick<House, 'config' | 'store' | 'log'>): Promise<Started<void>> {
  if (!config.stripe) return { value: undefined, stop: async () => {} };
  log(`billing: Stripe for the platform with key ${maskSecret(config.stripe.secretKey)}${config.stripe.webhookSecret ? '' : ' (no DEVFLOW_STRIPE_WEBHOOK_SECRET: webhooks are refused)'}`);
  const reporting = startStripeMeterReporting({ sql: store.db.sql, settings: config.stripe, log });
  return { value: undefined, stop: () => reporting.stop() };
}
