/**
 * The backend role's face (backend/README.md): Supabase-compatible services per app, served
 * by DevFlow's own process on the one PostgreSQL. The composition root (boot/steps.ts) makes
 * one Backend and plugs it in at four places: the HTTP server (`handle`), the router's table
 * (`withRoutes`), the variables every process gets (`platformEnv`) and the API
 * (`operations`). This module stays light: the gateway, the token code (jose) and the services
 * load on the first request to a project, so a DevFlow where no app enabled a backend pays
 * for none of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Config } from '../core/config.js';
import type { CaughtMail } from '../core/mail/catcher.js';
import type { FunctionsVariables } from '../core/settings.js';
import { appUrl } from '../core/config.js';
import { NotFoundError } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import type { AppName } from '../core/names.js';
import type { SecretKey } from '../core/secrets.js';
import { appDatabaseUrl, type AppDatabases } from '../core/store/app-databases.js';
import { findApp, getApp, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import { engineBridgeAccess } from '../core/embedded-postgres/docker-bridge.js';
import type { RuntimeKind } from '../core/types.js';
import type { RoutingInput } from '../router/index.js';
import type { PlatformEnv, SourceHook } from '../scheduler/index.js';
import type { AuthSettings, BackendService, ExternalProviderName } from './contract.js';
import { listProviders, providerViews, saveProviders, type ProviderChanges, type ProviderView } from './oauth-providers.js';
import type { FunctionLogLine, Functions, FunctionUpload, FunctionView } from './functions/index.js';
import { supabaseEnv } from './env.js';
import type { ProjectDeps, ProjectRegistry } from './projects.js';
import type { AppStripe, StripeApi, StripeConnectionView } from './stripe/index.js';
import type { Studio } from './studio/index.js';
import { backendEnabled, findBackendRecord, listBackendProjects, projectsOfApp, setBackendDisabled, updateBackendSettings } from './store.js';
import { hostFormUrl, processUrls, publicUrl, resolveBackendTarget, type BackendTarget, type UrlSettings } from './urls.js';

export type { AuthSettings, BackendProject, BackendService, ExternalProviderName, RequestContext } from './contract.js';
export type { ProviderChange, ProviderChanges, ProviderView } from './oauth-providers.js';
export type { CaughtMail } from '../core/mail/catcher.js';
export type { HistoryEntry, QueryResult, TableView } from './studio/index.js';
export { SqlError } from './studio/query.js';
export type { FunctionLogLine, FunctionUpload, FunctionView, UploadedFile } from './functions/index.js';
export type { StripeConnectionView } from './stripe/index.js';
/** Refusing a WebSocket upgrade with a JSON answer, as the gateway does; the API's `runs/tty` endpoint too. */
export { refuseUpgrade } from './upgrade.js';

/** What `GET /apps/{app}/backend` shows; the CLI's --json keeps url, anonKey, serviceRoleKey. */
export interface BackendView {
  app: string;
  url: string;
  hostUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwksUrl: string;
  keylessAnon: boolean;
  auth: AuthSettings;
  /** OAuth providers (oauth-providers.ts): the secret only masked. */
  external: Record<ExternalProviderName, ProviderView>;
}

export interface BackendSettingsChange {
  keylessAnon?: boolean;
  auth?: Partial<AuthSettings>;
  external?: ProviderChanges;
}

/** What the API calls (api/routes/backend.ts). */
export interface BackendOperations {
  /** `turnedOn`: the backend was off (never enabled, or disabled) before this call. */
  enable(app: AppName): Promise<{ turnedOn: boolean; view: BackendView }>;
  /**
   * Turns the backend off, as a paused Supabase project: its API (and its previews') stops
   * answering, Realtime sockets close and replication slots are dropped; the database, users,
   * files, functions and keys stay for `enable`. `changed` is false when it was off already.
   */
  disable(app: AppName): Promise<{ changed: boolean }>;
  describe(app: AppName): Promise<BackendView>;
  update(app: AppName, change: BackendSettingsChange): Promise<BackendView>;
  /** The database studio's SQL editor and schema view (studio/), on any app's database. */
  studio(): Promise<Studio>;
  /** Edge Functions (functions/, api/routes/functions.ts); the app's backend must be enabled. */
  functions: FunctionOperations;
  /** The app's live Realtime channels in this process, with their subscriber counts (the studio's view). */
  realtimeChannels(app: AppName): Promise<RealtimeChannelView[]>;
  /** Stripe for the app's own users (stripe/, api/routes/stripe.ts); the app's backend must be enabled. */
  stripe: StripeOperations;
  /** The app's Auth mails the embedded catcher kept (newest first); none are kept with DEVFLOW_SMTP_URL. */
  mail(app: AppName, limit?: number): Promise<CaughtMailList>;
}

export interface CaughtMailList {
  app: string;
  /** `catcher`: the embedded catcher keeps them; `smtp`: they went to DEVFLOW_SMTP_URL and are not kept here. */
  delivery: 'catcher' | 'smtp';
  mails: CaughtMail[];
}

export interface StripeOperations {
  connect(app: AppName, input: { secretKey?: unknown; webhookSecret?: unknown }): Promise<StripeConnectionView>;
  describe(app: AppName): Promise<StripeConnectionView>;
  disconnect(app: AppName): Promise<StripeConnectionView>;
}

export interface RealtimeChannelView {
  topic: string;
  subscribers: number;
}

export interface FunctionOperations {
  deploy(app: AppName, name: string, upload: FunctionUpload): Promise<FunctionView>;
  list(app: AppName): Promise<FunctionView[]>;
  logs(app: AppName, name: string, limit?: number): Promise<FunctionLogLine[]>;
}

export interface Backend {
  /** Serves a request when its host or path names a backend project; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes a WebSocket upgrade when its host or path names a backend project; false otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The router's input with one `<project>--api.<domain>` host per project, to DevFlow's API port. */
  withRoutes(input: RoutingInput): Promise<RoutingInput>;
  /** `inner` plus the SUPABASE_ variables for apps (and previews of apps) with a backend. */
  platformEnv(inner: PlatformEnv): PlatformEnv;
  operations: BackendOperations;
  /** The scheduler's hook (scheduler/deps.ts): a release deploys the functions its source holds. */
  sourceHook: SourceHook;
  close(): Promise<void>;
}

export interface BackendDeps {
  /** The control plane's pool, a superuser on the platform PostgreSQL, and its URL. */
  sql: Sql;
  serverUrl: string;
  secretKey: SecretKey;
  databases: AppDatabases;
  config: Pick<Config, 'domain' | 'port' | 'httpPort' | 'httpsPort' | 'bindHost' | 'home' | 'smtpUrl' | 'storageS3Url'> & Partial<Pick<Config, 'functions' | 'trustedProxies' | 'gitAllowHosts'>>;
  runtime: RuntimeKind;
  docker: Docker | undefined;
  log: (line: string) => void;
  /** The mounted services; by default those of this build (services.ts). Tests mount their own. */
  services?: () => Promise<BackendService[]>;
  /** Stripe for apps (stripe/): elsewhere than api.stripe.com (tests: the local stand-in). */
  stripeApi?: StripeApi;
  /** How often the customer outboxes of apps with Stripe are drained (default 5 s). */
  stripeSyncMs?: number;
}

/** DEVFLOW_FUNCTIONS_* as createFunctions takes them (a config made by hand in tests may lack them). */
function functionsOptions(v: FunctionsVariables | undefined) {
  return v && { limits: { timeLimitMs: v.timeLimitMs, memoryMb: v.memoryMb }, idleMs: v.idleMs, maxWorkers: v.maxWorkers, uid: v.uid };
}

/** Projects unused this long close their pools; checked every minute. */
const PROJECT_IDLE_MS = 5 * 60_000;

const STRIPE_SYNC_MS = 5_000;

export function createBackend(deps: BackendDeps): Backend {
  const urls: UrlSettings = { domain: deps.config.domain, apiPort: deps.config.port, httpsPort: deps.config.httpsPort };
  const server = new URL(deps.serverUrl);
  const projectDeps: ProjectDeps = {
    sql: deps.sql, serverUrl: deps.serverUrl, secretKey: deps.secretKey, databases: deps.databases, urls,
    endpoint: { host: server.hostname.replace(/^\[(.*)\]$/, '$1'), port: server.port === '' ? 5432 : Number(server.port) },
    siteUrl: (app) => appUrl(deps.config, app).replace(/\/$/, ''),
  };
  let registry: ProjectRegistry | undefined;
  /** The mounted services, once the gateway loaded (no request yet: no socket, so no channel). */
  let mounted: BackendService[] | undefined;
  let studio: Promise<Studio> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  type Target = BackendTarget;
  let gateway: Promise<{
    serve(req: IncomingMessage, res: ServerResponse, target: Target): Promise<void>;
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: Target): Promise<void>;
  }> | undefined;

  /** The heavy half, imported on the first request to any project. */
  const loadGateway = () => (gateway ??= (async () => {
    const [{ ProjectRegistry }, { handleGatewayRequest, handleGatewayUpgrade }] = await Promise.all([import('./projects.js'), import('./gateway.js')]);
    const services = [...(deps.services ? await deps.services() : await mountDefaultServices()), (await loadStripe()).service];
    mounted = services;
    registry = new ProjectRegistry(projectDeps);
    idleTimer = setInterval(() => void registry!.closeIdle(PROJECT_IDLE_MS).catch(() => {}), 60_000).unref();
    const { trustedProxies } = await import('./client-address.js');
    const gatewayDeps = { projects: registry, services, log: deps.log, trustedProxies: trustedProxies(deps.config.trustedProxies ?? []) };
    return {
      serve: (req: IncomingMessage, res: ServerResponse, target: Target) => handleGatewayRequest(gatewayDeps, req, res, target),
      upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, target: Target) => handleGatewayUpgrade(gatewayDeps, req, socket, head, target),
    };
  })());

  /** Functions load on first use too; the gateway's service and the API's operations share them. */
  let functions: Promise<Functions> | undefined;
  const loadFunctions = () => (functions ??= import('./functions/index.js').then((m) =>
    m.createFunctions({ sql: deps.sql, root: path.join(deps.config.home, 'functions'), log: deps.log, ...functionsOptions(deps.config.functions) })));

  /** Stripe for apps loads on first use too: the gateway's service, the API and the outbox timer share it. */
  let appStripe: Promise<AppStripe> | undefined;
  const loadStripe = () => (appStripe ??= import('./stripe/index.js').then((m) => m.createAppStripe({
    sql: deps.sql, secretKey: deps.secretKey, api: deps.stripeApi, log: deps.log,
    databases: {
      owner: async (appId) => {
        const credentials = await deps.databases.find(appId);
        return credentials && { role: credentials.role, url: appDatabaseUrl(credentials, projectDeps.endpoint) };
      },
    },
  })));
  // The outbox timer costs one query while no app has connected Stripe, and loads nothing.
  const stripeTimer = setInterval(() => void (async () => {
    const [row] = await deps.sql<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM app_stripe) AS any`;
    if (row?.any) await (await loadStripe()).syncCustomers();
  })().catch((err: unknown) => deps.log(`stripe customer sync: ${String(err)}`)), deps.stripeSyncMs ?? STRIPE_SYNC_MS).unref();
  const stripeWebhookUrl = (app: AppRecord) => `${publicUrl(app.name, urls)}/stripe/v1/webhook`;

  let unmount = async () => {};
  const mountDefaultServices = async () => {
    const { mountServices } = await import('./services.js');
    const mounted = await mountServices({
      sql: deps.sql, serverUrl: deps.serverUrl, smtpUrl: deps.config.smtpUrl, log: deps.log,
      storageRoot: path.join(deps.config.home, 'storage'), storageS3Url: deps.config.storageS3Url,
      allowHosts: deps.config.gitAllowHosts ?? [], functions: (await loadFunctions()).service,
    });
    unmount = mounted.close;
    return mounted.list;
  };

  let processAddress: Promise<string> | undefined;
  const addressForProcesses = () => (processAddress ??= (async () => {
    if (deps.runtime === 'process' || deps.docker === undefined) return '127.0.0.1';
    return (await engineBridgeAccess(deps.docker)).listen[0] ?? '127.0.0.1';
  })());

  const view = async (app: AppRecord): Promise<BackendView> => {
    const record = await findBackendRecord(deps.sql, deps.secretKey, app.id);
    if (!record) throw new NotFoundError(`${app.name} has no backend: enable it with \`devflow backend:enable ${app.name}\``);
    if (record.disabled) {
      throw new NotFoundError(`the backend of ${app.name} is disabled (its data and keys are kept): \`devflow backend:enable ${app.name}\` turns it on again`);
    }
    const { authSettings } = await import('./projects.js');
    const url = publicUrl(app.name, urls);
    return {
      app: app.name, url, hostUrl: hostFormUrl(app.name, urls), anonKey: record.keys.anonKey,
      serviceRoleKey: record.keys.serviceRoleKey, jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
      keylessAnon: record.keylessAnon, auth: authSettings(record, projectDeps.siteUrl(app.name)),
      external: providerViews(await listProviders(deps.sql, deps.secretKey, app.id)),
    };
  };

  /** An app whose backend is enabled; functions live only there. */
  const backendApp = async (name: AppName): Promise<AppRecord> => {
    const app = await getApp(deps.sql, name);
    await view(app);
    return app;
  };

  const loopback = deps.config.bindHost === '0.0.0.0' || deps.config.bindHost === '::' ? '127.0.0.1' : deps.config.bindHost;

  return {
    handle(req, res) {
      const target = resolveBackendTarget(req.headers.host, req.url ?? '/', deps.config.domain);
      if (!target) return false;
      loadGateway().then((g) => g.serve(req, res, target)).catch((err: unknown) => {
        deps.log(`backend gateway failed to load: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"message":"backend unavailable"}');
      });
      return true;
    },

    upgrade(req, socket, head) {
      const target = resolveBackendTarget(req.headers.host, req.url ?? '/', deps.config.domain);
      if (!target) return false;
      loadGateway().then((g) => g.upgrade(req, socket, head, target)).catch((err: unknown) => {
        deps.log(`backend gateway failed to load: ${String(err)}`);
        socket.destroy();
      });
      return true;
    },

    async withRoutes(input) {
      const projects = await listBackendProjects(deps.sql);
      if (projects.length === 0) return input;
      const upstreams = [{ host: loopback, port: deps.config.port }];
      return { ...input, apps: [...input.apps, ...projects.map((p) => ({ name: `${p.name}--api`, upstreams }))] };
    },

    platformEnv(inner) {
      return {
        async forApp(app) {
          const platform = await inner.forApp(app);
          const record = await findApp(deps.sql, app.name);
          if (!record || !(await backendEnabled(deps.sql, record))) return platform;
          const { ensureProject } = await import('./projects.js');
          const project = await ensureProject(projectDeps, record);
          const extra = supabaseEnv({
            urls: processUrls(app.name, urls, await addressForProcesses()),
            anonKey: project.keys.anonKey, serviceRoleKey: project.keys.serviceRoleKey, databaseUrl: platform.DATABASE_URL,
          });
          return { ...platform, ...extra };
        },
      };
    },

    operations: {
      async enable(name) {
        const app = await getApp(deps.sql, name);
        const { ensureProject } = await import('./projects.js');
        const turnedOn = await withAppLock(deps.sql, app.id, async () => {
          const before = await findBackendRecord(deps.sql, deps.secretKey, app.id);
          await ensureProject(projectDeps, app);
          if (before?.disabled) await setBackendDisabled(deps.sql, app.id, false);
          return before === undefined || before.disabled;
        });
        return { turnedOn, view: await view(app) };
      },
      async disable(name) {
        const app = await getApp(deps.sql, name);
        const record = await findBackendRecord(deps.sql, deps.secretKey, app.id);
        if (!record) throw new NotFoundError(`${app.name} has no backend to disable`);
        if (record.disabled) return { changed: false };
        await withAppLock(deps.sql, app.id, () => setBackendDisabled(deps.sql, app.id, true));
        // From here the gateway loads none of these projects; what is loaded already lets go.
        for (const project of await projectsOfApp(deps.sql, app.id)) {
          await registry?.forget(project);
          for (const service of mounted ?? []) await service.disableProject?.(project);
        }
        return { changed: true };
      },
      async describe(name) {
        return view(await getApp(deps.sql, name));
      },
      async update(name, change) {
        const app = await getApp(deps.sql, name);
        await view(app);
        if (change.external !== undefined) await saveProviders(deps.sql, deps.secretKey, app.id, change.external, deps.config.gitAllowHosts ?? []);
        await updateBackendSettings(deps.sql, app.id, { keylessAnon: change.keylessAnon, authSettings: change.auth });
        await registry?.forget(app.name);
        return view(app);
      },
      studio: () => (studio ??= import('./studio/index.js').then((m) => m.createStudio(projectDeps))),
      functions: {
        deploy: async (name, fn, upload) => (await loadFunctions()).deploy(await backendApp(name), fn, upload),
        list: async (name) => (await loadFunctions()).list((await backendApp(name)).id),
        logs: async (name, fn, limit) => (await loadFunctions()).logs((await backendApp(name)).id, fn, limit),
      },
      async realtimeChannels(name) {
        const app = await backendApp(name);
        const realtime = mounted?.find((s): s is BackendService & { channels(ref: string): RealtimeChannelView[] } =>
          s.prefix === 'realtime/v1' && typeof (s as { channels?: unknown }).channels === 'function');
        return (realtime?.channels(app.name) ?? []).sort((a, b) => a.topic.localeCompare(b.topic));
      },
      async mail(name, limit) {
        const app = await backendApp(name);
        const delivery = deps.config.smtpUrl ? 'smtp' : 'catcher';
        // The catcher makes its table with its first mail: before that there is nothing to list.
        const [table] = await deps.sql<{ exists: boolean }[]>`SELECT to_regclass('backend_caught_mail') IS NOT NULL AS exists`;
        if (!table?.exists) return { app: app.name, delivery, mails: [] };
        const { listCaughtMail } = await import('../core/mail/catcher.js');
        return { app: app.name, delivery, mails: await listCaughtMail(deps.sql, { project: app.name, limit }) };
      },
      stripe: {
        async connect(name, input) {
          const app = await backendApp(name);
          return withAppLock(deps.sql, app.id, async () => (await loadStripe()).connect(app, input, stripeWebhookUrl(app)));
        },
        describe: async (name) => {
          const app = await backendApp(name);
          return (await loadStripe()).describe(app, stripeWebhookUrl(app));
        },
        async disconnect(name) {
          const app = await backendApp(name);
          return withAppLock(deps.sql, app.id, async () => (await loadStripe()).disconnect(app, stripeWebhookUrl(app)));
        },
      },
    },

    sourceHook: {
      async beforeRelease(app, sourceDir, log) {
        const { findRepoFunctions } = await import('./functions/repo.js');
        const found = await findRepoFunctions(sourceDir);
        if (!found || found.functions.length === 0) return;
        if (!(await backendEnabled(deps.sql, app))) {
          log.line(`-----> ${found.folder}/ holds functions, but ${app.name} has no backend: \`devflow backend:enable ${app.name}\` deploys them`);
          return;
        }
        await (await loadFunctions()).deployFromSource(app, sourceDir, log);
      },
    },

    async close() {
      if (idleTimer) clearInterval(idleTimer);
      clearInterval(stripeTimer);
      await (await appStripe?.catch(() => undefined))?.close();
      await registry?.close();
      await unmount();
      await (await functions?.catch(() => undefined))?.close();
    },
  };
}
