/**
 * DevFlow's configuration: the settings of core/settings.ts with `up`'s flags applied
 * (DESIGN.md "Names and contracts"), and where things live under DEVFLOW_HOME.
 * `loadConfig` is pure so the precedence (flag > env > default) is tested with tables.
 */
import path from 'node:path';
import { readServerSettings, type ServerFlags, type ServerSettings } from './settings.js';

export { parseDomain } from './settings.js';

export type Config = ServerSettings;
export type ConfigFlags = ServerFlags;

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  return readServerSettings(env, flags);
}

/** Where each piece of state lives under DEVFLOW_HOME. */
export function homePaths(home: string) {
  return {
    home,
    adminToken: path.join(home, 'admin-token'),
    secretKey: path.join(home, 'secret-key'),
    postgres: path.join(home, 'postgres'),
    repos: path.join(home, 'repos'),
    builds: path.join(home, 'builds'),
    cache: path.join(home, 'cache'),
    slugs: path.join(home, 'slugs'),
    traefik: path.join(home, 'traefik'),
  };
}

/** The URL users open for an app, e.g. http://hello.localhost:8080/. */
export function appUrl(config: Pick<Config, 'domain' | 'httpPort'>, app: string): string {
  const port = config.httpPort === 80 ? '' : `:${config.httpPort}`;
  return `http://${app}.${config.domain}${port}/`;
}

/** DevFlow's API as git hosts and browsers reach it (DEVFLOW_PUBLIC_URL), e.g. https://devflow.example.com. */
export function publicApiUrl(config: Pick<Config, 'publicUrl' | 'port'>): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}
