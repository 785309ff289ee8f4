/**
 * Settings, gathered in one place from flags and the environment (DESIGN.md "Names and contracts").
 * `loadConfig` is pure so the precedence (flag > env > default) is tested with tables.
 */
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from './errors.js';
import type { RuntimeKind } from './types.js';

export interface Config {
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
}

export interface ConfigFlags {
  port?: string | number;
  httpPort?: string | number;
  httpsPort?: string | number;
  domain?: string;
  home?: string;
  runtime?: string;
}

const RUNTIMES = ['auto', 'docker', 'process', 'swarm'] as const;

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  return {
    home: path.resolve(flags.home ?? env.DEVFLOW_HOME ?? path.join(os.homedir(), '.devflow')),
    domain: parseDomain(flags.domain ?? env.DEVFLOW_DOMAIN ?? 'localhost'),
    port: parsePort('--port', flags.port ?? env.DEVFLOW_PORT ?? 7070),
    httpPort: parsePort('--http-port', flags.httpPort ?? env.DEVFLOW_HTTP_PORT ?? 8080),
    httpsPort: parsePort('--https-port', flags.httpsPort ?? env.DEVFLOW_HTTPS_PORT ?? 8443),
    bindHost: env.DEVFLOW_BIND ?? '0.0.0.0',
    databaseUrl: nonEmpty(env.DATABASE_URL),
    redisUrl: nonEmpty(env.REDIS_URL),
    runtime: parseRuntime(flags.runtime ?? env.DEVFLOW_RUNTIME ?? 'auto'),
    secretKey: nonEmpty(env.DEVFLOW_SECRET_KEY),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

function parsePort(name: string, value: string | number): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidInputError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function parseDomain(value: string): string {
  const domain = value.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) {
    throw new InvalidInputError(`domain "${value}" is not a valid DNS name (e.g. "localhost" or "apps.example.com")`);
  }
  return domain;
}

function parseRuntime(value: string): RuntimeKind | 'auto' {
  if ((RUNTIMES as readonly string[]).includes(value)) return value as RuntimeKind | 'auto';
  throw new InvalidInputError(`runtime "${value}" is unknown: use one of ${RUNTIMES.join(', ')}`);
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
