/**
 * The Docker engine, reached two ways (Docker Engine API, https://docs.docker.com/reference/api/engine/):
 * a plain HTTP request for the questions asked at every start (does an engine answer, which
 * bridge networks does it have), and dockerode for everything else. dockerode brings ssh2,
 * gRPC and protobufjs with it (about 20 MB resident), so it loads on first use only: the
 * process runtime with no Docker never loads it (issue 23).
 *
 * The plain requests follow the rules dockerode (docker-modem) uses to find the engine, so
 * both ask the same engine: DOCKER_HOST unix:// or tcp://, else /var/run/docker.sock (or
 * Docker Desktop's ~/.docker/run/docker.sock). An engine only dockerode can reach (TLS,
 * ssh://) is asked through dockerode.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { deferDockerodeExtras } from './dockerode-extras.js';

/** Where a plain HTTP request reaches the engine. */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * The engine's address from the environment, as docker-modem reads it; undefined when the
 * engine needs TLS or ssh, which only dockerode speaks.
 */
export function engineAddressFromEnv(
  env: NodeJS.ProcessEnv,
  exists: (file: string) => boolean = existsSync,
  home: string = os.homedir(),
): EngineAddress | undefined {
  const host = env.DOCKER_HOST?.trim();
  const defaultSocket = () => (exists(DEFAULT_SOCKET) ? DEFAULT_SOCKET : path.join(home, '.docker/run/docker.sock'));
  if (!host) return { socketPath: defaultSocket() };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || defaultSocket() };
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    return undefined;
  }
  // docker-modem speaks https for DOCKER_TLS_VERIFY=1 or the TLS port 2376, whatever the scheme.
  if (url.protocol !== 'tcp:' || env.DOCKER_TLS_VERIFY === '1' || url.port === '2376' || url.port === '') return undefined;
  return { host: url.hostname, port: Number(url.port) };
}

export interface EngineResponse {
  status: number;
  body: string;
}

/**
 * GET `apiPath` from the engine; undefined when nothing answers within `timeoutMs` (no socket,
 * refused, or an engine that accepts the connection and never replies).
 */
export function engineGet(address: EngineAddress, apiPath: string, timeoutMs: number): Promise<EngineResponse | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ ...address, path: apiPath, agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve(undefined));
    });
    const timer = setTimeout(() => request.destroy(), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** GET /_ping answers "OK" with 200 from any engine version. */
export async function engineAnswers(address: EngineAddress | undefined, timeoutMs: number): Promise<boolean> {
  if (address === undefined) return dockerodeAnswers(timeoutMs);
  return (await engineGet(address, '/_ping', timeoutMs))?.status === 200;
}

/** For an engine behind TLS or ssh: dockerode's own ping, bounded by the same timeout. */
async function dockerodeAnswers(timeoutMs: number): Promise<boolean> {
  const docker = await dockerClient();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let dockerode: Promise<typeof Docker> | undefined;

/** dockerode's constructor, loaded on the first call (see the header). */
export function loadDockerode(): Promise<typeof Docker> {
  deferDockerodeExtras();
  dockerode ??= import('dockerode').then((loaded) => loaded.default);
  return dockerode;
}

let environmentClient: Promise<Docker> | undefined;

/**
 * A dockerode client for `address`; without one, the client for the engine the environment
 * names (with its TLS certificates or ssh agent), one instance shared by the whole process.
 */
export function dockerClient(address?: EngineAddress): Promise<Docker> {
  if (address !== undefined) return loadDockerode().then((Dockerode) => new Dockerode(address));
  environmentClient ??= loadDockerode().then((Dockerode) => new Dockerode());
  return environmentClient;
}
