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

/**
 * A refused connection costs the probe well under a millisecond, so probes come every 20 ms: the
 * release goes live at most that long after the instance can answer (150 ms between probes cost
 * 75 ms of each push on average).
 */
export const DEFAULT_HEALTH_CHECK: HealthCheck = { path: '/', timeoutMs: 60_000, intervalMs: 20 };

/** Asking the runtime whether the instance still runs costs more than a probe: at most this often. */
const ALIVE_CHECK_MS = 500;

export async function waitUntilHealthy(
  upstream: { host: string; port: number },
  check: HealthCheck,
  isAlive: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + check.timeoutMs;
  let lastProblem = 'no answer yet';
  let nextAliveCheck = Date.now() + ALIVE_CHECK_MS;
  while (Date.now() < deadline) {
    const status = await probe(upstream, check.path, Math.min(5000, check.timeoutMs)).catch((err: Error) => err);
    if (typeof status === 'number' && status < 500) return;
    lastProblem = typeof status === 'number' ? `answered ${status} on ${check.path}` : status.message;
    if (Date.now() >= nextAliveCheck) {
      if (!(await isAlive())) throw new ReleaseError('the new instance exited before it answered HTTP on $PORT');
      nextAliveCheck = Date.now() + ALIVE_CHECK_MS;
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
