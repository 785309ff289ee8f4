/**
 * The services mounted under the gateway (contract.ts `BackendService`) and the SQL their
 * schemas need in a project database. Each module is imported on first use: a DevFlow where
 * no app enabled a backend never loads them (issue 23, idle memory).
 */
import { platformMailer } from '../core/mail/platform.js';
import type { Sql } from '../core/store/database.js';
import type { BackendService } from './contract.js';

/** What the services need from the platform: the control plane (Auth keeps caught mail there). */
export interface ServiceHost {
  sql: Sql;
  /** The control plane's superuser URL (Realtime's replication connections need that role). */
  serverUrl: string;
  /** DEVFLOW_SMTP_URL (core/settings.ts); undefined: the embedded catcher. */
  smtpUrl: string | undefined;
  /** Where Storage keeps object bytes: `<DEVFLOW_HOME>/storage`, or DEVFLOW_STORAGE_S3_URL's bucket. */
  storageRoot: string;
  storageS3Url: string | undefined;
  /** DEVFLOW_GIT_ALLOW_HOSTS: private hosts a project's OAuth URL may lead to (core/outbound-hosts.ts). */
  allowHosts: readonly string[];
  /** /functions/v1 (functions/), made by the backend because its API operations share it. */
  functions?: BackendService;
  log: (line: string) => void;
}

export interface MountedServices {
  list: BackendService[];
  close(): Promise<void>;
}

type AuthModule = typeof import('./auth/index.js');

/**
 * Auth sends its mails by the platform's mail path (core/mail/platform.ts): to DEVFLOW_SMTP_URL
 * when set, else to the embedded catcher, whose mails the dashboard's Backend tab and
 * `devflow backend:mail` show (the embedded default needs no mail server).
 */
function mountAuth(auth: AuthModule, host: ServiceHost): { service: BackendService; close(): Promise<void> } {
  const mailer = platformMailer({ sql: host.sql, smtpUrl: host.smtpUrl });
  const service = auth.createAuthService({
    mailer,
    // The project's enabled providers come with it from the registry (oauth-providers.ts, migration 085).
    providers: (project) => (project.externalProviders ?? []).map((p) => auth.providerConfig(p, host.allowHosts)),
    onError: (err) => host.log(`backend auth: ${String(err)}`),
  });
  return { service, close: () => mailer.close() };
}

export async function mountServices(host: ServiceHost): Promise<MountedServices> {
  const [rest, auth, storage, realtime] = await Promise.all([
    import('./rest/index.js'), import('./auth/index.js'), import('./storage/index.js'), import('./realtime/index.js'),
  ]);
  const mountedAuth = mountAuth(auth, host);
  const files = storage.createStorageService({ root: host.storageRoot, s3Url: host.storageS3Url });
  const live = await realtime.createRealtime({ sql: host.sql, serverUrl: host.serverUrl, log: host.log });
  return {
    list: [rest.createRestService(), mountedAuth.service, files, live, ...(host.functions ? [host.functions] : [])],
    close: async () => {
      await live.close();
      await mountedAuth.close();
    },
  };
}

/** The statements every service's tables need in a project database, run by a superuser. */
export async function servicesSchemaSql(owner: string): Promise<string[]> {
  const [rest, auth, storage, realtime] = await Promise.all([
    import('./rest/index.js'), import('./auth/index.js'), import('./storage/index.js'), import('./realtime/index.js'),
  ]);
  return [...auth.authSchemaSql(owner), ...storage.storageSchemaSql(owner), ...realtime.realtimeSchemaSql(owner), ...rest.restSchemaSql(owner)];
}

/** The service for a path after the project ("/rest/v1/todos"), and the path after its prefix. */
export function routeToService(list: BackendService[], path: string): { service: BackendService; rest: string } | undefined {
  for (const service of list) {
    const base = `/${service.prefix}`;
    if (path === base || path.startsWith(`${base}/`) || path.startsWith(`${base}?`)) {
      const rest = path.slice(base.length);
      return { service, rest: rest.startsWith('/') ? rest : `/${rest}` };
    }
  }
  return undefined;
}
