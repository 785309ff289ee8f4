/**
 * Every environment variable DevFlow reads, in one place (issue 14, "Settings"): one row per
 * variable with its default and meaning (the README's Settings table is checked against these
 * rows by settings.readme.test.ts), and typed readers that parse them once, at the edge
 * (STYLE.md 6). A value that does not parse stops DevFlow with a message naming the variable, the
 * value and what is expected, instead of a silent fall back to the default.
 *
 * This module is light on purpose (no role imports): the CLI loads it on every command.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from './errors.js';
import type { RuntimeKind } from './types.js';

export interface SettingRow {
  name: string;
  /** As the README shows it. */
  default: string;
  meaning: string;
  readBy: 'server' | 'CLI' | 'server, CLI';
}

export const SETTINGS = [
  { name: 'DEVFLOW_HOME', default: '`~/.devflow`', readBy: 'server, CLI', meaning: 'state: embedded database, repositories, build cache, slugs, Traefik YAML, `admin-token`' },
  { name: 'DEVFLOW_DOMAIN', default: '`localhost`', readBy: 'server', meaning: 'apps are served at `<app>.<domain>` (`up --domain`)' },
  { name: 'DEVFLOW_PORT', default: '`7070`', readBy: 'server', meaning: 'API, dashboard and git port (`up --port`)' },
  { name: 'DEVFLOW_HTTP_PORT', default: '`8080`', readBy: 'server', meaning: 'router HTTP port (`up --http-port`)' },
  { name: 'DEVFLOW_HTTPS_PORT', default: '`8443`', readBy: 'server', meaning: 'router HTTPS port (`up --https-port`)' },
  {
    name: 'DEVFLOW_BIND', default: '`0.0.0.0`: every address', readBy: 'server',
    meaning: 'address the API, git and the router listen on. Every address suits a server and a container (compose.yaml); on a laptop set `127.0.0.1` so that the API and your apps are not reachable from the network you are on',
  },
  { name: 'DATABASE_URL', default: 'embedded PostgreSQL in `DEVFLOW_HOME`', readBy: 'server', meaning: 'control-plane PostgreSQL' },
  { name: 'REDIS_URL', default: 'none: the queue runs on PostgreSQL', readBy: 'server', meaning: 'BullMQ on Redis' },
  { name: 'DEVFLOW_RUNTIME', default: '`auto`: docker when an engine answers, else process', readBy: 'server', meaning: '`docker`, `process`, `swarm` (a swarm manager) (`up --runtime`)' },
  { name: 'DEVFLOW_KEEP_RELEASES', default: '`10`', readBy: 'server', meaning: 'builds (images, slugs) of this many newest releases are kept; older ones are removed and can no longer be rolled back to' },
  { name: 'DEVFLOW_RELEASE_TIMEOUT', default: '`300`', readBy: 'server', meaning: 'seconds the release phase may take before the deploy fails' },
  { name: 'DEVFLOW_BUILD_TIMEOUT', default: '`1800`', readBy: 'server', meaning: "seconds a build may take (buildpacks or the Dockerfile); then its commands are stopped, the deploy fails and the previous release keeps serving" },
  { name: 'DEVFLOW_MAX_PREVIEWS', default: '`10`', readBy: 'server', meaning: 'previews per app; at the limit a new one is refused, naming the oldest idle one' },
  { name: 'DEVFLOW_PREVIEW_TTL', default: '`7d`', readBy: 'server', meaning: 'a preview idle this long (`90m`, `36h`, `7d`) is removed' },
  { name: 'DEVFLOW_ACME_DIRECTORY', default: "Let's Encrypt production", readBy: 'server', meaning: 'ACME directory URL for custom-domain certificates' },
  { name: 'DEVFLOW_ACME_EMAIL', default: 'none', readBy: 'server', meaning: 'ACME account contact' },
  { name: 'DEVFLOW_ACME_CA_FILE', default: 'none', readBy: 'server', meaning: "extra CA (PEM) trusted for the ACME server's own HTTPS (pebble, an internal step-ca)" },
  { name: 'DEVFLOW_TLS_CERT_FILE', default: 'self-signed', readBy: 'server', meaning: "the operator's certificate for `*.<domain>` (with `DEVFLOW_TLS_KEY_FILE`)" },
  { name: 'DEVFLOW_TLS_KEY_FILE', default: 'self-signed', readBy: 'server', meaning: 'the key of `DEVFLOW_TLS_CERT_FILE`' },
  { name: 'DEVFLOW_HTTPS_REDIRECT', default: '`off`', readBy: 'server', meaning: "`on`: redirect every app's plain HTTP to HTTPS" },
  { name: 'DEVFLOW_METRICS', default: '`token`', readBy: 'server', meaning: '`public-loopback`: `/metrics` needs no token from the same machine' },
  { name: 'DEVFLOW_LOG_MAX_MB', default: '`100`', readBy: 'server', meaning: 'bound on the runtime logs kept in the store, in MB (oldest lines go first)' },
  { name: 'DEVFLOW_LOG_MAX_DAYS', default: '`7`', readBy: 'server', meaning: 'runtime log lines older than this many days are removed' },
  { name: 'DEVFLOW_AUTH_FAILURES_PER_MIN', default: '`20`', readBy: 'server', meaning: 'requests with wrong credentials allowed per client IP a minute (API and git) before 429' },
  {
    name: 'DEVFLOW_SECRET_KEY', default: '`$DEVFLOW_HOME/secret-key` (created 0600 at first start)', readBy: 'server',
    meaning: '32 bytes (`openssl rand -hex 32`) sealing secrets at rest (AES-256-GCM); replicas must share it',
  },
  { name: 'DEVFLOW_SMTP_URL', default: 'none: an embedded mail catcher', readBy: 'server', meaning: "where the platform's mails go: the app backend's Auth mails, team invitations and email alerts (`--notify mailto:…`) (`smtp://user:pass@host:port`); without it they go to the embedded catcher, whose mails are kept in the store" },
  { name: 'DEVFLOW_STORAGE_S3_URL', default: 'none: files under `$DEVFLOW_HOME/storage`', readBy: 'server', meaning: "the app backend's Storage keeps object bytes in an S3-compatible bucket: `http(s)://KEY:SECRET@host[:port]/bucket[/prefix][?region=R]`" },
  { name: 'DEVFLOW_DOCKER_CLI', default: '`/usr/bin/docker` when present, else `docker` on `PATH`', readBy: 'server', meaning: 'the Docker client that runs Dockerfile builds (Debian\'s runs BuildKit without a buildx plugin)' },
  { name: 'DEVFLOW_API', default: 'what `devflow login` stored, else `http://localhost:7070`', readBy: 'CLI', meaning: 'the DevFlow the CLI talks to' },
  { name: 'DEVFLOW_TOKEN', default: 'what `devflow login` stored, else `$DEVFLOW_HOME/admin-token`', readBy: 'CLI', meaning: 'the API token the CLI sends' },
  { name: 'DEVFLOW_CONFIG', default: '`$XDG_CONFIG_HOME/devflow/credentials.json` (else `~/.config/...`)', readBy: 'CLI', meaning: 'where `devflow login` keeps the API URL and token (mode 0600)' },
  { name: 'DEVFLOW_TRACING', default: '`on`', readBy: 'server', meaning: "the router starts a span for every request and passes a W3C `traceparent` naming it to the app; `off`: requests pass as they came" },
  { name: 'DEVFLOW_TRACE_SAMPLE', default: '`0.1`', readBy: 'server', meaning: "share (0 to 1) of ordinary requests whose traces are kept; errors and slow requests always are (an app's own: `telemetry:enable --sample`)" },
  { name: 'DEVFLOW_TRACE_SLOW_MS', default: '`1000`', readBy: 'server', meaning: 'a request at least this slow (ms) always keeps its router span' },
  { name: 'DEVFLOW_TRACES_DAYS', default: '`7`', readBy: 'server', meaning: 'spans are kept this many days (daily partitions, dropped whole)' },
  {
    name: 'DEVFLOW_GIT_ALLOW_HOSTS', default: 'none', readBy: 'server',
    meaning: "comma-separated hosts or IPs that DevFlow may contact for a user although they are loopback or private: the fetches and API calls of `git:connect`, and an app backend's GitHub Enterprise OAuth URL (`external_github_url`, checked when saved and at each sign-in) (a git server on a private network; tests use 127.0.0.1). Everything else on such addresses is refused",
  },
  { name: 'DEVFLOW_AUDIT_KEEP_MONTHS', default: '`13`', readBy: 'server', meaning: "months of the audit log kept: at start and hourly while running, whole months older than this are dropped (the log's only way out)" },
  { name: 'DEVFLOW_BACKUPS_KEEP', default: '`7`', readBy: 'server', meaning: "scheduled (daily) `pg:backups` kept per app; older ones are removed; manual ones stay until deleted" },
  {
    name: 'DEVFLOW_PUBLIC_URL', default: '`http://localhost:<DEVFLOW_PORT>`', readBy: 'server',
    meaning: "DevFlow's API and dashboard as git hosts and browsers reach them (behind a proxy: `https://devflow.example.com`, a path prefix allowed): the webhook URLs `git:webhook` and `previews:webhook` show, and the log links in commit statuses",
  },
  { name: 'DEVFLOW_FUNCTIONS_TIME_LIMIT', default: '`150`', readBy: 'server', meaning: "seconds an app backend function's invocation may run before its worker is stopped (504 `WORKER_TIMEOUT`)" },
  { name: 'DEVFLOW_FUNCTIONS_MEMORY_MB', default: '`256`', readBy: 'server', meaning: "a function worker's heap limit in MB; past it the worker dies (546 `WORKER_LIMIT`)" },
  { name: 'DEVFLOW_FUNCTIONS_IDLE_STOP', default: '`120`', readBy: 'server', meaning: 'seconds a function worker without a request stays warm before it is stopped' },
  { name: 'DEVFLOW_FUNCTIONS_MAX_WORKERS', default: '`50`', readBy: 'server', meaning: 'function workers running at once, all projects together; a new one stops the longest idle, and with all busy a call gets 503 `WORKER_LIMIT`' },
  {
    name: 'DEVFLOW_FUNCTIONS_UID', default: '`64055`', readBy: 'server',
    meaning: "uid function workers run as when DevFlow is root, kept by the firewall (iptables owner match) from loopback and private addresses except their project's `SUPABASE_URL` and `SUPABASE_DB_URL`; `off`: workers run as DevFlow's user, guarded in Node only",
  },
  { name: 'DEVFLOW_PITR', default: '`on`', readBy: 'server', meaning: "point-in-time recovery of app databases (`pg:restore --to`): the embedded PostgreSQL archives finished WAL segments to `$DEVFLOW_HOME/wal` and a base backup is taken daily into `$DEVFLOW_HOME/basebackups`; `off`: neither (with `DATABASE_URL`, the server's own archiving must write to `$DEVFLOW_HOME/wal`, see compose.yaml)" },
  { name: 'DEVFLOW_PITR_KEEP_DAYS', default: '`7`', readBy: 'server', meaning: 'days back `pg:restore --to` can reach: older base backups go, with the archived WAL only they needed (the newest base backup before the window stays)' },
  { name: 'DEVFLOW_BACKUPS_URL', default: 'none: files under `$DEVFLOW_HOME/backups`', readBy: 'server', meaning: "`pg:backups` go to an S3-compatible bucket instead: `http(s)://KEY:SECRET@host[:port]/bucket[/prefix][?region=R]` (keys `<prefix><app>/b001.dump`); backups taken before it was set stay where they are" },
  { name: 'DEVFLOW_STRIPE_SECRET_KEY', default: 'none: no Stripe for the platform', readBy: 'server', meaning: "the operator's Stripe secret key (`sk_…`): a customer per team, Checkout, the portal, meter events (issue 20). Never logged nor returned (masked)" },
  { name: 'DEVFLOW_STRIPE_WEBHOOK_SECRET', default: 'none: webhooks refused', readBy: 'server', meaning: 'signing secret (`whsec_…`) of the Stripe endpoint pointed at `/api/v1/billing/stripe/webhook`' },
  { name: 'DEVFLOW_STRIPE_API_URL', default: '`https://api.stripe.com`', readBy: 'server', meaning: "Stripe's API base URL (the tests' local stand-in)" },
  { name: 'DEVFLOW_STRIPE_PRICES', default: 'none', readBy: 'server', meaning: 'the Stripe price of each paid plan: `pro=price_…,team=price_…`' },
  { name: 'DEVFLOW_STRIPE_METER_EVENT', default: '`devflow_instance_seconds`', readBy: 'server', meaning: "event name of the Stripe billing meter that teams' instance-seconds are reported to, hourly" },
  { name: 'DEVFLOW_STRIPE_BUILD_METER_EVENT', default: '`devflow_build_seconds`', readBy: 'server', meaning: "event name of the Stripe billing meter that teams' build seconds are reported to, hourly" },
  { name: 'DEVFLOW_STRIPE_EGRESS_METER_EVENT', default: '`devflow_egress_bytes`', readBy: 'server', meaning: "event name of the Stripe billing meter that teams' router egress bytes are reported to, hourly" },
  { name: 'DEVFLOW_STRIPE_GRACE', default: '`7d`', readBy: 'server', meaning: 'a subscription past due or canceled keeps its plan this long (`90m`, `36h`, `7d`, `0m`); then the team is treated as on the free plan' },
  { name: 'DEVFLOW_TRUSTED_PROXIES', default: 'none: only DevFlow\'s own router', readBy: 'server', meaning: "comma-separated addresses or CIDR blocks of proxies in front of DevFlow whose `X-Forwarded-For` entries the app backend's Auth believes for its per-IP limits (a load balancer); from anyone else the header is ignored" },
  {
    name: 'DEVFLOW_MAX_RESTARTS', default: '`5`', readBy: 'server',
    meaning: 'times (1 to 20) a crashing instance is restarted in a row before its slot counts as `crashed`, on every runtime: the Docker engine\'s restart policy, Swarm\'s `MaxAttempts`, the process runtime\'s supervisor. DevFlow then keeps restarting it with a growing delay',
  },
  {
    name: 'DEVFLOW_METRICS_EVERY_SECONDS', default: '`60`', readBy: 'server',
    meaning: 'seconds (5 to 60) between the metrics passes: the router\'s traffic, the instances\' CPU and memory, restarts, app databases and scraped `/metrics`. Rows stay one per minute; a shorter period shows the current minute\'s figures sooner, for more database work',
  },
] as const satisfies readonly SettingRow[];

export type SettingName = (typeof SETTINGS)[number]['name'];
type Env = Readonly<Record<string, string | undefined>>;

const RUNTIMES = ['auto', 'docker', 'process', 'swarm'] as const;
const METRICS_ACCESS = ['token', 'public-loopback'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

/**
 * Everything `devflow up` reads from its environment, parsed. The log limits, the auth-failure
 * limit and the Docker client are read again where they are used (their own readers below), and
 * are here too so that `up` refuses a bad value before it starts anything.
 */
export interface ServerSettings {
  home: string;
  domain: string;
  port: number;
  httpPort: number;
  httpsPort: number;
  bindHost: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  runtime: RuntimeKind | 'auto';
  /** DEVFLOW_SECRET_KEY: seals secrets at rest (core/secrets.ts); default DEVFLOW_HOME/secret-key. */
  secretKey?: string | undefined;
  keepReleases: number;
  releaseTimeoutMs: number;
  /** DEVFLOW_BUILD_TIMEOUT, in ms: a build running longer is stopped (scheduler/build-deadline.ts). */
  buildTimeoutMs: number;
  maxPreviews: number;
  previewTtlMs: number;
  router: RouterVariables;
  logLimits: { maxBytes: number; maxDays: number };
  authFailuresPerMin: number;
  /** DEVFLOW_AUDIT_KEEP_MONTHS: months of the audit log kept (issue 19). */
  auditKeepMonths: number;
  /** DEVFLOW_BACKUPS_KEEP: scheduled pg:backups kept per app (issue 21). */
  backupsKeep: number;
  dockerCli: string | undefined;
  /** DEVFLOW_SMTP_URL: the app backend's Auth mails; undefined means the embedded catcher. */
  smtpUrl: string | undefined;
  /** DEVFLOW_STORAGE_S3_URL: Storage's bytes in S3; undefined means files under DEVFLOW_HOME. */
  storageS3Url: string | undefined;
  tracing: TracingVariables;
  /** DEVFLOW_GIT_ALLOW_HOSTS: loopback or private hosts DevFlow may contact for a user: git host connections (issue 22), a backend's OAuth URL (issue 16). */
  gitAllowHosts: string[];
  /** DEVFLOW_PUBLIC_URL: DevFlow's base URL as others reach it (issue 22); undefined means http://localhost:<port>. */
  publicUrl?: string | undefined;
  /** DEVFLOW_FUNCTIONS_*: the app backend's function workers (issue 17). */
  functions: FunctionsVariables;
  /** DEVFLOW_PITR, DEVFLOW_PITR_KEEP_DAYS: point-in-time recovery (issue 21, addons/pitr). */
  pitr: PitrVariables;
  /** DEVFLOW_BACKUPS_URL: pg:backups in an S3-compatible bucket (issue 21); undefined means files under DEVFLOW_HOME. */
  backupsUrl?: string | undefined;
  /** DEVFLOW_STRIPE_*: Stripe for the platform (issue 20); undefined without a secret key. */
  stripe?: StripeSettings | undefined;
  /** DEVFLOW_TRUSTED_PROXIES: proxies whose X-Forwarded-For the app backend believes (issue 16). */
  trustedProxies?: string[];
  /** DEVFLOW_MAX_RESTARTS: restarts of a crashing instance before its slot is `crashed` (scheduler/crash-loop.ts). */
  maxRestarts: number;
  /** DEVFLOW_METRICS_EVERY_SECONDS, in ms: how often the metrics pass runs (telemetry/metrics/sampler.ts). */
  metricsEveryMs: number;
}

/** Router spans and the span store (issue 18). */
export interface TracingVariables {
  enabled: boolean;
  sampleRatio: number;
  slowMs: number;
  retentionDays: number;
}

/** The router's variables; the files they name are read by the router (router/settings.ts). */
export interface RouterVariables {
  acmeDirectory: string | undefined;
  acmeEmail: string | undefined;
  acmeCaFile: string | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  httpsRedirectAll: boolean;
  metricsAccess: MetricsAccess;
}

/** `up`'s flags win over the variables they stand for. */
export interface ServerFlags {
  port?: string | number;
  httpPort?: string | number;
  httpsPort?: string | number;
  domain?: string;
  home?: string;
  runtime?: string;
}

export function readServerSettings(env: Env, flags: ServerFlags = {}): ServerSettings {
  return {
    home: path.resolve(flags.home ?? readHome(env)),
    domain: parseDomain(flags.domain ?? text(env, 'DEVFLOW_DOMAIN') ?? 'localhost'),
    port: flagOrPort(env, 'DEVFLOW_PORT', '--port', flags.port, 7070),
    httpPort: flagOrPort(env, 'DEVFLOW_HTTP_PORT', '--http-port', flags.httpPort, 8080),
    httpsPort: flagOrPort(env, 'DEVFLOW_HTTPS_PORT', '--https-port', flags.httpsPort, 8443),
    bindHost: parseBindAddress(text(env, 'DEVFLOW_BIND') ?? '0.0.0.0'),
    databaseUrl: text(env, 'DATABASE_URL'),
    redisUrl: text(env, 'REDIS_URL'),
    runtime: parseRuntime(flags.runtime ?? text(env, 'DEVFLOW_RUNTIME') ?? 'auto'),
    secretKey: text(env, 'DEVFLOW_SECRET_KEY'),
    keepReleases: positiveInteger(env, 'DEVFLOW_KEEP_RELEASES', 10),
    releaseTimeoutMs: parseReleaseTimeout(env.DEVFLOW_RELEASE_TIMEOUT),
    buildTimeoutMs: parseBuildTimeout(env.DEVFLOW_BUILD_TIMEOUT),
    maxPreviews: positiveInteger(env, 'DEVFLOW_MAX_PREVIEWS', 10),
    previewTtlMs: parseNamedDuration(env, 'DEVFLOW_PREVIEW_TTL', '7d'),
    router: readRouterVariables(env),
    logLimits: readLogLimits(env),
    authFailuresPerMin: readAuthFailuresPerMin(env),
    auditKeepMonths: readAuditKeepMonths(env),
    backupsKeep: readBackupsKeep(env),
    dockerCli: readDockerCli(env),
    smtpUrl: text(env, 'DEVFLOW_SMTP_URL'),
    storageS3Url: text(env, 'DEVFLOW_STORAGE_S3_URL'),
    tracing: readTracingVariables(env),
    gitAllowHosts: readGitAllowHosts(env),
    publicUrl: readPublicUrl(env),
    functions: readFunctionsVariables(env),
    pitr: readPitrVariables(env),
    backupsUrl: text(env, 'DEVFLOW_BACKUPS_URL'),
    stripe: readStripeSettings(env),
    trustedProxies: readTrustedProxies(env),
    maxRestarts: readMaxRestarts(env),
    metricsEveryMs: readMetricsEverySeconds(env) * 1000,
  };
}

export function readTracingVariables(env: Env): TracingVariables {
  const rawRatio = text(env, 'DEVFLOW_TRACE_SAMPLE');
  const sampleRatio = rawRatio === undefined ? 0.1 : Number(rawRatio);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) refuse('DEVFLOW_TRACE_SAMPLE', rawRatio!, 'a share from 0 to 1, such as 0.1');
  return {
    enabled: text(env, 'DEVFLOW_TRACING') === undefined ? true : onOff(env, 'DEVFLOW_TRACING'),
    sampleRatio,
    slowMs: positiveNumber(env, 'DEVFLOW_TRACE_SLOW_MS', 1000, 'milliseconds'),
    retentionDays: positiveInteger(env, 'DEVFLOW_TRACES_DAYS', 7),
  };
}

export function readRouterVariables(env: Env): RouterVariables {
  const tlsCertFile = text(env, 'DEVFLOW_TLS_CERT_FILE');
  const tlsKeyFile = text(env, 'DEVFLOW_TLS_KEY_FILE');
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    throw new InvalidInputError('set both DEVFLOW_TLS_CERT_FILE and DEVFLOW_TLS_KEY_FILE (the wildcard certificate for *.<domain> and its key), or neither');
  }
  return {
    acmeDirectory: text(env, 'DEVFLOW_ACME_DIRECTORY'),
    acmeEmail: text(env, 'DEVFLOW_ACME_EMAIL'),
    acmeCaFile: text(env, 'DEVFLOW_ACME_CA_FILE'),
    tlsCertFile,
    tlsKeyFile,
    httpsRedirectAll: onOff(env, 'DEVFLOW_HTTPS_REDIRECT'),
    metricsAccess: metricsAccess(env),
  };
}

export function readLogLimits(env: Env): ServerSettings['logLimits'] {
  return {
    maxBytes: Math.round(positiveNumber(env, 'DEVFLOW_LOG_MAX_MB', 100, 'MB') * 1024 * 1024),
    maxDays: positiveNumber(env, 'DEVFLOW_LOG_MAX_DAYS', 7, 'days'),
  };
}

export function readAuthFailuresPerMin(env: Env): number {
  return positiveInteger(env, 'DEVFLOW_AUTH_FAILURES_PER_MIN', 20);
}

/** DEVFLOW_GIT_ALLOW_HOSTS: the hosts trusted despite private addresses (core/outbound-hosts.ts). */
export function readGitAllowHosts(env: Env): string[] {
  return (text(env, 'DEVFLOW_GIT_ALLOW_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter(Boolean);
}

/**
 * DEVFLOW_PUBLIC_URL: an http(s) URL without credentials, query or fragment; kept without its
 * trailing slash so that `${url}/hooks/…` is one slash.
 */
export function readPublicUrl(env: Env): string | undefined {
  const raw = text(env, 'DEVFLOW_PUBLIC_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('DEVFLOW_PUBLIC_URL', raw, 'a URL such as https://devflow.example.com');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    refuse('DEVFLOW_PUBLIC_URL', raw, 'an http(s) URL without credentials, query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/** DEVFLOW_TRUSTED_PROXIES: IP addresses and CIDR blocks (`10.0.0.0/8`), checked here so a typo stops `up`. */
export function readTrustedProxies(env: Env): string[] {
  const entries = (text(env, 'DEVFLOW_TRUSTED_PROXIES') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const bits = Number(prefix);
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128));
    if (family === 0 || !prefixOk || extra !== undefined) refuse('DEVFLOW_TRUSTED_PROXIES', entry, 'IP addresses or CIDR blocks, comma-separated, such as 10.0.0.0/8,192.0.2.7');
  }
  return entries;
}

/** The restarts a crashing instance gets before it counts as crashed, when DEVFLOW_MAX_RESTARTS is unset. */
export const DEFAULT_MAX_RESTARTS = 5;
/** Past this, the process runtime's growing delays (scheduler/crash-loop.ts) would hide a crash loop for hours. */
const MOST_RESTARTS = 20;

/**
 * DEVFLOW_MAX_RESTARTS. At least 1: the engines read 0 as "no limit" (Docker's MaximumRetryCount,
 * Swarm's MaxAttempts), so a crashing instance would never be reported.
 */
export function readMaxRestarts(env: Env): number {
  const raw = text(env, 'DEVFLOW_MAX_RESTARTS');
  if (raw === undefined) return DEFAULT_MAX_RESTARTS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MOST_RESTARTS) refuse('DEVFLOW_MAX_RESTARTS', raw, `a whole number from 1 to ${MOST_RESTARTS}`);
  return n;
}

/** Below this the pass's queries and scrapes (per app) would run almost without a break on a platform with many apps. */
const FEWEST_METRICS_SECONDS = 5;

/**
 * DEVFLOW_METRICS_EVERY_SECONDS, default 60. At most 60: the rows are per minute, and a longer
 * period would leave minutes without a row of their own.
 */
export function readMetricsEverySeconds(env: Env): number {
  const raw = text(env, 'DEVFLOW_METRICS_EVERY_SECONDS');
  if (raw === undefined) return 60;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < FEWEST_METRICS_SECONDS || n > 60) refuse('DEVFLOW_METRICS_EVERY_SECONDS', raw, `a whole number from ${FEWEST_METRICS_SECONDS} to 60`);
  return n;
}

/** DEVFLOW_AUDIT_KEEP_MONTHS (issue 19, accounts/audit.ts). */
export function readAuditKeepMonths(env: Env): number {
  return positiveInteger(env, 'DEVFLOW_AUDIT_KEEP_MONTHS', 13);
}

/** DEVFLOW_BACKUPS_KEEP (issue 21, addons/backups). */
export function readBackupsKeep(env: Env): number {
  return positiveInteger(env, 'DEVFLOW_BACKUPS_KEEP', 7);
}

export function readDockerCli(env: Env): string | undefined {
  return text(env, 'DEVFLOW_DOCKER_CLI');
}

/** What the CLI reads: where DevFlow is, the token, where `login` keeps them. */
export interface CliSettings {
  api: string | undefined;
  token: string | undefined;
  configFile: string | undefined;
  home: string;
}

export function readCliSettings(env: Env): CliSettings {
  const api = text(env, 'DEVFLOW_API');
  return {
    api: api?.replace(/\/+$/, ''),
    token: text(env, 'DEVFLOW_TOKEN'),
    configFile: text(env, 'DEVFLOW_CONFIG'),
    home: readHome(env),
  };
}

function readHome(env: Env): string {
  return text(env, 'DEVFLOW_HOME') ?? path.join(os.homedir(), '.devflow');
}

/** A variable's value, trimmed; unset and blank are the same (an empty `FOO=` in a unit file). */
function text(env: Env, name: SettingName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function refuse(name: string, value: string | number, expected: string): never {
  throw new InvalidInputError(`${name} must be ${expected}, got "${value}"`);
}

function flagOrPort(env: Env, name: SettingName, flag: string, flagValue: string | number | undefined, fallback: number): number {
  return flagValue === undefined ? parsePort(name, text(env, name) ?? fallback) : parsePort(flag, flagValue);
}

function parsePort(name: string, value: string | number): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) refuse(name, value, 'a port number from 0 to 65535');
  return port;
}

function positiveInteger(env: Env, name: SettingName, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) refuse(name, raw, 'a whole number of 1 or more');
  return n;
}

function positiveNumber(env: Env, name: SettingName, fallback: number, unit: string): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) refuse(name, raw, `a positive number of ${unit}`);
  return n;
}

/** DEVFLOW_RELEASE_TIMEOUT, in seconds, as milliseconds. */
export function parseReleaseTimeout(value: string | undefined): number {
  return Math.round(positiveNumber({ DEVFLOW_RELEASE_TIMEOUT: value }, 'DEVFLOW_RELEASE_TIMEOUT', 300, 'seconds') * 1000);
}

/** DEVFLOW_BUILD_TIMEOUT, in seconds, as milliseconds. */
export function parseBuildTimeout(value: string | undefined): number {
  return Math.round(positiveNumber({ DEVFLOW_BUILD_TIMEOUT: value }, 'DEVFLOW_BUILD_TIMEOUT', 1800, 'seconds') * 1000);
}

/** `90m`, `36h`, `7d` in milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)\s*(m|h|d)$/.exec(value.trim());
  if (!match) throw new InvalidInputError(`"${value}" is not a duration like 90m, 36h or 7d`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function parseNamedDuration(env: Env, name: SettingName, fallback: string): number {
  const raw = text(env, name) ?? fallback;
  try {
    return parseDuration(raw);
  } catch {
    return refuse(name, raw, 'a duration like 90m, 36h or 7d');
  }
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

function onOff(env: Env, name: SettingName): boolean {
  const raw = text(env, name);
  const v = (raw ?? 'off').toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InvalidInputError(`${name}="${raw}" is not on or off`);
}

export function metricsAccess(env: Env): MetricsAccess {
  const value = text(env, 'DEVFLOW_METRICS') ?? 'token';
  if ((METRICS_ACCESS as readonly string[]).includes(value)) return value as MetricsAccess;
  throw new InvalidInputError(`DEVFLOW_METRICS="${value}" is unknown: use "token" (the default) or "public-loopback"`);
}

function parseRuntime(value: string): RuntimeKind | 'auto' {
  if ((RUNTIMES as readonly string[]).includes(value)) return value as RuntimeKind | 'auto';
  throw new InvalidInputError(`runtime "${value}" is unknown: use one of ${RUNTIMES.join(', ')}`);
}

/** An IP address or a host name to listen on. */
function parseBindAddress(value: string): string {
  if (net.isIP(value) !== 0 || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(value)) return value;
  return refuse('DEVFLOW_BIND', value, 'an IP address such as 127.0.0.1 or 0.0.0.0, or a host name');
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function parseDomain(value: string): string {
  const domain = value.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) {
    throw new InvalidInputError(`domain "${value}" is not a valid DNS name (e.g. "localhost" or "apps.example.com")`);
  }
  return domain;
}

/** The app backend's function workers (issue 17, backend/functions/). */
export interface FunctionsVariables {
  timeLimitMs: number;
  memoryMb: number;
  idleMs: number;
  maxWorkers: number;
  /** undefined: workers run as DevFlow's own user. */
  uid: number | undefined;
}

export function readFunctionsVariables(env: Env): FunctionsVariables {
  const rawUid = text(env, 'DEVFLOW_FUNCTIONS_UID') ?? '64055';
  const uid = rawUid === 'off' ? undefined : Number(rawUid);
  if (uid !== undefined && (!Number.isInteger(uid) || uid < 1 || uid > 4_294_967_294)) refuse('DEVFLOW_FUNCTIONS_UID', rawUid, 'a uid other than 0 (root), or off');
  return {
    timeLimitMs: Math.round(positiveNumber(env, 'DEVFLOW_FUNCTIONS_TIME_LIMIT', 150, 'seconds') * 1000),
    memoryMb: positiveInteger(env, 'DEVFLOW_FUNCTIONS_MEMORY_MB', 256),
    idleMs: Math.round(positiveNumber(env, 'DEVFLOW_FUNCTIONS_IDLE_STOP', 120, 'seconds') * 1000),
    maxWorkers: positiveInteger(env, 'DEVFLOW_FUNCTIONS_MAX_WORKERS', 50),
    uid,
  };
}

/** Point-in-time recovery (issue 21, addons/pitr). */
export interface PitrVariables {
  enabled: boolean;
  keepDays: number;
}

export function readPitrVariables(env: Env): PitrVariables {
  return {
    enabled: text(env, 'DEVFLOW_PITR') === undefined ? true : onOff(env, 'DEVFLOW_PITR'),
    keepDays: positiveInteger(env, 'DEVFLOW_PITR_KEEP_DAYS', 7),
  };
}

/** Stripe for the platform (issue 20, billing/stripe/). */
export interface StripeSettings {
  secretKey: string;
  webhookSecret: string | undefined;
  apiUrl: string;
  /** Plan name → Stripe price id. */
  prices: Record<string, string>;
  meterEvent: string;
  buildMeterEvent: string;
  egressMeterEvent: string;
  graceMs: number;
}

export function readStripeSettings(env: Env): StripeSettings | undefined {
  // Every variable is read (and checked) even without a key, so that a typo in one is caught.
  const secretKey = text(env, 'DEVFLOW_STRIPE_SECRET_KEY');
  const webhookSecret = text(env, 'DEVFLOW_STRIPE_WEBHOOK_SECRET');
  const apiUrl = text(env, 'DEVFLOW_STRIPE_API_URL') ?? 'https://api.stripe.com';
  const pairs = (text(env, 'DEVFLOW_STRIPE_PRICES') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const meterEvent = text(env, 'DEVFLOW_STRIPE_METER_EVENT') ?? 'devflow_instance_seconds';
  const buildMeterEvent = text(env, 'DEVFLOW_STRIPE_BUILD_METER_EVENT') ?? 'devflow_build_seconds';
  const egressMeterEvent = text(env, 'DEVFLOW_STRIPE_EGRESS_METER_EVENT') ?? 'devflow_egress_bytes';
  const graceMs = parseNamedDuration(env, 'DEVFLOW_STRIPE_GRACE', '7d');
  if (!/^https?:\/\/[^/]+\/?$/.test(apiUrl)) refuse('DEVFLOW_STRIPE_API_URL', apiUrl, 'a base URL such as https://api.stripe.com');
  const prices: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^(\w+)=(price_\w+)$/.exec(pair);
    if (!m) return refuse('DEVFLOW_STRIPE_PRICES', pair, 'plan=price_… pairs separated by commas, e.g. pro=price_123,team=price_456');
    prices[m[1]!] = m[2]!;
  }
  if (secretKey === undefined) return undefined;
  if (!/^(sk|rk)_(test|live)_\w+$/.test(secretKey)) refuse('DEVFLOW_STRIPE_SECRET_KEY', `${secretKey.slice(0, 8)}…`, 'a Stripe secret key, sk_live_… or sk_test_…');
  return { secretKey, webhookSecret, apiUrl: apiUrl.replace(/\/$/, ''), prices, meterEvent, buildMeterEvent, egressMeterEvent, graceMs };
}
