/**
 * Backend projects: made when an app enables its backend (or a preview of such an app first
 * needs one), loaded lazily on their first request, closed when idle. A loaded project holds
 * a small pool on its database as its owner role, its keys and their verifier; an idle project
 * holds nothing in memory, only its row in the control plane (issue 16, "memory").
 */
import { parseStoredAppName, type AppName } from '../core/names.js';
import type { SecretKey } from '../core/secrets.js';
import { appDatabaseUrl, type AppDatabases, type DatabaseEndpoint } from '../core/store/app-databases.js';
import { findApp, type AppRecord } from '../core/store/apps.js';
import { connect, type Sql } from '../core/store/database.js';
import type { AuthSettings, BackendProject } from './contract.js';
import { enabledProviders, listProviders } from './oauth-providers.js';
import { PROVISION_VERSION, provisionProject } from './provision.js';
import { backendEnabled, findBackendRecord, insertBackendRecord, markProvisioned, type BackendRecord } from './store.js';
import { TokenVerifier } from './tokens.js';
import { publicUrl, type UrlSettings } from './urls.js';

/** Connections per project: requests are short transactions; more would multiply by projects. */
const POOL_MAX = 4;

export interface ProjectDeps {
  /** The control plane's pool (a superuser on the platform PostgreSQL) and its URL. */
  sql: Sql;
  serverUrl: string;
  secretKey: SecretKey;
  databases: AppDatabases;
  /** Where DevFlow itself reaches the platform PostgreSQL. */
  endpoint: DatabaseEndpoint;
  urls: UrlSettings;
  /** Where links in Auth's mails lead when the project set none: the app's URL. */
  siteUrl(app: AppName): string;
}

export interface LoadedProject {
  project: BackendProject;
  verifier: TokenVerifier;
  keylessAnon: boolean;
  lastUsed: number;
}

/**
 * Supabase's hosted defaults, except email confirmation: off, as in the Supabase CLI's local
 * stack, so a new project signs users in at once; a project turns it on (dashboard, API).
 */
export function authSettings(record: BackendRecord, siteUrl: string): AuthSettings {
  return { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl, jwtExpiry: 3600, ...record.authSettings };
}

/** New keys: the HS256 secret with its two API keys, and the ES256 signing key. */
async function newKeys(ref: string): Promise<BackendRecord['keys']> {
  const [{ newProjectKeys }, { newSigningKey }] = await Promise.all([import('./keys.js'), import('./signing-key.js')]);
  return { ...(await newProjectKeys(ref)), signingKey: newSigningKey() };
}

/**
 * The project's row and provisioned database, made when missing. Callers: enabling (an app),
 * a preview's first deploy or request (its parent enabled the backend).
 */
export async function ensureProject(deps: ProjectDeps, app: AppRecord): Promise<BackendRecord> {
  const record = (await findBackendRecord(deps.sql, deps.secretKey, app.id))
    ?? (await insertBackendRecord(deps.sql, deps.secretKey, app.id, await newKeys(app.name)));
  if (record.provisionedVersion < PROVISION_VERSION) {
    const credentials = await deps.databases.ensure(app);
    await provisionProject({ sql: deps.sql, url: deps.serverUrl }, { database: credentials.database, owner: credentials.role });
    await markProvisioned(deps.sql, app.id, PROVISION_VERSION);
    record.provisionedVersion = PROVISION_VERSION;
  }
  return record;
}

export class ProjectRegistry {
  private readonly loaded = new Map<string, Promise<LoadedProject | undefined>>();

  constructor(private readonly deps: ProjectDeps) {}

  /** The project named by a request, or undefined when no such project has a backend. */
  async get(name: string, now = Date.now()): Promise<LoadedProject | undefined> {
    let entry = this.loaded.get(name);
    if (entry === undefined) {
      entry = this.load(name);
      this.loaded.set(name, entry);
      // A failed or missing load is not cached: the next request tries again.
      entry.then((p) => p ?? this.loaded.delete(name), () => this.loaded.delete(name));
    }
    const project = await entry;
    if (project) project.lastUsed = now;
    return project;
  }

  /** Forgets a project so its next request loads fresh settings and keys. */
  async forget(name: string): Promise<void> {
    const entry = this.loaded.get(name);
    this.loaded.delete(name);
    const project = await entry?.catch(() => undefined);
    await project?.project.sql.end({ timeout: 5 });
  }

  /** Closes projects unused for `idleMs`: their pools and keys leave memory. */
  async closeIdle(idleMs: number, now = Date.now()): Promise<string[]> {
    const closed: string[] = [];
    for (const [name, entry] of this.loaded) {
      const project = await entry.catch(() => undefined);
      if (project && now - project.lastUsed >= idleMs) {
        closed.push(name);
        await this.forget(name);
      }
    }
    return closed;
  }

  get size(): number {
    return this.loaded.size;
  }

  async close(): Promise<void> {
    await Promise.all([...this.loaded.keys()].map((name) => this.forget(name)));
  }

  private async load(name: string): Promise<LoadedProject | undefined> {
    let appName: AppName;
    try {
      appName = parseStoredAppName(name);
    } catch {
      return undefined;
    }
    const app = await findApp(this.deps.sql, appName);
    if (!app || !(await backendEnabled(this.deps.sql, app))) return undefined;
    const record = await ensureProject(this.deps, app);
    const credentials = (await this.deps.databases.find(app.id))!;
    const dbUrl = appDatabaseUrl(credentials, this.deps.endpoint);
    const project: BackendProject = {
      ref: app.name,
      sql: connect(dbUrl, POOL_MAX),
      dbUrl,
      keys: record.keys,
      auth: authSettings(record, this.deps.siteUrl(app.name)),
      url: publicUrl(app.name, this.deps.urls),
      externalProviders: enabledProviders(await listProviders(this.deps.sql, this.deps.secretKey, app.id)),
    };
    return { project, verifier: new TokenVerifier(record.keys), keylessAnon: record.keylessAnon, lastUsed: Date.now() };
  }
}
