/**
 * Runs app.json health checks (see app-json.ts for the shape) against one new web instance:
 * each check must pass (2xx/3xx, body containing `content` when given) within its attempts.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReleaseError } from '../core/errors.js';
import type { HealthcheckSpec } from '../core/types.js';

type Upstream = { host: string; port: number };

export async function runAppHealthchecks(
  upstream: Upstream,
  checks: HealthcheckSpec[],
  isAlive: () => Promise<boolean>,
): Promise<void> {
  for (const check of checks) await runOne(upstream, check, isAlive);
}

async function runOne(upstream: Upstream, check: HealthcheckSpec, isAlive: () => Promise<boolean>): Promise<void> {
  if (check.initialDelay > 0) await sleep(check.initialDelay * 1000);
  let problem = 'no answer';
  for (let attempt = 1; attempt <= check.attempts; attempt++) {
    const result = await fetchOnce(upstream, check.path, check.timeout * 1000).catch((err: Error) => err);
    if (!(result instanceof Error) && passes(result, check)) return;
    problem = result instanceof Error ? result.message : describeFailure(result, check);
    if (!(await isAlive())) throw new ReleaseError('the new instance exited before its app.json health check passed');
    if (attempt < check.attempts) await sleep(check.wait * 1000);
  }
  throw new ReleaseError(
    `app.json health check GET ${check.path} failed ${check.attempts} time(s) (last: ${problem})`,
  );
}

function passes(result: { status: number; body: string }, check: HealthcheckSpec): boolean {
  return result.status >= 200 && result.status < 400 && (check.content === undefined || result.body.includes(check.content));
}

function describeFailure(result: { status: number; body: string }, check: HealthcheckSpec): string {
  if (result.status < 200 || result.status >= 400) return `answered ${result.status}`;
  return `answered ${result.status} without "${check.content ?? ''}" in the body`;
}

const MAX_BODY = 64 * 1024;

function fetchOnce(upstream: Upstream, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: upstream.host, port: upstream.port, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (body.length < MAX_BODY) body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}
