/**
 * The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. Hand-written as data:
 * one entry per operation, with the scope it needs (`x-devflow-scope`, which scopes.ts decides and
 * a test compares). The end-to-end tests validate every response they get against it, and a test
 * checks that every route the server registers is described here.
 */
import type { Scope } from '../core/store/tokens.js';
import { SCHEMAS, arrayOf, object, ref, type Schema } from './openapi-schemas.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Body = { json: Schema } | { text: true } | { binary: true } | { events: true } | { jsonOrText: Schema } | { ndjsonOrJson: { line: Schema; json: Schema } };

export interface Operation {
  method: Method;
  path: string;
  summary: string;
  scope: Scope | 'public';
  status?: number;
  request?: Schema;
  response: Body;
  query?: Record<string, Schema>;
  /** The PRD's alias path served by the same handler. */
  alias?: string;
}

const nullableOf = (type: string): Schema => ({ type: [type, 'null'] });
const STRIPE_CONNECTION = object({
  app: { type: 'string' }, connected: { type: 'boolean' }, secretKey: nullableOf('string'), webhookSecret: nullableOf('string'),
  livemode: nullableOf('boolean'), connectedAt: nullableOf('string'), webhookUrl: { type: 'string' },
});

const paged = { limit: { type: 'integer', minimum: 1, maximum: 200 }, cursor: { type: 'string' } };

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/apps', summary: 'List apps with their status and URL', scope: 'read', response: { json: arrayOf('App') }, query: paged, alias: '/projects' },
  { method: 'post', path: '/apps', summary: 'Create an app', scope: 'admin', status: 201, request: ref('NewApp'), response: { json: ref('App') } },
  { method: 'get', path: '/apps/{app}', summary: 'Show an app', scope: 'read', response: { json: ref('App') }, alias: '/projects/{app}' },
  { method: 'delete', path: '/apps/{app}', summary: 'Destroy an app, its instances and repository', scope: 'admin', response: { json: ref('Deleted') } },
  { method: 'get', path: '/apps/{app}/deployments', summary: "List an app's deployments, newest first", scope: 'read', response: { json: arrayOf('Deployment') }, query: paged, alias: '/projects/{app}/deployments' },
  { method: 'post', path: '/apps/{app}/deployments', summary: 'Deploy a ref already pushed to the app, without a push', scope: 'deploy', status: 202, request: ref('DeployRequest'), response: { json: ref('Deployment') }, alias: '/projects/{app}/deployments' },
  { method: 'post', path: '/apps/{app}/deployments/{id}/cancel', summary: 'Cancel a queued or building deployment: its build is stopped, the push refused, the running release keeps serving (200 once it ended, 202 while its DevFlow still stops it; 409 once releasing or ended)', scope: 'deploy', response: { json: ref('Deployment') } },
  { method: 'get', path: '/deployments/{id}', summary: 'Show a deployment', scope: 'read', response: { json: ref('Deployment') } },
  { method: 'get', path: '/deployments/{id}/log', summary: "A deployment's build and release log (?follow=true streams it until it ends)", scope: 'read', response: { text: true }, query: { follow: { type: 'boolean' } } },
  { method: 'get', path: '/apps/{app}/releases', summary: "List an app's releases, newest first", scope: 'read', response: { json: arrayOf('Release') }, query: paged, alias: '/projects/{app}/releases' },
  { method: 'post', path: '/apps/{app}/rollback', summary: 'Roll back to an earlier release (a new release with its build and config)', scope: 'deploy', status: 201, request: ref('RollbackRequest'), response: { json: ref('RolledBack') }, alias: '/projects/{app}/rollback' },
  { method: 'get', path: '/apps/{app}/config', summary: "The app's config vars", scope: 'deploy', response: { json: ref('ConfigVars') }, alias: '/projects/{app}/config' },
  { method: 'patch', path: '/apps/{app}/config', summary: 'Set and unset config vars (a new release)', scope: 'deploy', request: ref('ConfigPatch'), response: { json: ref('ConfigChanged') } },
  { method: 'get', path: '/apps/{app}/config/database', summary: "The connection settings of the app's database", scope: 'deploy', response: { json: ref('DatabaseSettings') } },
  { method: 'get', path: '/apps/{app}/backend', summary: "The app backend's URL and keys (Supabase-compatible: url, anonKey, serviceRoleKey) and settings", scope: 'deploy', response: { json: ref('Backend') } },
  { method: 'post', path: '/apps/{app}/backend', summary: 'Enable the app backend: provision its database, make its keys, release a running app again so its processes get the variables (200 when already enabled)', scope: 'deploy', status: 201, response: { json: ref('BackendEnabled') } },
  { method: 'patch', path: '/apps/{app}/backend', summary: 'Change backend settings: keyless requests as anon (local development), auth settings', scope: 'deploy', request: ref('BackendSettings'), response: { json: ref('Backend') } },
  { method: 'get', path: '/apps/{app}/database/schema', summary: "The database studio: the app database's tables and views, columns, keys and row-level security policies", scope: 'deploy', response: { json: ref('DatabaseSchema') } },
  { method: 'post', path: '/apps/{app}/database/query', summary: "The database studio's SQL editor: run SQL as the app database's owner (400 sql_error with line and column when PostgreSQL refuses it)", scope: 'deploy', request: ref('SqlQuery'), response: { json: ref('SqlResult') } },
  { method: 'get', path: '/apps/{app}/database/history', summary: "The caller's newest SQL editor queries on this app", scope: 'deploy', response: { json: ref('SqlHistory') } },
  { method: 'get', path: '/apps/{app}/usage', summary: 'What the app used in a month (?month=YYYY-MM, default this one, UTC): instance-seconds by size, one-off run seconds, build seconds, requests, egress bytes, database and storage bytes', scope: 'read', response: { json: ref('Usage') } },
  { method: 'get', path: '/apps/{app}/processes', summary: 'The process formation and running instances', scope: 'read', response: { json: ref('Processes') }, alias: '/projects/{app}/processes' },
  { method: 'patch', path: '/apps/{app}/processes/{type}', summary: 'Scale a process type (replicas, size)', scope: 'deploy', request: ref('ScaleRequest'), response: { json: ref('Formation') } },
  { method: 'get', path: '/apps/{app}/domains', summary: 'Custom domains and their certificate state', scope: 'read', response: { json: arrayOf('Domain') } },
  { method: 'post', path: '/apps/{app}/domains', summary: 'Add a custom domain (a certificate is requested at once)', scope: 'deploy', status: 201, request: ref('NewDomain'), response: { json: ref('Domain') } },
  { method: 'delete', path: '/apps/{app}/domains/{domain}', summary: 'Remove a custom domain', scope: 'deploy', response: { json: ref('Deleted') } },
  { method: 'put', path: '/apps/{app}/https-redirect', summary: 'Redirect plain HTTP to HTTPS for the app ({"enabled": true})', scope: 'deploy', request: object({ enabled: { type: 'boolean' } }), response: { json: ref('HttpsRedirect') } },
  { method: 'get', path: '/apps/{app}/previews', summary: 'Preview environments and their URLs', scope: 'read', response: { json: arrayOf('Preview') } },
  { method: 'delete', path: '/apps/{app}/previews/{slug}', summary: 'Remove a preview environment', scope: 'deploy', response: { json: ref('Deleted') } },
  { method: 'get', path: '/apps/{app}/previews/webhook', summary: 'The pull-request webhook URL and secret', scope: 'deploy', response: { json: ref('PreviewWebhook') } },
  { method: 'post', path: '/apps/{app}/previews/webhook', summary: 'Rotate the pull-request webhook secret', scope: 'deploy', response: { json: ref('PreviewWebhook') } },
  { method: 'get', path: '/apps/{app}/previews/config', summary: 'Config overrides for previews', scope: 'deploy', response: { json: ref('ConfigVars') } },
  { method: 'patch', path: '/apps/{app}/previews/config', summary: 'Set and unset config overrides for previews', scope: 'deploy', request: ref('ConfigPatch'), response: { json: ref('ConfigVars') } },
  { method: 'get', path: '/apps/{app}/logs', summary: "The app's runtime logs (?follow=true streams new lines)", scope: 'read', response: { jsonOrText: arrayOf('LogLine') },
    query: { lines: { type: 'integer', minimum: 0, maximum: 1000 }, process: { type: 'string' }, follow: { type: 'boolean' }, format: { type: 'string', enum: ['text', 'json'] },
      query: { type: 'string', description: 'log query: terms, "phrases", field:value, status>=500, -negation, OR, (groups)' }, since: { type: 'string', description: '2h or an ISO time' }, until: { type: 'string', description: '30m or an ISO time' } } },
  { method: 'get', path: '/events', summary: 'Live events (server-sent events): deployment.state, deployment.log, release.created, app.changed', scope: 'read', response: { events: true },
    query: { app: { type: 'string' }, ticket: { type: 'string' } } },
  { method: 'post', path: '/events/ticket', summary: 'A 60-second read ticket for EventSource (?ticket=)', scope: 'read', status: 201, response: { json: ref('Ticket') } },
  { method: 'get', path: '/tokens', summary: 'List API tokens', scope: 'admin', response: { json: arrayOf('Token') }, query: paged },
  { method: 'post', path: '/tokens', summary: 'Create an API token (the secret is shown once)', scope: 'admin', status: 201, request: ref('NewToken'), response: { json: ref('CreatedToken') } },
  { method: 'delete', path: '/tokens/{id}', summary: 'Revoke an API token', scope: 'admin', response: { json: ref('Revoked') } },
  { method: 'get', path: '/apps/{app}/functions', summary: "The backend's Edge Functions: name, live version, invocations, errors", scope: 'read', response: { json: arrayOf('Function') } },
  { method: 'put', path: '/apps/{app}/functions/{name}', summary: 'Deploy a function from its folder (body as application/vnd.devflow.function+json, files base64, up to 50 MB): a new version', scope: 'deploy', request: ref('FunctionUpload'), response: { json: ref('Function') } },
  { method: 'get', path: "/apps/{app}/functions/{name}/logs", summary: "A function's newest log lines: its output per invocation and one line per invocation", scope: 'read', response: { json: arrayOf('FunctionLogLine') }, query: { lines: { type: 'integer', minimum: 1, maximum: 2000 } } },
  { method: 'get', path: '/apps/{app}/addons', summary: "The app's add-ons (redis, postgres extras), connections masked", scope: 'read', response: { json: arrayOf('Addon') } },
  { method: 'post', path: '/apps/{app}/addons', summary: 'Create an add-on; the variables it binds (REDIS_URL) make a new release', scope: 'deploy', status: 201, request: ref('NewAddon'), response: { json: ref('CreatedAddon') } },
  { method: 'delete', path: '/apps/{app}/addons/{addon}', summary: 'Destroy an add-on (by kind or name) and unset its variables', scope: 'deploy', response: { json: object({ deleted: { type: 'string' }, release: { type: ['integer', 'null'] } }) } },
  { method: 'post', path: '/apps/{app}/runs', summary: 'Run a command once in the current release (devflow run): output streamed as JSON lines ({"run"}, {"line"}…, {"exit","state"}); killed when the client goes away unless detach', scope: 'deploy', request: ref('NewRun'),
    response: { ndjsonOrJson: { line: ref('RunEvent'), json: ref('Run') } } },
  { method: 'get', path: '/apps/{app}/runs', summary: 'Recent one-off and cron runs with state and exit code', scope: 'read', response: { json: arrayOf('Run') } },
  { method: 'get', path: '/apps/{app}/runs/{id}', summary: "A run and the tail of its output", scope: 'read', response: { json: ref('Run') } },
  { method: 'get', path: '/apps/{app}/cron', summary: "The app's scheduled jobs (app.json cron): last run, status, next run, runs missed while DevFlow was down", scope: 'read', response: { json: arrayOf('CronJob') } },
  { method: 'get', path: '/apps/{app}/pg/backups', summary: "The app database's backups (pg:backups), newest first: name, kind, state, size, checksum", scope: 'read', response: { json: arrayOf('Backup') } },
  { method: 'post', path: '/apps/{app}/pg/backups', summary: "Back up the app's database now (pg_dump); answers when the backup is written", scope: 'deploy', status: 201, response: { json: ref('Backup') } },
  { method: 'delete', path: '/apps/{app}/pg/backups/{backup}', summary: 'Delete a backup and its file', scope: 'deploy', response: { json: ref('Backup') } },
  { method: 'get', path: '/apps/{app}/pg/backups/{backup}/download', summary: "The backup's file (pg_dump custom format, for pg_restore); X-Checksum-Sha256 carries its checksum", scope: 'deploy', response: { binary: true } },
  { method: 'post', path: '/apps/{app}/pg/backups/{backup}/restore', summary: "Restore a backup into the app (or toApp) after a safety backup of the data it replaces; the app's sessions are ended by the swap", scope: 'deploy', request: ref('BackupRestore'), response: { json: ref('BackupRestored') } },
  { method: 'get', path: '/openapi.json', summary: 'This document', scope: 'public', response: { json: { type: 'object' } } },
  { method: 'get', path: '/apps/{app}/telemetry', summary: "Whether telemetry is enabled, the OTLP endpoint and the app's ingest token, its sampling", scope: 'deploy', response: { json: ref('Telemetry') } },
  { method: 'post', path: '/apps/{app}/telemetry', summary: 'Enable telemetry: an ingest token and OTEL_ variables from the next release; optional own sampling (200 when already enabled)', scope: 'deploy', status: 201, request: ref('TelemetrySettings'), response: { json: ref('Telemetry') } },
  { method: 'delete', path: '/apps/{app}/telemetry', summary: 'Disable telemetry: the ingest token stops working, OTEL_ variables go at the next release', scope: 'deploy', response: { json: ref('Telemetry') } },
  { method: 'get', path: '/apps/{app}/traces', summary: 'Traces of the app: their entry spans, newest (or slowest) first', scope: 'read', response: { json: arrayOf('TraceSummary') },
    query: { since: { type: 'string', description: 'a duration like 90m, 1h, 2d' }, slowest: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 200 } } },
  { method: 'get', path: '/apps/{app}/traces/{traceId}', summary: 'One trace: all its spans, the router\'s and the app\'s', scope: 'read', response: { json: ref('Trace') } },
  { method: 'get', path: '/apps/{app}/git', summary: "The app's connected repository (token masked), webhook URL and last deliveries", scope: 'deploy', response: { json: ref('GitConnection') } },
  { method: 'put', path: '/apps/{app}/git', summary: 'Connect the app to a repository on GitHub, Gitea or GitLab (replaces a connection)', scope: 'deploy', request: ref('GitConnect'), response: { json: ref('GitConnection') } },
  { method: 'delete', path: '/apps/{app}/git', summary: 'Disconnect the repository (the app and its releases stay)', scope: 'deploy', response: { json: ref('Deleted') } },
  { method: 'get', path: '/apps/{app}/git/webhook', summary: "The repository webhook's URL and secret (push and pull-request events)", scope: 'deploy', response: { json: ref('PreviewWebhook') } },
  { method: 'post', path: '/apps/{app}/git/webhook', summary: 'Rotate the webhook secret (shared with the pull-request webhook)', scope: 'deploy', response: { json: ref('PreviewWebhook') } },
  { method: 'post', path: '/apps/{app}/git/deploy', summary: "Fetch the deploy branch's head from the host and deploy it, whatever it touches", scope: 'deploy', status: 202, response: { json: ref('Deployment') } },
  { method: 'get', path: '/apps/{app}/errors', summary: "The app's exceptions grouped by fingerprint, most recently seen first", scope: 'read', response: { json: arrayOf('ErrorGroup') },
    query: { since: { type: 'string', description: '24h or an ISO time: groups seen since then' } } },
  { method: 'get', path: '/apps/{app}/alerts', summary: "The app's alert rules, their state, and the notifications sent", scope: 'read', response: { json: ref('Alerts') } },
  { method: 'post', path: '/apps/{app}/alerts', summary: 'Add an alert rule ("if": "5xx_rate > 5% for 5m", "notify": a webhook URL or mailto:)', scope: 'deploy', status: 201, request: ref('NewAlertRule'), response: { json: ref('AlertRule') } },
  { method: 'delete', path: '/apps/{app}/alerts/{id}', summary: 'Remove an alert rule', scope: 'deploy', response: { json: object({ removed: { type: 'integer' } }) } },
  { method: 'get', path: '/apps/{app}/metrics', summary: 'Request rate, latency percentiles, status classes per process type (1-minute rows up to a day, 1-hour beyond)', scope: 'read', response: { json: ref('AppMetrics') },
    query: { since: { type: 'string', description: '1h (default) or an ISO time' }, until: { type: 'string' } } },
  // Issue 19, accounts: people, sessions, teams, roles, the audit log.
  { method: 'post', path: '/auth/signup', summary: 'Sign up with email and password (the first person is the owner; an invitation code joins its team)', scope: 'public', status: 201, request: ref('SignUp'), response: { json: ref('Session') } },
  { method: 'post', path: '/auth/login', summary: 'Sign in with email and password: a 15-minute access token and a refresh token (failed attempts are limited per account and IP)', scope: 'public', request: ref('SignIn'), response: { json: ref('Session') } },
  { method: 'post', path: '/auth/refresh', summary: 'Trade a refresh token for a new pair (once)', scope: 'public', request: object({ refreshToken: { type: 'string' } }), response: { json: ref('Session') } },
  { method: 'post', path: '/auth/logout', summary: 'End this session, or every session of the person ({"everywhere": true})', scope: 'read', request: object({ everywhere: { type: 'boolean' } }, []), response: { json: object({ ended: { type: 'integer' } }) } },
  { method: 'get', path: '/auth/me', summary: 'Who this credential is, and their teams and roles', scope: 'read', response: { json: ref('Me') } },
  { method: 'post', path: '/auth/invitations/accept', summary: 'Join the team an invitation names', scope: 'read', request: object({ code: { type: 'string' } }), response: { json: object({ team: { type: 'string' }, role: { type: 'string' } }) } },
  { method: 'post', path: '/auth/password-reset', summary: 'Mail a one-time password reset code (the same answer whether or not the email has an account)', scope: 'public', status: 202, request: object({ email: { type: 'string' } }), response: { json: object({ email: { type: 'string' }, mailed: { type: 'string' } }) } },
  { method: 'post', path: '/auth/password-reset/confirm', summary: 'Set a new password with the mailed code; every session of the person ends', scope: 'public', request: object({ email: { type: 'string' }, code: { type: 'string' }, password: { type: 'string' } }), response: { json: object({ sessionsEnded: { type: 'integer' } }) } },
  { method: 'get', path: '/teams', summary: "The caller's teams and their role in each", scope: 'read', response: { json: arrayOf('Team') } },
  { method: 'post', path: '/teams', summary: 'Create a team (its maker is its owner)', scope: 'admin', status: 201, request: object({ name: { type: 'string' } }), response: { json: ref('Team') } },
  { method: 'get', path: '/teams/{team}/members', summary: "A team's members and their roles", scope: 'read', response: { json: arrayOf('Member') } },
  { method: 'post', path: '/teams/{team}/invitations', summary: 'Invite someone by email with a role (owner, admin, developer, viewer)', scope: 'admin', status: 201, request: ref('NewInvitation'), response: { json: ref('Invitation') } },
  { method: 'patch', path: '/teams/{team}/members/{email}', summary: "Change a member's role", scope: 'admin', request: object({ role: { type: 'string', enum: ['owner', 'admin', 'developer', 'viewer'] } }), response: { json: object({ email: { type: 'string' }, role: { type: 'string' } }) } },
  { method: 'delete', path: '/teams/{team}/members/{email}', summary: 'Remove a member: their sessions and tokens end at once', scope: 'admin', response: { json: object({ removed: { type: 'string' }, sessionsEnded: { type: 'integer' }, tokensRevoked: { type: 'integer' } }) } },
  { method: 'get', path: '/apps/{app}/access', summary: "Who can do what on an app: its team's members and roles", scope: 'read', response: { json: ref('AppAccess') } },
  { method: 'get', path: '/audit', summary: 'The audit log of the teams the caller administers, newest first (?format=jsonl for JSON lines)', scope: 'admin', response: { jsonOrText: arrayOf('AuditEntry') },
    query: { ...paged, team: { type: 'string' }, app: { type: 'string' }, since: { type: 'string' }, format: { type: 'string', enum: ['json', 'jsonl'] } } },
  // Issue 17, studio: the app backend's live Realtime channels.
  { method: 'get', path: '/apps/{app}/realtime/channels', summary: "The app backend's live Realtime channels and how many subscribers each has", scope: 'read', response: { json: arrayOf('RealtimeChannel') } },
  { method: 'get', path: '/teams/{team}/usage', summary: "What a team's apps used in a month (?month=YYYY-MM, default this one, UTC): the sums and each app's own", scope: 'read', response: { json: ref('TeamUsage') } },
  { method: 'get', path: '/plans', summary: 'The plans, their quotas and monthly prices', scope: 'read', response: { json: arrayOf('Plan') } },
  { method: 'get', path: '/teams/{team}/plan', summary: "The team's plan (null: no quotas) and what it has and used this month", scope: 'read', response: { json: ref('TeamPlan') } },
  { method: 'put', path: '/teams/{team}/plan', summary: 'Put the team on a plan ({"plan": "pro"}, or "none": no quotas); the instance\'s operators only', scope: 'admin', request: object({ plan: { type: 'string' } }), response: { json: object({ team: { type: 'string' }, plan: { anyOf: [ref('Plan'), { type: 'null' }] } }) } },
  // Issue 19, two-factor sign-in (TOTP, RFC 6238) for the person signed in.
  { method: 'get', path: '/auth/totp', summary: 'Whether two-factor sign-in is on for the person signed in', scope: 'read', response: { json: object({ enabled: { type: 'boolean' } }) } },
  { method: 'post', path: '/auth/totp', summary: 'Start two-factor enrolment: a TOTP secret, its otpauth:// URI, and that URI as an SVG QR code', scope: 'read', status: 201, response: { json: object({ secret: { type: 'string' }, uri: { type: 'string' }, qrSvg: { type: 'string' } }) } },
  { method: 'post', path: '/auth/totp/confirm', summary: 'Turn two-factor sign-in on with a code from the app; answers ten recovery codes, shown once', scope: 'read', request: object({ code: { type: 'string' } }), response: { json: object({ enabled: { type: 'boolean' }, recoveryCodes: { type: 'array', items: { type: 'string' } } }) } },
  { method: 'post', path: '/auth/totp/disable', summary: 'Turn two-factor sign-in off with a current code or a recovery code', scope: 'read', request: object({ code: { type: 'string' } }), response: { json: object({ enabled: { type: 'boolean' } }) } },
  { method: 'post', path: '/apps/{app}/pg/restore', summary: "Recover the app's database as it was at a time into a NEW database (base backup + WAL replay on a temporary server); answers 202 with the restore running, which GET …/pg/restores shows ready or failed; the live database is untouched until promote", scope: 'deploy', status: 202, request: ref('PitrRestoreRequest'), response: { json: ref('PitrRestore') } },
  { method: 'get', path: '/apps/{app}/pg/restores', summary: "The app's point-in-time restores, newest first: time, database, state", scope: 'read', response: { json: arrayOf('PitrRestore') } },
  { method: 'post', path: '/apps/{app}/pg/restores/{restore}/promote', summary: "The restored database takes the live one's place, after a pg:backups safety backup of it; the app's sessions are ended by the swap", scope: 'deploy', request: ref('PitrPromote'), response: { json: ref('PitrRestore') } },
  { method: 'delete', path: '/apps/{app}/pg/restores/{restore}', summary: "Discard a ready restore: its database is dropped, the live one stays", scope: 'deploy', response: { json: ref('PitrRestore') } },
  { method: 'get', path: '/pg/basebackups', summary: 'Base backups of the platform PostgreSQL and the earliest time a restore can reach (operators)', scope: 'admin', response: { json: ref('PitrStatus') } },
  { method: 'post', path: '/pg/basebackups', summary: 'Take a base backup of the platform PostgreSQL now (pg_basebackup); answers when it is written (operators)', scope: 'admin', status: 201, response: { json: ref('BaseBackup') } },
  // Issue 20, Stripe for apps (backend/stripe/): the secrets are only ever shown masked (sk_test_…abcd).
  { method: 'get', path: '/apps/{app}/stripe', summary: "The app's Stripe connection, its secrets masked, and the webhook URL to give Stripe", scope: 'read', response: { json: STRIPE_CONNECTION } },
  { method: 'put', path: '/apps/{app}/stripe', summary: "Connect the app's Stripe account (the key is checked with Stripe): a customer per Auth user, webhooks into the app's stripe schema", scope: 'deploy', request: object({ secretKey: { type: 'string' }, webhookSecret: { type: 'string' } }), response: { json: STRIPE_CONNECTION } },
  { method: 'delete', path: '/apps/{app}/stripe', summary: "Disconnect the app's Stripe account: keys forgotten, synced tables kept", scope: 'deploy', response: { json: STRIPE_CONNECTION } },
  // Issue 20, Stripe for the platform (billing/stripe/).
  { method: 'get', path: '/teams/{team}/billing', summary: "The team's plan standing and its Stripe subscription (status, period end, grace deadline)", scope: 'read', response: { json: ref('TeamBilling') } },
  { method: 'post', path: '/teams/{team}/billing/checkout', summary: 'A Stripe Checkout link for a plan ({"plan": "pro"}); the plan follows from the subscription\'s webhooks', scope: 'admin', status: 201, request: object({ plan: { type: 'string' } }), response: { json: object({ url: { type: 'string' }, sessionId: { type: 'string' } }) } },
  { method: 'post', path: '/teams/{team}/billing/portal', summary: "A Stripe customer-portal link for the team's subscription", scope: 'admin', status: 201, response: { json: object({ url: { type: 'string' } }) } },
  { method: 'post', path: '/billing/stripe/webhook', summary: "Stripe's event deliveries, verified with DEVFLOW_STRIPE_WEBHOOK_SECRET (Stripe-Signature, 5 minutes' tolerance); each event applied once", scope: 'public', response: { json: object({ received: { type: 'boolean' }, result: { type: 'string' } }) } },
  // Issue 20, the usage chart: a month's usage per day or hour.
  { method: 'get', path: '/apps/{app}/usage/series', summary: "What the app used in each day (or hour) of a month (?month=YYYY-MM, ?step=day|hour; UTC, up to now): instance-hours, one-off run hours, build minutes, requests, egress bytes, database and storage bytes", scope: 'read', response: { json: ref('UsageSeries') }, query: { month: { type: 'string' }, step: { type: 'string', enum: ['day', 'hour'] } } },
  { method: 'get', path: '/teams/{team}/usage/series', summary: "What a team's apps used in each day (or hour) of a month, summed (?month=YYYY-MM, ?step=day|hour)", scope: 'read', response: { json: ref('UsageSeries') }, query: { month: { type: 'string' }, step: { type: 'string', enum: ['day', 'hour'] } } },  // Issue 21 with previews: whether an app's previews use its add-on (off: their own, or none).
  { method: 'put', path: '/apps/{app}/addons/{addon}/previews', summary: "Share an add-on with the app's previews ({\"share\": true}: they use the app's, and may write to it) or not (their own empty one where DevFlow runs it, else none)", scope: 'deploy', request: object({ share: { type: 'boolean' } }, ['share']), response: { json: ref('Addon') } },  // Issue 17: a backend turned off without losing it.
  { method: 'delete', path: '/apps/{app}/backend', summary: "Disable the app backend: its API and its previews' stop answering, Realtime sockets close and replication slots are dropped; database, users, files, functions and keys are kept for POST to turn it on again; a running app is released again without the SUPABASE_ variables", scope: 'deploy', response: { json: object({ app: { type: 'string' }, enabled: { type: 'boolean' }, release: { type: ['integer', 'null'] }, releaseError: { type: ['string', 'null'] } }) } },
  // Issue 16: the app backend's Auth mails in the embedded mail catcher (they carry sign-in links: deploy scope).
  { method: 'get', path: '/apps/{app}/backend/mail', summary: "The app backend's Auth mails the embedded catcher kept, newest first (none are kept when DEVFLOW_SMTP_URL is set)", scope: 'deploy', response: { json: ref('CaughtMailList') }, query: { limit: { type: 'integer', minimum: 1, maximum: 500 } } },
  // Issue 18: the app's own metrics (its scraped Prometheus endpoint, its OTLP points) read back.
  { method: 'get', path: '/apps/{app}/metrics/custom', summary: "The names of the app's own metrics (scraped from DEVFLOW_METRICS_PATH or sent over OTLP) with points since ?since, and how each is read", scope: 'read', response: { json: ref('CustomMetricNames') },
    query: { since: { type: 'string', description: '1h (default) or an ISO time; points are kept a day' } } },
  { method: 'get', path: '/apps/{app}/metrics/custom/{name}', summary: "One of the app's own metrics as series per attribute set, in steps: counters as a rate per second, gauges and up-down counters as values, histograms as means", scope: 'read', response: { json: ref('CustomMetric') },
    query: { since: { type: 'string', description: '1h (default) or an ISO time; points are kept a day' }, until: { type: 'string' } } },
];

const ERRORS: Record<string, string> = {
  400: 'invalid input', 401: 'no valid token', 403: 'the token lacks the scope', 404: 'no such resource',
  409: 'conflict', 413: 'body too large (1 MB)', 429: 'too many failed sign-ins (see Retry-After)',
};

function content(body: Body): Schema {
  if ('json' in body) return { 'application/json': { schema: body.json } };
  if ('text' in body) return { 'text/plain': { schema: { type: 'string' } } };
  if ('binary' in body) return { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
  if ('events' in body) return { 'text/event-stream': { schema: { type: 'string' } } };
  if ('ndjsonOrJson' in body) return { 'application/x-ndjson': { schema: body.ndjsonOrJson.line }, 'application/json': { schema: body.ndjsonOrJson.json } };
  return { 'application/json': { schema: body.jsonOrText }, 'text/plain': { schema: { type: 'string' } } };
}

function operationObject(op: Operation): Schema {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = Object.entries(op.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const errors = Object.fromEntries(Object.entries(ERRORS)
    .filter(([code]) => op.scope !== 'public' || !['401', '403'].includes(code) || op.path === '/auth/login' || op.path === '/auth/refresh')
    .map(([code, description]) => [code, { description, content: { 'application/json': { schema: ref('Error') } } }]));
  return {
    summary: op.summary,
    operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    'x-devflow-scope': op.scope,
    security: op.scope === 'public' ? [] : [{ bearer: [] }],
    parameters: [...params, ...query],
    ...(op.request ? { requestBody: { required: op.method !== 'post' || op.path !== '/apps/{app}/deployments', content: { 'application/json': { schema: op.request } } } } : {}),
    responses: { [String(op.status ?? 200)]: { description: 'OK', content: content(op.response) }, ...errors },
  };
}

export function openApiDocument(): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of OPERATIONS) {
    for (const p of [op.path, ...(op.alias ? [op.alias] : [])]) {
      const item = (paths[p] ??= {});
      item[op.method] = { ...operationObject(op), ...(p === op.alias ? { 'x-devflow-alias-of': op.path, operationId: `${String(operationObject(op).operationId)}Alias` } : {}) };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'DevFlow API', version: '1', description: 'Operate DevFlow: apps, deployments, releases, config, formation, domains, logs, events, tokens. Errors: {"error": {"code", "message"}}. Lists page with ?limit=&cursor= and a Link: rel="next" header.' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a DevFlow token (scopes: read ⊂ deploy ⊂ admin)' } },
      schemas: SCHEMAS,
    },
    paths,
  };
}
