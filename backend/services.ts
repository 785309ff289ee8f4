/**
 * The services mounted under the gateway (contract.ts `BackendService`), and the SQL their
 * schemas need. Each module is imported on first use: DevFlow without an enabled backend never
 * loads them (issue 23, idle memory). A service whose module is not in this build is reported
 * as missing (404 under its prefix), not a crash.
 */
import type { BackendService } from './contract.js';

interface ServiceModule {
  prefix: string;
  /** Relative to this file; a variable, so a build without the module still compiles. */
  specifier: string;
  factory: string;
  /** The export that returns the schema statements for a database owner, if the service has tables. */
  schemaSql?: string;
}

const MODULES: readonly ServiceModule[] = [
  { prefix: 'rest/v1', specifier: './rest/index.js', factory: 'createRestService' },
  { prefix: 'auth/v1', specifier: './auth/index.js', factory: 'createAuthService', schemaSql: 'authSchemaSql' },
];

type Loaded = Record<string, unknown>;

async function importOptional(specifier: string): Promise<Loaded | undefined> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as Loaded;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url/.test(String(err))) return undefined;
    throw err;
  }
}

let services: Promise<BackendService[]> | undefined;

/** The mounted services, created once per process. */
export function loadServices(): Promise<BackendService[]> {
  services ??= (async () => {
    const loaded: BackendService[] = [];
    for (const m of MODULES) {
      const mod = await importOptional(m.specifier);
      const factory = mod?.[m.factory];
      if (typeof factory === 'function') loaded.push(await (factory as () => BackendService | Promise<BackendService>)());
    }
    return loaded;
  })();
  return services;
}

/** The statements every service's tables need in a project database, in mount order. */
export async function servicesSchemaSql(owner: string): Promise<string[]> {
  const statements: string[] = [];
  for (const m of MODULES) {
    if (m.schemaSql === undefined) continue;
    const build = (await importOptional(m.specifier))?.[m.schemaSql];
    if (typeof build === 'function') statements.push(...(build as (owner: string) => string[])(owner));
  }
  return statements;
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
