/**
 * Every devflow command, as data (command-spec.ts). Order is the order of `devflow --help`.
 * `load` imports the command's module only when it runs.
 */
import type { CommandSpec } from './command-spec.js';

/** Commands that only group subcommands, and their help. */
export const GROUPS: Record<string, string> = { stack: 'build and run images (stacks)' };

const json = true;
const app = true;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'up', description: 'run DevFlow (API, git, builder, scheduler, router) in the foreground',
    options: [
      { flags: '--port <port>', description: 'API and git port (default 7070)' },
      { flags: '--http-port <port>', description: 'router HTTP port (default 8080)' },
      { flags: '--https-port <port>', description: 'router HTTPS port (default 8443)' },
      { flags: '--domain <domain>', description: 'apps are served at <app>.<domain> (default localhost)' },
      { flags: '--runtime <kind>', description: 'docker, process, swarm or auto (default auto)' },
    ],
    load: () => import('./commands/up.js').then((m) => m.runUp),
  },
  { name: 'apps', description: 'list apps', json, load: () => import('./commands/apps.js').then((m) => m.listApps) },
  {
    name: 'apps:create', description: 'create an app', args: [['<name>', 'app name (lowercase letters, digits, dashes)']], json,
    options: [{ flags: '--team <team>', description: 'the team that owns it (default: your only team)' }],
    load: () => import('./commands/apps.js').then((m) => m.createApp),
  },
  { name: 'apps:info', description: 'show an app', app, json, load: () => import('./commands/apps.js').then((m) => m.showApp) },
  {
    name: 'apps:destroy', description: 'delete an app, its instances and its repository', app,
    options: [{ flags: '--confirm <name>', description: 'the app name again, to confirm' }],
    load: () => import('./commands/apps.js').then((m) => m.destroyApp),
  },
  { name: 'releases', description: "list an app's releases", app, json, load: () => import('./commands/releases.js').then((m) => m.listReleases) },
  { name: 'deployments', description: "list an app's deployments", app, json, load: () => import('./commands/releases.js').then((m) => m.listDeployments) },
  {
    name: 'deployments:cancel', description: 'stop a queued or building deployment: its push is refused, the running release keeps serving', app, json,
    args: [['[id]', "the deployment (default: the app's deployment in progress)"]],
    load: () => import('./commands/releases.js').then((m) => m.cancelDeployment),
  },
  {
    name: 'deployments:log', description: "print a deployment's build and release log", args: [['<id>']],
    options: [{ flags: '--follow', description: 'keep printing until the deployment ends' }],
    load: () => import('./commands/releases.js').then((m) => m.printDeploymentLog),
  },
  {
    name: 'stack build', description: 'make the build and run images (from a registry when one answers, else debootstrap)',
    options: [{ flags: '--force', description: 'rebuild even when the images exist' }],
    load: () => import('./commands/stack.js').then((m) => m.buildStackImages),
  },
  { name: 'config', description: "show an app's config vars", app, json, load: () => import('./commands/config.js').then((m) => m.showConfig) },
  {
    name: 'config:set', description: 'set config vars (makes a new release and restarts the app)', app, json,
    args: [['<assignments...>', 'KEY=value ...']], load: () => import('./commands/config.js').then((m) => m.setConfig),
  },
  {
    name: 'config:unset', description: 'remove config vars (makes a new release and restarts the app)', app, json,
    args: [['<keys...>', 'KEY ...']], load: () => import('./commands/config.js').then((m) => m.unsetConfig),
  },
  {
    name: 'rollback', description: 'release an earlier build and config again, without rebuilding', app, json,
    args: [['[version]', 'the release to go back to, e.g. v3 (default: the one before the current)']],
    load: () => import('./commands/config.js').then((m) => m.rollback),
  },
  { name: 'ps', description: "list an app's process types and instances", app, json, load: () => import('./commands/ps.js').then((m) => m.showProcesses) },
  {
    name: 'ps:scale', description: 'set how many instances of each process type run, and their size', app, json,
    args: [['<changes...>', 'TYPE=COUNT[:SIZE] ... (sizes: eco, standard, performance)']],
    load: () => import('./commands/ps.js').then((m) => m.scaleProcesses),
  },
  { name: 'domains', description: "list an app's custom domains and their certificates", app, json, load: () => import('./commands/domains.js').then((m) => m.listDomains) },
  {
    name: 'domains:add', description: 'add a custom domain; its certificate is issued over ACME', app, json,
    args: [['<domain>', 'a host name such as www.example.com']],
    options: [{ flags: '--wait', description: 'wait until the certificate is issued or has failed' }],
    load: () => import('./commands/domains.js').then((m) => m.addDomain),
  },
  {
    name: 'domains:remove', description: 'remove a custom domain and its certificate', app, args: [['<domain>']],
    load: () => import('./commands/domains.js').then((m) => m.removeDomain),
  },
  {
    name: 'domains:redirect', description: 'redirect plain HTTP to HTTPS for an app (on or off)', app, args: [['<state>', 'on or off']],
    load: () => import('./commands/domains.js').then((m) => m.setHttpsRedirect),
  },
  { name: 'previews', description: "list an app's preview environments", app, json, load: () => import('./commands/previews.js').then((m) => m.listPreviews) },
  {
    name: 'previews:remove', description: 'remove a preview, its instances and its database', app, args: [['<slug>']],
    load: () => import('./commands/previews.js').then((m) => m.removePreview),
  },
  {
    name: 'previews:webhook', description: 'show the pull-request webhook URL and secret for the repository host', app, json,
    options: [{ flags: '--rotate', description: 'make a new secret (the old one stops working)' }],
    load: () => import('./commands/previews.js').then((m) => m.showWebhook),
  },
  {
    name: 'previews:config:set', description: "config vars that previews use instead of the app's", app,
    args: [['<pairs...>', 'KEY=value, or KEY= to unset']], load: () => import('./commands/previews.js').then((m) => m.setPreviewConfig),
  },
  {
    name: 'login', description: 'sign in to a DevFlow with an API token or email and password, then store the credential (mode 0600)',
    options: [
      { flags: '--api <url>', description: 'DevFlow API URL (default: $DEVFLOW_API, else http://localhost:7070)' },
      { flags: '--token <token>', description: 'API token (default: read from stdin)' },
      { flags: '--email <email>', description: 'sign in as a person; the password is read from stdin' },
    ],
    load: () => import('./commands/login.js').then((m) => m.login),
  },
  {
    name: 'logout', description: 'forget the stored credential (and end the session)',
    options: [{ flags: '--everywhere', description: 'end every session of yours, on every machine' }],
    load: () => import('./commands/login.js').then((m) => m.logout),
  },
  { name: 'tokens', description: 'list API tokens (admin)', json, load: () => import('./commands/tokens.js').then((m) => m.listTokens) },
  {
    name: 'tokens:create', description: 'create an API token; it is printed once, keep it safe', json,
    options: [
      { flags: '--name <name>', description: 'what the token is for, e.g. ci', required: true },
      { flags: '--scope <scope>', description: 'read (look), deploy (push, deploy, rollback, config, scale) or admin (everything)', default: 'read' },
      { flags: '--expires <duration>', description: 'lifetime such as 90m, 12h, 30d, 2w, or never', default: 'never' },
    ],
    load: () => import('./commands/tokens.js').then((m) => m.createToken),
  },
  {
    name: 'tokens:revoke', description: 'revoke an API token', args: [['<id>', 'the token id from `devflow tokens`']],
    load: () => import('./commands/tokens.js').then((m) => m.revokeToken),
  },
  {
    name: 'logs', description: "show an app's runtime logs, with process and instance names", app,
    options: [
      { flags: '-n, --num <lines>', description: 'how many recent lines', default: '100' },
      { flags: '-t, --tail', description: 'keep following new lines (Ctrl-C to stop)' },
      { flags: '-p, --process <type>', description: 'only this process type, e.g. web' },
      { flags: '--json', description: 'one JSON object per line' },
      { flags: '-q, --query <query>', description: 'search: terms, "phrases", field:value, status>=500, -negation, OR' },
      { flags: '--since <when>', description: 'only lines since a time: 2h, 30m, 7d or an ISO time' },
      { flags: '--until <when>', description: 'only lines before a time: 1h or an ISO time' },
    ],
    load: () => import('./commands/logs.js').then((m) => m.showLogs),
  },
  {
    name: 'open', description: "print an app's URL and open it in the browser", app,
    options: [{ flags: '--no-browser', description: 'only print the URL' }],
    load: () => import('./commands/open.js').then((m) => m.openApp),
  },
  {
    name: 'deploy', description: "deploy a branch, tag or commit already in the app's repository", app,
    options: [
      { flags: '--ref <ref>', description: 'what to deploy', default: 'main' },
      { flags: '--builder <builder>', description: 'auto, dockerfile or buildpacks', default: 'auto' },
      { flags: '--no-follow', description: 'return once queued instead of printing the build log' },
      { flags: '--json', description: 'print JSON (the deployment once it ends, or once queued with --no-follow)' },
    ],
    load: () => import('./commands/deploy.js').then((m) => m.deploy),
  },
  {
    name: 'backend', description: "show an app backend's URL and keys (Supabase-compatible); --json prints { url, anonKey, serviceRoleKey }", app, json,
    load: () => import('./commands/backend.js').then((m) => m.showBackend),
  },
  {
    name: 'backend:enable', description: 'give an app a Supabase-compatible backend (REST, Auth, Storage, Realtime, Functions) with its own keys, or turn a disabled one on again', app, json,
    load: () => import('./commands/backend.js').then((m) => m.enableBackend),
  },
  {
    name: 'backend:set', app,
    description: 'change backend settings: keyless-anon=on|off, autoconfirm=on|off, anonymous-sign-ins=on|off, signup=on|off, site-url=URL, jwt-expiry=SECONDS, external_github_enabled=on|off, external_github_client_id=ID, external_github_secret=SECRET, external_github_url=URL (GitHub Enterprise; google likewise)',
    args: [['<settings...>', 'name=value ...']], load: () => import('./commands/backend.js').then((m) => m.setBackend),
  },
  {
    name: 'usage', description: "what an app (or a team's apps) used in a month: instance-hours by size, one-off runs, build minutes, requests, egress, database and storage", json,
    args: [['[app]', 'the app (default: -a/--app, or the git remote "devflow")']],
    options: [
      { flags: '--month <YYYY-MM>', description: 'the month (default: this one, UTC)' },
      { flags: '-a, --app <app>', description: 'the app' },
      { flags: '--team <team>', description: "a team's usage: the sums over its apps and each app's own" },
    ],
    load: () => import('./commands/usage.js').then((m) => m.showUsage),
  },
  { name: 'functions', description: "list an app backend's Edge Functions: version, invocations, errors", app, json, load: () => import('./commands/functions.js').then((m) => m.listFunctions) },
  {
    name: 'functions:deploy', description: 'deploy an Edge Function from its folder (index.ts or index.js at its top): a new version', app, json,
    args: [['<name>', 'the function name (/functions/v1/<name>)'], ['<dir>', 'the function folder']],
    options: [{ flags: '--no-verify-jwt', description: 'serve callers without a valid JWT of the project (as Supabase\'s verify_jwt = false)' }],
    load: () => import('./commands/functions.js').then((m) => m.deployFunction),
  },
  {
    name: 'functions:logs', description: "print a function's newest log lines (its output per invocation)", app, json,
    args: [['<name>', 'the function name']], options: [{ flags: '--lines <n>', description: 'how many lines (default 200, at most 2000)' }],
    load: () => import('./commands/functions.js').then((m) => m.functionLogs),
  },
  {
    name: 'traces', description: "list an app's traces: trace id, duration, route, status, release", app, json,
    options: [
      { flags: '--slowest', description: 'slowest first (default: newest first)' },
      { flags: '--since <duration>', description: 'how far back: 90m, 1h, 2d (default 1h)' },
      { flags: '--limit <n>', description: 'at most this many (default 50)' },
    ],
    load: () => import('./commands/traces.js').then((m) => m.listTraces),
  },
  {
    name: 'traces:show', description: 'show one trace as a waterfall: router span, app spans, their children', app, json,
    args: [['<trace-id>', '32 hex digits, from devflow traces']],
    load: () => import('./commands/traces.js').then((m) => m.showTrace),
  },
  { name: 'telemetry', description: "show an app's telemetry: OTLP endpoint, ingest token, sampling", app, json, load: () => import('./commands/traces.js').then((m) => m.showTelemetry) },
  {
    name: 'telemetry:enable', description: 'turn telemetry on: an ingest token, and OTEL_ variables for the app from its next release', app, json,
    options: [
      { flags: '--sample <share>', description: "share of ordinary requests traced, 0 to 1 (default DEVFLOW_TRACE_SAMPLE)" },
      { flags: '--slow-ms <ms>', description: 'requests at least this slow are always traced (default DEVFLOW_TRACE_SLOW_MS)' },
    ],
    load: () => import('./commands/traces.js').then((m) => m.enableTelemetry),
  },
  { name: 'telemetry:disable', description: 'turn telemetry off: the ingest token stops working', app, json, load: () => import('./commands/traces.js').then((m) => m.disableTelemetry) },
  {
    name: 'deployments:trace', description: 'show where a deployment spent its time: its phases as a waterfall', args: [['<id>']], json,
    load: () => import('./commands/releases.js').then((m) => m.printDeploymentTrace),
  },
  {
    name: 'git:connect', description: 'deploy the app from a repository on GitHub, Gitea or GitLab (push webhooks)', app, json,
    args: [['<url>', 'https://host/owner/repo.git, ssh://… or git@host:owner/repo.git']],
    options: [
      { flags: '--branch <branch>', description: "the branch whose pushes deploy (default: the app's deploy branch)" },
      { flags: '--base-dir <dir>', description: 'monorepos: build only this folder; pushes that do not touch it do not deploy' },
      { flags: '--deploy-key', description: 'make an SSH deploy key (ed25519) and show its public half' },
      { flags: '--token-from-env <var>', description: 'an access token, read from this environment variable, stored sealed' },
      { flags: '--host <kind>', description: 'github, gitea or gitlab (default: from the URL or the first webhook)' },
      { flags: '--api-url <url>', description: "the host's API (default: https://api.github.com, <host>/api/v1, <host>/api/v4)" },
      { flags: '--tags <pattern>', description: "tag pushes matching this glob deploy too, e.g. 'v*' (* stops at /, ** does not)" },
      { flags: '--tags-only', description: 'only matching tags deploy, pushes to the branch do not (with --tags)' },
      { flags: '--known-hosts <file>', description: "ssh URLs: the host keys to pin (ssh-keyscan's output); default: pinned at the first fetch" },
    ],
    load: () => import('./commands/git.js').then((m) => m.connectGit),
  },
  { name: 'git:info', description: "show an app's repository connection and last webhook deliveries", app, json, load: () => import('./commands/git.js').then((m) => m.showGit) },
  { name: 'git:disconnect', description: 'stop deploying from the repository (the app keeps running)', app, load: () => import('./commands/git.js').then((m) => m.disconnectGit) },
  {
    name: 'git:webhook', description: "the URL and secret for the repository's push and pull-request webhook", app, json,
    options: [{ flags: '--rotate', description: 'make a new secret (the old one stops working)' }],
    load: () => import('./commands/git.js').then((m) => m.showGitWebhook),
  },
  {
    name: 'git:deploy', description: "fetch the deploy branch's head from the repository and deploy it (even when it does not touch the base dir)", app, json,
    load: () => import('./commands/git.js').then((m) => m.deployFromGit),
  },
  {
    name: 'errors', description: "list an app's exceptions grouped by fingerprint: count, first and last seen, releases, stack", app, json,
    options: [{ flags: '--since <when>', description: 'only groups seen since: 24h, 7d or an ISO time' }],
    load: () => import('./commands/errors.js').then((m) => m.listErrors),
  },
  { name: 'alerts', description: "list an app's alert rules, their state and the notifications sent", app, json, load: () => import('./commands/alerts.js').then((m) => m.listAlerts) },
  {
    name: 'alerts:add', description: 'alert when a metric crosses a threshold or an event happens', app, json,
    options: [
      { flags: '--if <condition>', description: "e.g. '5xx_rate > 5% for 5m', 'p95 > 800ms for 10m', crash_loop, deploy_failed, certificate_failing", required: true },
      { flags: '--notify <target>', description: 'a webhook URL (JSON), a Slack-compatible webhook URL, or mailto:ops@example.com', required: true },
    ],
    load: () => import('./commands/alerts.js').then((m) => m.addAlert),
  },
  {
    name: 'alerts:remove', description: 'remove an alert rule', app, args: [['<id>', 'the rule id from `devflow alerts`']],
    load: () => import('./commands/alerts.js').then((m) => m.removeAlert),
  },
  {
    name: 'metrics', description: "show an app's request rate, p50/p95/p99 latency and status classes per process type", app, json,
    options: [
      { flags: '--since <when>', description: '1h (default), 30m, 7d or an ISO time' },
      { flags: '--until <when>', description: 'an end: 10m or an ISO time (default now)' },
      { flags: '--name <metric>', description: "one of the app's own metrics (scraped or OTLP) instead: counters as a rate, gauges as values (names: metrics:custom)" },
    ],
    load: () => import('./commands/metrics.js').then((m) => m.showMetrics),
  },
  { name: 'addons', description: "list an app's add-ons, their plan and connection (masked)", app, json, load: () => import('./commands/addons.js').then((m) => m.listAddons) },
  {
    name: 'addons:create', description: 'create an add-on (redis, postgres, neo4j, vespa); the variables it binds make a new release', app, json,
    args: [['<kind>', 'redis, postgres, neo4j or vespa']],
    options: [
      { flags: '--extensions <names>', description: 'postgres: extensions to enable, e.g. pg_trgm,hstore' },
      { flags: '--url <url>', description: 'neo4j, vespa: your server, e.g. bolt://graph.internal:7687 or http://search.internal:8080' },
      { flags: '--user <user>', description: 'neo4j: the user DevFlow and the app connect as' },
      { flags: '--password <password>', description: "neo4j: that user's password (kept sealed, shown as ****)" },
      { flags: '--http-url <url>', description: "neo4j: its HTTP API, when not on the Bolt host's port 7474" },
      { flags: '--share-with-previews', description: "previews use this add-on as the app does (and may write to it); by default they get their own (redis) or none" },
    ],
    load: () => import('./commands/addons.js').then((m) => m.createAddon),
  },
  {
    name: 'addons:destroy', description: 'destroy an add-on and its data, and unset its variables', app,
    args: [['<addon>', 'its kind or name']],
    options: [{ flags: '--confirm <app>', description: "the app's name again, to confirm" }],
    load: () => import('./commands/addons.js').then((m) => m.destroyAddon),
  },
  {
    name: 'run', description: "run a command once in the app's current release, with its config; exits with the command's exit code", app,
    args: [['<command...>', 'after --, e.g. devflow run shop -- node scripts/migrate.js']],
    options: [
      { flags: '--detach', description: 'return at once; read the output later with runs:logs' },
      { flags: '--tty', description: 'an interactive terminal (e.g. devflow run shop --tty -- bash); ends with the command' },
    ],
    load: () => import('./commands/run.js').then((m) => m.runCommand),
  },
  { name: 'runs', description: 'recent one-off and cron runs of an app, with state and exit code', app, json, load: () => import('./commands/run.js').then((m) => m.listRuns) },
  {
    name: 'runs:logs', description: "a run's state and the tail of its output", app, json, args: [['<id>', 'the run id from `devflow runs`']],
    load: () => import('./commands/run.js').then((m) => m.showRunLogs),
  },
  { name: 'cron', description: "an app's scheduled jobs (app.json cron): last run, status, next run", app, json, load: () => import('./commands/run.js').then((m) => m.listCron) },
  { name: 'pg:backups', description: "an app database's backups: name, time, kind (manual, scheduled, safety), state, size", app, json, load: () => import('./commands/backups.js').then((m) => m.listBackups) },
  { name: 'pg:backups:capture', description: "back up the app's database now (daily backups happen by themselves)", app, json, load: () => import('./commands/backups.js').then((m) => m.captureBackup) },
  {
    name: 'pg:backups:restore', description: "restore a backup into the app's database (or another app's), after a safety backup of what it replaces", app, json,
    args: [['<backup>', 'e.g. b003, from `devflow pg:backups`']],
    options: [
      { flags: '--to-app <app>', description: 'restore into this app instead' },
      { flags: '--confirm <app>', description: "the target app's name again, to confirm" },
    ],
    load: () => import('./commands/backups.js').then((m) => m.restoreBackup),
  },
  {
    name: 'pg:backups:download', description: "save a backup's file (pg_dump custom format) here", app, args: [['<backup>', 'e.g. b003']],
    options: [{ flags: '-o, --output <file>', description: 'where to write it (default <app>-<backup>.dump)' }],
    load: () => import('./commands/backups.js').then((m) => m.downloadBackup),
  },
  {
    name: 'pg:backups:delete', description: 'delete a backup and its file', app, args: [['<backup>', 'e.g. b003']],
    options: [{ flags: '--confirm <app>', description: "the app's name again, to confirm" }],
    load: () => import('./commands/backups.js').then((m) => m.deleteBackup),
  },
  // Issue 21: point-in-time recovery (addons/pitr).
  {
    name: 'pg:restore', description: "recover the app's database as it was at a time into a new database (the live one is untouched until pg:restore:promote)", app, json,
    options: [{ flags: '--to <time>', description: "e.g. '2026-12-04 10:15:00' (UTC) or '2026-12-04T10:15:00+01:00'" }],
    load: () => import('./commands/pitr.js').then((m) => m.restoreToTime),
  },
  { name: 'pg:restores', description: "an app's point-in-time restores: time, state, database", app, json, load: () => import('./commands/pitr.js').then((m) => m.listRestores) },
  {
    name: 'pg:restore:promote', description: "put a restore in place of the app's database, after a safety backup of the live data", app, json,
    args: [['<restore>', 'e.g. r001, from `devflow pg:restores`']], options: [{ flags: '--confirm <app>', description: "the app's name again, to confirm" }],
    load: () => import('./commands/pitr.js').then((m) => m.promoteRestore),
  },
  {
    name: 'pg:restore:discard', description: "drop a restore's database; the live one stays", app, json, args: [['<restore>', 'e.g. r001']],
    load: () => import('./commands/pitr.js').then((m) => m.discardRestore),
  },
  { name: 'pg:basebackups', description: 'base backups of the platform PostgreSQL and how far back restores reach (operators)', json, load: () => import('./commands/pitr.js').then((m) => m.listBaseBackups) },
  { name: 'pg:basebackup', description: 'take a base backup of the platform PostgreSQL now (a daily one is taken by itself; operators)', json, load: () => import('./commands/pitr.js').then((m) => m.takeBaseBackup) },
  // Issue 19: people, teams, roles, the audit log.
  {
    name: 'signup', description: 'make an account with email and password (the first person is the owner); the password is read from stdin',
    options: [
      { flags: '--api <url>', description: 'DevFlow API URL (default: $DEVFLOW_API, else http://localhost:7070)' },
      { flags: '--email <email>', description: 'your email address', required: true },
      { flags: '--invitation <code>', description: 'the code of an invitation mailed to you: joins its team' },
    ],
    load: () => import('./commands/login.js').then((m) => m.signup),
  },
  {
    name: 'password:reset', description: 'mail yourself a reset code, then (with --code) set a new password read from stdin',
    options: [
      { flags: '--api <url>', description: 'DevFlow API URL (default: $DEVFLOW_API, else http://localhost:7070)' },
      { flags: '--email <email>', description: 'your email address', required: true },
      { flags: '--code <code>', description: 'the code from the mail' },
    ],
    load: () => import('./commands/login.js').then((m) => m.resetPassword),
  },
  { name: 'teams', description: 'list your teams and your role in each', json, load: () => import('./commands/teams.js').then((m) => m.listTeams) },
  { name: 'teams:create', description: 'create a team; you are its owner', args: [['<name>']], json, load: () => import('./commands/teams.js').then((m) => m.createTeam) },
  {
    name: 'teams:invite', description: 'invite someone by email (the invitation is mailed)', args: [['<team>'], ['<email>']], json,
    options: [{ flags: '--role <role>', description: 'owner, admin, developer or viewer', default: 'developer' }],
    load: () => import('./commands/teams.js').then((m) => m.inviteMember),
  },
  { name: 'teams:members', description: "list a team's members and roles", args: [['<team>']], json, load: () => import('./commands/teams.js').then((m) => m.listMembers) },
  {
    name: 'teams:remove', description: 'remove a member: their sessions and tokens end at once', args: [['<team>'], ['<email>']], json,
    load: () => import('./commands/teams.js').then((m) => m.removeMember),
  },
  { name: 'teams:join', description: 'join a team with an invitation code', args: [['<code>']], json, load: () => import('./commands/teams.js').then((m) => m.joinTeam) },
  { name: 'access', description: 'who can do what on an app', app, json, load: () => import('./commands/teams.js').then((m) => m.showAccess) },
  {
    name: 'audit', description: 'who changed what, when, from where (--json: JSON lines)', json,
    options: [
      { flags: '--team <team>', description: 'one team' },
      { flags: '--app <app>', description: 'one app' },
      { flags: '--since <duration>', description: 'e.g. 7d, 12h, or an ISO time' },
      { flags: '--limit <n>', description: 'how many rows, newest first', default: '200' },
    ],
    load: () => import('./commands/teams.js').then((m) => m.showAudit),
  },
  // Issue 20: plans and quotas.
  {
    name: 'plans', description: "the plans with their quotas and prices; with --team, the team's plan and what it has and used", json,
    options: [{ flags: '--team <team>', description: "one team's plan and use" }],
    load: () => import('./commands/plans.js').then((m) => m.showPlans),
  },
  {
    name: 'plans:assign', description: 'put a team on a plan (free, pro, team) or none (no quotas); operators only', json,
    args: [['<team>'], ['<plan>', 'free, pro, team or none']], load: () => import('./commands/plans.js').then((m) => m.assignPlan),
  },
  { name: '2fa', description: 'whether two-factor sign-in is on for you', json, load: () => import('./commands/two-factor.js').then((m) => m.showTwoFactor) },
  {
    name: '2fa:enable', description: 'turn on two-factor sign-in: scan the QR code with an authenticator app, then type a code (read from stdin)',
    load: () => import('./commands/two-factor.js').then((m) => m.enableTwoFactor),
  },
  {
    name: '2fa:disable', description: 'turn off two-factor sign-in with a code or a recovery code (read from stdin)',
    load: () => import('./commands/two-factor.js').then((m) => m.disableTwoFactor),
  },
  // Issue 20: Stripe for an app's own users (backend/stripe/).
  {
    name: 'stripe', description: "show an app's Stripe connection (secrets masked) and its webhook URL", app, json,
    load: () => import('./commands/stripe.js').then((m) => m.showStripe),
  },
  {
    name: 'stripe:connect', description: "connect an app's Stripe account: a customer per Auth user, events into its stripe schema", app, json,
    options: [
      { flags: '--secret-key <key>', description: 'sk_… or rk_… (default: $STRIPE_SECRET_KEY)' },
      { flags: '--webhook-secret <secret>', description: "the webhook endpoint's signing secret, whsec_… (default: $STRIPE_WEBHOOK_SECRET)" },
    ],
    load: () => import('./commands/stripe.js').then((m) => m.connectStripe),
  },
  {
    name: 'stripe:disconnect', description: "forget an app's Stripe keys (the synced tables stay)", app, json,
    load: () => import('./commands/stripe.js').then((m) => m.disconnectStripe),
  },
  // Issue 20: Stripe for the platform.
  {
    name: 'billing', description: "a team's plan and Stripe subscription (status, period end, grace deadline)", json,
    options: [{ flags: '--team <team>', description: 'the team', required: true }],
    load: () => import('./commands/billing.js').then((m) => m.showBilling),
  },
  {
    name: 'billing:subscribe', description: 'a Stripe Checkout link subscribing a team to a plan; the plan changes when Stripe confirms', json,
    options: [{ flags: '--team <team>', description: 'the team', required: true }, { flags: '--plan <plan>', description: 'pro or team', required: true }],
    load: () => import('./commands/billing.js').then((m) => m.subscribe),
  },
  {
    name: 'billing:portal', description: "a Stripe customer-portal link to change, pay or cancel a team's subscription", json,
    options: [{ flags: '--team <team>', description: 'the team', required: true }],
    load: () => import('./commands/billing.js').then((m) => m.portal),
  },
  // Issue 21 with previews: an app's previews never reach its add-ons unless shared.
  {
    name: 'addons:share', description: "let the app's previews use this add-on as the app does (they may write to it), from their next deploy", app, json,
    args: [['<addon>', 'its kind or name']], load: () => import('./commands/addons.js').then((m) => m.shareAddon),
  },
  {
    name: 'addons:unshare', description: "previews get their own add-on (redis, empty) or none of this one's variables, from their next deploy", app, json,
    args: [['<addon>', 'its kind or name']], load: () => import('./commands/addons.js').then((m) => m.unshareAddon),
  },  // Issue 17: a backend turned off without losing it (backend:enable turns it on again).
  {
    name: 'backend:disable', description: "turn an app's backend off: its API stops answering and Realtime's replication slots are dropped; data and keys are kept", app, json,
    load: () => import('./commands/backend.js').then((m) => m.disableBackend),
  },
  // Issue 16: the app backend's Auth mails in the embedded catcher (no DEVFLOW_SMTP_URL).
  {
    name: 'backend:mail', description: "the Auth mails (confirmation, magic link, recovery) the embedded catcher kept for an app's backend, newest first", app, json,
    options: [{ flags: '--limit <n>', description: 'how many (default 20, at most 500)' }],
    load: () => import('./commands/backend.js').then((m) => m.showMail),
  },
  // Issue 18: the app's own metrics (its Prometheus endpoint's, its OTLP points) read back.
  {
    name: 'metrics:custom', description: "list the app's own metrics (scraped from DEVFLOW_METRICS_PATH or sent over OTLP), or show one with --name", app, json,
    options: [
      { flags: '--name <metric>', description: 'show this metric as series: counters as a rate per second, gauges as values, histograms as means' },
      { flags: '--since <when>', description: '1h (default), 30m or an ISO time (points are kept a day)' },
      { flags: '--until <when>', description: 'an end: 10m or an ISO time (default now)' },
    ],
    load: () => import('./commands/metrics.js').then((m) => m.showCustomMetrics),
  },
];
