/**
 * The neo4j add-on's pure rules: the per-app database name (Neo4j's naming rules: 3 to 63
 * characters, lowercase letters, digits, dots and dashes, starting with a letter), where its
 * HTTP API is (the Bolt URL's host on port 7474 unless given), and what an answer from the
 * HTTP API means (Neo4j's HTTP API: status codes and `errors[].code`).
 */
import { InvalidInputError } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';

const MAX_DATABASE_NAME = 63;

export function databaseNameFor(app: AppName): string {
  return `app-${app}`.slice(0, MAX_DATABASE_NAME).replace(/[-.]+$/, '');
}

/** The HTTP API DevFlow talks to: --http-url, else an http(s) --url itself, else the Bolt host on 7474. */
export function httpEndpoint(url: URL, httpUrl: URL | undefined): string {
  if (httpUrl) return httpUrl.origin;
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  return `http://${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:7474`;
}

export interface Neo4jError {
  code: string;
  message: string;
}

export type CreateOutcome = 'created' | 'single-database' | { fail: string };

/** What CREATE DATABASE's answer means: made (or there), a server with one database (Community), or a failure. */
export function createDatabaseOutcome(errors: readonly Neo4jError[]): CreateOutcome {
  const [first] = errors;
  if (first === undefined) return 'created';
  // Community edition answers administration commands it lacks with this code.
  if (first.code === 'Neo.ClientError.Statement.UnsupportedAdministrationCommand') return 'single-database';
  return { fail: `${first.code}: ${first.message}` };
}

/** Turns a refused login into the user's words; other statuses pass. */
export function assertAccepted(status: number, errors: readonly Neo4jError[], where: string): void {
  if (status === 401 || errors.some((e) => e.code.startsWith('Neo.ClientError.Security.'))) {
    throw new InvalidInputError(`${where} refused the credentials: check --user and --password`);
  }
  if (status >= 400 && errors.length === 0) throw new InvalidInputError(`${where} answered HTTP ${status}: is this Neo4j's HTTP API?`);
}
