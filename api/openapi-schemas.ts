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
  Backend: object({
    app: str, url: str, hostUrl: str, anonKey: str, serviceRoleKey: str, jwksUrl: str, keylessAnon: bool,
    auth: object({ mailerAutoconfirm: bool, allowAnonymousSignIns: bool, disableSignup: bool, siteUrl: str, jwtExpiry: int }),
  }),
  BackendSettings: object({
    keylessAnon: bool,
    auth: object({ mailerAutoconfirm: bool, allowAnonymousSignIns: bool, disableSignup: bool, siteUrl: str, jwtExpiry: int }, []),
  }, []),
  LogLine: object({ id: int, at: time, process: str, instance: str, release: int, line: str }),
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
  SignUp: object({ email: str, password: str, invitation: str }, ['email', 'password']),
  SignIn: object({ email: str, password: str }),
  Session: object({ accessToken: str, refreshToken: str, expiresAt: time }),
  Me: object({ actor: str, person: bool, instance: bool, scopes: { type: 'array', items: str }, teams: arrayOf('Team') }),
  Team: object({ id: int, name: str, role: { type: 'string', enum: ['owner', 'admin', 'developer', 'viewer'] } }),
  Member: object({ email: str, role: str, since: time }),
  NewInvitation: object({ email: str, role: { type: 'string', enum: ['owner', 'admin', 'developer', 'viewer'], default: 'developer' } }, ['email']),
  Invitation: object({ team: str, email: str, role: str, expiresAt: time, mailed: bool }),
  AppAccess: object({ app: str, team: str, you: { type: 'object' }, members: { type: 'array', items: { type: 'object' } } }),
  AuditEntry: object({ id: int, at: time, actor: str, team: nullable('string'), app: nullable('string'), action: str, target: nullable('string'), sourceIp: nullable('string'), requestId: nullable('string') }),
};

/** The created token: its fields and, this once, the secret. */
SCHEMAS.CreatedToken = { allOf: [ref('Token'), object({ token: str })] };
