/**
 * Health checks for new instances: an instance is healthy once it answers HTTP on its port
 * with any status below 500. A process that exits while we wait fails the check at once.
 */
import http from 'node:http';
import { ReleaseError } from '../core/errors.js';

export interface HealthCheck {
  path: string;
  timeoutMs: number;
  intervalMs: number;
}

export const DEFAULT_HEALTH_CHECK: HealthCheck = { path: '/', timeoutMs: 60_000, intervalMs: 150 };

export async function waitUntilHealthy(
  upstream: { host: string; port: number },
  check: HealthCheck,
  isAlive: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + check.timeoutMs;
  let lastProblem = 'no answer yet';
  let probes = 0;
  while (Date.now() < deadline) {
    const status = await probe(upstream, check.path, Math.min(5000, check.timeoutMs)).catch((err: Error) => err);
    if (typeof status === 'number' && status < 500) return;
    lastProblem = typeof status === 'number' ? `answered ${status} on ${check.path}` : status.message;
    // Asking the runtime costs more than a probe, so it is asked every few probes.
    if (++probes % 5 === 0 && !(await isAlive())) {
      throw new ReleaseError('the new instance exited before it answered HTTP on $PORT');
    }
    await new Promise((r) => setTimeout(r, check.intervalMs));
  }
  throw new ReleaseError(
    `the new instance did not answer HTTP on $PORT within ${Math.round(check.timeoutMs / 1000)} s (${lastProblem})`,
  );
}

function probe(upstream: { host: string; port: number }, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: upstream.host, port: upstream.port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
