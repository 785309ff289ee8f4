/** JSON Schemas (OpenAPI 3.1 dialect: `type: [..., 'null']` for nullable) of the API's bodies. */
import { DEPLOYMENT_PHASES } from '../core/store/deployment-phases.js';

export type Schema = Record<string, unknown>;

const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const time = { type: 'string', format: 'date-time' };
const nullable = (type: string, extra: Schema = {}) => ({ type: [type, 'null'], ...extra });
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const arrayOf = (name: string): Schema => ({ type: 'array', items: ref(name) });

export function object(properties: Record<string, Schema>, required = Object.keys(properties), extra: Schema = {}): Schema {
  return { type: 'object', properties, required, ...extra };
}

const OAUTH_PROVIDER = object({
  enabled: bool, clientId: { type: ['string', 'null'] },
  secret: { type: ['string', 'null'], description: 'masked: its last four characters (…wxyz)' }, url: { type: ['string', 'null'] },
});
const BACKEND_FIELDS = {
  app: str, url: str, hostUrl: str, anonKey: str, serviceRoleKey: str, jwksUrl: str, keylessAnon: bool,
  auth: object({ mailerAutoconfirm: bool, allowAnonymousSignIns: bool, disableSignup: bool, siteUrl: str, jwtExpiry: int }),
  external: object({ github: OAUTH_PROVIDER, google: OAUTH_PROVIDER }),
};
const OAUTH_PROVIDER_CHANGE = object({ enabled: bool, clientId: str, secret: str, url: { type: ['string', 'null'] } }, []);
const DEPLOYMENT_STATES = ['queued', 'building', 'releasing', 'succeeded', 'failed', 'superseded'];

export const SCHEMAS: Record<string, Schema> = {
  Error: object({
    error: object({ code: str, message: str }),
  }),
  App: object({
    name: str,
    url: str,
    gitUrl: str,
    deployBranch: str,
    currentRelease: nullable('integer'),
    status: { type: 'string', enum: ['new', 'deploying', 'running', 'failed'] },
    lastDeployment: { type: ['object', 'null'], properties: { id: int, state: { enum: DEPLOYMENT_STATES } }, required: ['id', 'state'] },
    createdAt: time,
  }),
  NewApp: object({ name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } }),
  Deleted: object({ deleted: str }),
  Deployment: object({
    id: int,
    app: str,
    ref: str,
    sha: str,
    trigger: { type: 'string', enum: ['push', 'api'] },
    actor: nullable('string', { description: 'name of the token that pushed or called the API' }),
    state: { type: 'string', enum: DEPLOYMENT_STATES },
    reason: nullable('string'),
    releaseVersion: nullable('integer'),
    createdAt: time,
    updatedAt: time,
    phases: {
      type: 'array',
      description: 'how long each phase took, in the order they ran (GET /deployments/{id} only); retire runs after the push returned',
      items: object({ phase: { type: 'string', enum: [...DEPLOYMENT_PHASES] }, startedAt: time, ms: int }),
    },
  }, ['id', 'app', 'ref', 'sha', 'trigger', 'actor', 'state', 'reason', 'releaseVersion', 'createdAt', 'updatedAt']),
  DeployRequest: object({
    ref: { type: 'string', default: 'main', description: 'branch, tag or commit already pushed to the app' },
    builder: { type: 'string', enum: ['auto', 'dockerfile', 'buildpacks'], default: 'auto' },
  }, []),
  Release: object({
    version: int,
    sha: nullable('string'),
    description: str,
    createdAt: time,
    current: bool,
  }, ['version', 'sha', 'description', 'createdAt', 'current']),
  ConfigVars: object({ vars: { type: 'object', additionalProperties: str } }),
  ConfigPatch: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'KEY: value sets, KEY: null unsets' },
  ConfigChanged: object({ release: nullable('integer'), vars: { type: 'object', additionalProperties: str } }, ['vars']),
  RollbackRequest: object({ version: { type: ['integer', 'string'], description: 'N or "vN"; default: the release before the current one' } }, []),
  RolledBack: object({ release: int, rolledBackTo: int }),
  Formation: object({ type: str, replicas: int, size: str, memoryMb: int, cpus: { type: 'number' } }, ['type', 'replicas', 'size']),
  Processes: object({
    release: nullable('integer'),
    formation: arrayOf('Formation'),
    instances: { type: 'array', items: object({ id: str, type: str, slot: int, release: int, state: str }, ['id', 'type', 'state']) },
  }, ['formation', 'instances']),
  ScaleRequest: object({ replicas: { type: 'integer', minimum: 0 }, size: str }, []),
  Domain: object({
    name: str,
    app: str,
    url: str,
    certificate: object({ status: str, state: str, reason: nullable('string'), expiresAt: nullable('string', { format: 'date-time' }) }),
    createdAt: time,
  }),
  NewDomain: object({ name: str }),
  HttpsRedirect: object({ app: str, httpsRedirect: bool }),
  Preview: object({
    slug: str,
    url: str,
    source: { type: 'string', enum: ['branch', 'pull_request'] },
    sourceRef: str,
    state: { type: 'string', enum: ['deploying', 'running', 'failed', 'idle'] },
    release: nullable('integer'),
    createdAt: time,
    lastActivityAt: time,
  }),
  PreviewWebhook: object({ url: str, secret: str }),
  DatabaseSettings: { type: 'object' },
  Backend: object(BACKEND_FIELDS),
  BackendEnabled: object({
    ...BACKEND_FIELDS,
    release: { ...nullable('integer'), description: 'the release made so running processes get the variables; null when already enabled, before the first deploy, or when that release failed' },
    releaseError: { ...nullable('string'), description: 'why that release failed (the previous release keeps serving)' },
  }),
  DatabaseSchema: object({ tables: { type: 'array', items: object({
    schema: str, name: str, kind: str, rowLevelSecurity: bool, estimatedRows: { type: 'number' },
    columns: { type: 'array', items: object({ name: str, type: str, nullable: bool, default: nullable('string'), primaryKey: bool }) },
    foreignKeys: { type: 'array', items: object({ name: str, columns: { type: 'array', items: str }, references: object({ schema: str, table: str, columns: { type: 'array', items: str } }) }) },
    policies: { type: 'array', items: object({ name: str, command: str, permissive: bool, roles: { type: 'array', items: str }, using: nullable('string'), check: nullable('string') }) },
  }) } }),
  Usage: object({
    app: str, month: str, buildSeconds: { type: 'number' },
    instanceSeconds: { type: 'object', additionalProperties: { type: 'number' }, description: 'seconds by size name' },
    oneOffSeconds: { type: 'object', additionalProperties: { type: 'number' }, description: 'seconds of one-off runs by size name' },
    requests: { type: 'number', description: 'requests the router served' }, egressBytes: { type: 'number', description: 'response body bytes the router sent' },
    databaseBytes: { type: 'number', description: "the app database's largest size sampled (hourly) in the month" },
    storageBytes: { type: 'number', description: "the backend storage objects' largest total sampled in the month" },
  }),
  SqlQuery: object({ sql: str }),
  SqlResult: object({ command: str, rowCount: int, columns: { type: 'array', items: str }, rows: { type: 'array', items: { type: 'array' } }, truncated: bool }),
  SqlHistory: object({ queries: { type: 'array', items: object({ sql: str, ok: bool, at: time }) } }),
  BackendSettings: object({
    keylessAnon: bool,
    auth: object({ mailerAutoconfirm: bool, allowAnonymousSignIns: bool, disableSignup: bool, siteUrl: str, jwtExpiry: int }, []),
    external: object({ github: OAUTH_PROVIDER_CHANGE, google: OAUTH_PROVIDER_CHANGE }, []),
  }, []),
  LogLine: object({ id: int, at: time, process: str, instance: str, release: int, line: str, fields: { type: ['object', 'null'], description: 'the fields of a JSON line' } }),
  Ticket: object({ ticket: str, expiresAt: time }),
  Token: object({
    id: int,
    name: str,
    scope: { type: 'string', enum: ['read', 'deploy', 'admin'] },
    expiresAt: nullable('string', { format: 'date-time' }),
    expired: bool,
    lastUsedAt: nullable('string', { format: 'date-time' }),
    createdAt: time,
  }),
  NewToken: object({
    name: str,
    scope: { type: 'string', enum: ['read', 'deploy', 'admin'], default: 'read' },
    expiresIn: { type: 'string', description: 'a duration like 90m, 12h, 30d, 2w, or "never"', default: 'never' },
  }, ['name']),
  Revoked: object({ revoked: int }),
  Function: object({ name: str, version: int, verifyJwt: bool, invocations: int, errors: int, deployedAt: time }),
  FunctionUpload: object({
    files: { type: 'array', items: object({ path: str, content: { type: 'string', contentEncoding: 'base64' } }) },
    verifyJwt: { type: 'boolean', default: true },
    root: { type: 'string', description: "the folder holding index.ts when the files include siblings such as _shared" },
  }, ['files']),
  FunctionLogLine: object({
    at: time, version: int, invocation: nullable('string'), stream: { type: 'string', enum: ['stdout', 'stderr', 'system'] }, line: str,
  }),
  Telemetry: object({
    app: str, enabled: bool, endpoint: str, ingestToken: str, sampleRatio: nullable('number'), slowMs: nullable('number'),
  }, ['app', 'enabled', 'sampleRatio', 'slowMs']),
  TelemetrySettings: object({ sample: nullable('number', { minimum: 0, maximum: 1 }), slowMs: nullable('number') }, []),
  TraceSummary: object({
    traceId: str, name: str, service: str, route: nullable('string'), httpStatus: nullable('integer'), release: nullable('string'),
    startedAt: time, durationMs: { type: 'number' }, error: bool,
  }),
  Trace: object({
    traceId: str,
    spans: {
      type: 'array',
      items: object({
        traceId: str, spanId: str, parentSpanId: nullable('string'), name: str, kind: int, service: str, startedAt: time, startUs: int,
        durationMs: { type: 'number' }, statusCode: int, httpStatus: nullable('integer'), route: nullable('string'), release: nullable('string'),
        attributes: { type: 'object' }, events: nullable('array'),
      }),
    },
  }),
  GitConnect: object({
    url: str, branch: str, baseDir: str, provider: { type: 'string', enum: ['github', 'gitea', 'gitlab'] }, apiUrl: str, token: str, deployKey: bool,
    tags: str, tagsOnly: bool, knownHosts: str,
  }, ['url']),
  GitConnection: object({
    url: str, branch: str, baseDir: nullable('string'), provider: nullable('string'), apiUrl: nullable('string'),
    token: nullable('string'), deployKey: nullable('string'), createdAt: time, webhookUrl: str,
    tags: nullable('string'), branchDeploys: bool, hostKeys: { type: 'array', items: str },
    deliveries: { type: 'array', items: object({
      id: int, deliveryId: str, provider: str, event: str, ref: nullable('string'), sha: nullable('string'),
      result: { type: 'string', enum: ['ignored', 'deploying', 'deployed', 'failed', 'superseded'] }, detail: str,
      deploymentId: nullable('integer'), receivedAt: time,
    }) },
  }),
  ErrorGroup: object({
    id: int, fingerprint: str, type: str, message: str, count: int, firstSeen: time, lastSeen: time,
    firstRelease: nullable('integer'), lastRelease: nullable('integer'), sampleStack: str,
    sampleTraceId: nullable('string'),
  }),
  NewAlertRule: object({ if: str, notify: str }),
  AlertRule: object({
    id: int, if: str, notify: str, status: { type: 'string', enum: ['ok', 'pending', 'firing'] },
    since: nullable('string', { format: 'date-time' }), lastValue: nullable('number'), createdAt: time,
  }),
  Alerts: object({
    rules: { type: 'array', items: ref('AlertRule') },
    history: { type: 'array', items: object({
      ruleId: int, status: { type: 'string', enum: ['firing', 'resolved'] }, value: nullable('number'), at: time,
      deliveredAt: nullable('string', { format: 'date-time' }), attempts: int, lastError: nullable('string'),
    }) },
  }),
  AppMetrics: object({ resolution: { type: 'string', enum: ['1m', '1h'] }, since: time, until: time, processes: { type: 'array', items: { type: 'object' } }, instances: { type: 'array', items: { type: 'object' } } }),
  Addon: object({
    id: int, name: str, kind: str, app: str, env: { type: 'array', items: str }, createdAt: time,
    plan: str, connection: str, info: { type: 'object', additionalProperties: str },
    previews: { type: 'string', enum: ['own', 'shared', 'withheld'] },
  }),
  NewAddon: object({ kind: str, options: { type: 'object', additionalProperties: str } }, ['kind']),
  SignUp: object({ email: str, password: str, invitation: str }, ['email', 'password']),
  SignIn: object({ email: str, password: str, code: str }, ['email', 'password']),
  Session: object({ accessToken: str, refreshToken: str, expiresAt: time }),
  Me: object({ actor: str, person: bool, instance: bool, scopes: { type: 'array', items: str }, teams: arrayOf('Team') }),
  Team: object({ id: int, name: str, role: { type: 'string', enum: ['owner', 'admin', 'developer', 'viewer'] } }),
  Member: object({ email: str, role: str, since: time }),
  NewInvitation: object({ email: str, role: { type: 'string', enum: ['owner', 'admin', 'developer', 'viewer'], default: 'developer' } }, ['email']),
  Invitation: object({ team: str, email: str, role: str, expiresAt: time, mailed: bool }),
  AppAccess: object({ app: str, team: str, you: { type: 'object' }, members: { type: 'array', items: { type: 'object' } } }),
  AuditEntry: object({ id: int, at: time, actor: str, team: nullable('string'), app: nullable('string'), action: str, target: nullable('string'), sourceIp: nullable('string'), requestId: nullable('string') }),
  CaughtMailList: object({
    app: str, delivery: { type: 'string', enum: ['catcher', 'smtp'] },
    mails: { type: 'array', items: object({ id: int, project: str, sender: str, recipients: { type: 'array', items: str }, subject: str, text: str, html: str, receivedAt: time }) },
  }),
};

/** The created token: its fields and, this once, the secret. */
SCHEMAS.CreatedToken = { allOf: [ref('Token'), object({ token: str })] };

/** A created add-on and the release that carries its variables (null: none made). */
SCHEMAS.CreatedAddon = object({ addon: ref('Addon'), release: nullable('integer') });

const RUN_STATES = ['running', 'succeeded', 'failed', 'timed-out', 'killed', 'interrupted'];
SCHEMAS.Run = object({
  id: { type: 'integer' }, app: { type: 'string' }, release: { type: 'integer' }, command: { type: 'string' },
  state: { type: 'string', enum: RUN_STATES }, exitCode: { type: ['integer', 'null'] }, detached: { type: 'boolean' },
  cronJob: { type: ['string', 'null'] }, actor: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: ['string', 'null'], format: 'date-time' }, output: { type: 'array', items: { type: 'string' } },
});
SCHEMAS.NewRun = object({ command: { type: 'string' }, detach: { type: 'boolean' } }, ['command']);
/** One line of an attached run's stream: the run first, then output lines, then how it ended. */
SCHEMAS.RunEvent = object({
  run: ref('Run'), line: { type: 'string' }, exit: { type: ['integer', 'null'] }, state: { type: 'string', enum: RUN_STATES },
}, []);
SCHEMAS.CronJob = object({
  job: { type: 'string' }, command: { type: 'string' }, schedule: { type: 'string' }, release: { type: 'integer' },
  nextRun: { type: 'string', format: 'date-time' }, missed: { type: 'integer' }, lastMissedAt: { type: ['string', 'null'], format: 'date-time' },
  lastRun: {
    type: ['object', 'null'], required: ['id', 'state', 'exitCode', 'startedAt', 'finishedAt', 'output'],
    properties: { id: { type: 'integer' }, state: { type: 'string', enum: RUN_STATES }, exitCode: { type: ['integer', 'null'] },
      startedAt: { type: 'string', format: 'date-time' }, finishedAt: { type: ['string', 'null'], format: 'date-time' }, output: { type: 'array', items: { type: 'string' } } },
  },
});

/** pg:backups (issue 21, addons/backups). */
SCHEMAS.Backup = object({
  name: { type: 'string' }, number: { type: 'integer' }, kind: { type: 'string', enum: ['manual', 'scheduled', 'safety'] },
  state: { type: 'string', enum: ['running', 'succeeded', 'failed'] }, bytes: { type: ['integer', 'null'] }, sha256: { type: ['string', 'null'] },
  error: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }, startedAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: ['string', 'null'], format: 'date-time' },
});
SCHEMAS.BackupRestore = object({ toApp: { type: 'string' }, confirm: { type: 'string', description: "the target app's name again" } }, ['confirm']);
SCHEMAS.BackupRestored = object({ restored: ref('Backup'), into: { type: 'string' }, safety: ref('Backup') });
/** Issue 17, studio: one live Realtime channel of an app's backend (topic without "realtime:"). */
SCHEMAS.RealtimeChannel = object({ topic: { type: 'string' }, subscribers: { type: 'integer' } });

/** A team's usage in a month (issue 20): the sums over its apps, and each app's own. */
SCHEMAS.TeamUsage = {
  allOf: [{ ...SCHEMAS.Usage, required: (SCHEMAS.Usage!.required as string[]).filter((f) => f !== 'app') }, object({ team: { type: 'string' }, apps: { type: 'array', items: ref('Usage') } })],
};

/** A plan and its quotas (issue 20, billing/plans.ts). */
SCHEMAS.Plan = object({
  name: { type: 'string', enum: ['free', 'pro', 'team'] }, priceCents: { type: 'integer' }, apps: { type: 'integer' }, instances: { type: 'integer' },
  largestSize: { type: 'string' }, instanceHours: { type: 'number' }, egressGb: { type: 'number' }, buildMinutes: { type: 'integer' },
  databaseGb: { type: 'number' },
});
SCHEMAS.TeamPlan = object({
  team: { type: 'string' }, plan: { anyOf: [ref('Plan'), { type: 'null' }] },
  used: object({ apps: { type: 'integer' }, instances: { type: 'integer' }, instanceHours: { type: 'number' }, buildSeconds: { type: 'number' }, databaseBytes: { type: 'number' } }),
});

/** A month's usage per day or hour (issue 20's chart, billing/usage-series.ts). */
SCHEMAS.UsageSeries = object({
  month: { type: 'string' }, step: { type: 'string', enum: ['day', 'hour'] },
  points: { type: 'array', items: object({
    at: { type: 'string', format: 'date-time' }, instanceHours: { type: 'number' }, oneOffHours: { type: 'number' }, buildMinutes: { type: 'number' },
    requests: { type: 'number' }, egressBytes: { type: 'number' }, databaseBytes: { type: ['number', 'null'] }, storageBytes: { type: ['number', 'null'] },
  }) },
});

/** Point-in-time recovery (issue 21, addons/pitr). */
SCHEMAS.PitrRestore = object({
  name: { type: 'string' }, number: { type: 'integer' }, to: { type: 'string', format: 'date-time' }, baseBackup: { type: 'string' }, database: { type: 'string' },
  state: { type: 'string', enum: ['running', 'ready', 'failed', 'promoted', 'discarded'] }, error: { type: ['string', 'null'] }, safetyBackup: { type: ['string', 'null'] },
  startedAt: { type: 'string', format: 'date-time' }, finishedAt: { type: ['string', 'null'], format: 'date-time' },
});
SCHEMAS.PitrRestoreRequest = object({ to: { type: 'string', description: "the time, e.g. '2026-12-04 10:15:00' (UTC) or with an offset" } });
SCHEMAS.PitrPromote = object({ confirm: { type: 'string', description: "the app's name again" } });
SCHEMAS.BaseBackup = object({
  label: { type: 'string' }, kind: { type: 'string', enum: ['manual', 'scheduled'] }, state: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
  bytes: { type: ['integer', 'null'] }, startWal: { type: ['string', 'null'] }, error: { type: ['string', 'null'] },
  startedAt: { type: 'string', format: 'date-time' }, finishedAt: { type: ['string', 'null'], format: 'date-time' },
});
SCHEMAS.PitrStatus = object({ earliest: { type: ['string', 'null'], format: 'date-time' }, baseBackups: { type: 'array', items: ref('BaseBackup') } });
SCHEMAS.TeamBilling = object({
  team: { type: 'string' }, plan: { type: ['string', 'null'] }, stripe: { type: 'boolean' }, customer: { type: 'boolean' },
  subscription: { anyOf: [{ type: 'null' }, object({
    id: { type: 'string' }, plan: { type: 'string' }, status: { type: 'string' },
    currentPeriodEnd: { type: ['string', 'null'] }, graceUntil: { type: ['string', 'null'] },
  })] },
});

/** Issue 18: the app's own metrics read back (telemetry/metrics/custom.ts). */
SCHEMAS.CustomMetricNames = object({
  since: time, until: time,
  metrics: { type: 'array', items: object({ name: str, kind: str, unit: str, reading: { type: 'string', enum: ['value', 'rate', 'mean'] }, points: int, lastAt: time }) },
});
SCHEMAS.CustomMetric = object({
  name: str, kind: { type: 'string', enum: ['gauge', 'sum', 'histogram', 'summary', 'exponential_histogram'] }, unit: str,
  reading: { type: 'string', enum: ['value', 'rate', 'mean'] }, since: time, until: time, stepSeconds: int, seriesLeftOut: int,
  series: { type: 'array', items: object({ attributes: { type: 'object' }, points: { type: 'array', items: object({ at: time, value: { type: 'number' } }) } }) },
});
