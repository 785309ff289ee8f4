/**
 * app.json health checks, in Dokku's shape (dokku.com/docs/deployment/zero-downtime-deploys):
 *
 *   { "healthchecks": { "web": [ { "path": "/health", "attempts": 5, "timeout": 5, "wait": 2,
 *                                  "initialDelay": 0, "content": "ok" } ] } }
 *
 * Times are seconds. Only `web` checks are used (other types get no HTTP port). Parsed once when
 * the release is built; a malformed file fails the deploy with the field that is wrong.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError, InvalidInputError } from '../core/errors.js';
import type { Artifact, HealthcheckSpec, LogSink } from '../core/types.js';

export const HEALTHCHECK_DEFAULTS: Omit<HealthcheckSpec, 'path'> = { attempts: 5, timeout: 5, wait: 2, initialDelay: 0 };

/** undefined when the file sets no web checks (the default HTTP check on / applies). */
export function parseAppJsonHealthchecks(text: string): HealthcheckSpec[] | undefined {
  const doc = parseAppJsonDocument(text);
  const web = (doc as { healthchecks?: { web?: unknown } } | null)?.healthchecks?.web;
  if (web === undefined) return undefined;
  if (!Array.isArray(web)) throw new InvalidInputError('app.json: healthchecks.web must be a list of checks');
  const checks = web.map((check, i) => parseCheck(check, `healthchecks.web[${i}]`));
  return checks.length === 0 ? undefined : checks;
}

export function parseAppJsonDocument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`app.json is not valid JSON: ${(err as Error).message}`);
  }
}

function parseCheck(input: unknown, where: string): HealthcheckSpec {
  if (input === null || typeof input !== 'object') throw new InvalidInputError(`app.json: ${where} must be an object`);
  const c = input as Record<string, unknown>;
  const path = c.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
    throw new InvalidInputError(`app.json: ${where}.path must be a URL path starting with "/"`);
  }
  const spec: HealthcheckSpec = {
    path,
    attempts: number(c.attempts, HEALTHCHECK_DEFAULTS.attempts, 1, 100, `${where}.attempts`),
    timeout: number(c.timeout, HEALTHCHECK_DEFAULTS.timeout, 1, 600, `${where}.timeout`),
    wait: number(c.wait, HEALTHCHECK_DEFAULTS.wait, 0, 600, `${where}.wait`),
    initialDelay: number(c.initialDelay, HEALTHCHECK_DEFAULTS.initialDelay, 0, 600, `${where}.initialDelay`),
  };
  if (c.content !== undefined) {
    if (typeof c.content !== 'string') throw new InvalidInputError(`app.json: ${where}.content must be a string`);
    spec.content = c.content;
  }
  return spec;
}

function number(value: unknown, fallback: number, min: number, max: number, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidInputError(`app.json: ${where} must be a number from ${min} to ${max}`);
  }
  return value;
}

/**
 * One part of the source tree's app.json, read by `parse`; undefined without the file. A part
 * that does not parse fails the build, naming app.json.
 */
export async function readAppJsonPart<T>(sourceDir: string, parse: (text: string) => T | undefined): Promise<T | undefined> {
  const text = await readFile(join(sourceDir, 'app.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch (err) {
    throw new BuildError('app.json', (err as Error).message.replace(/^app\.json: /, ''));
  }
}

/** The build's artifact with the source tree's app.json health checks attached (when it has any). */
export async function withAppJsonHealthchecks(artifact: Artifact, sourceDir: string, log: LogSink): Promise<Artifact> {
  const healthchecks = await readAppJsonPart(sourceDir, parseAppJsonHealthchecks);
  if (healthchecks === undefined) return artifact;
  log.line(`-----> Using ${healthchecks.length} health check(s) from app.json (${healthchecks.map((c) => c.path).join(', ')})`);
  return { ...artifact, healthchecks };
}
