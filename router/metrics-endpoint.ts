/**
 * GET /metrics on the control-plane port (Prometheus text format 0.0.4). Needs a token with the
 * read scope by default, as `Authorization: Bearer <token>`; with DEVFLOW_METRICS=public-loopback
 * a scraper on the same machine may read it without one (anyone else still needs the token).
 */
import type http from 'node:http';
import type { ProxyMetrics } from './metrics.js';

import type { MetricsAccess } from '../core/settings.js';

/** DEVFLOW_METRICS, parsed in core/settings.ts. */
export type { MetricsAccess };

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function bearer(req: http.IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export interface MetricsEndpoint {
  metrics: ProxyMetrics;
  access: MetricsAccess;
  /** Whether the token may read metrics (the read scope). */
  verifyToken(token: string): Promise<boolean>;
}

function answer(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** Serves the request if it is for /metrics; returns whether it was. */
export function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, endpoint: MetricsEndpoint): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    answer(res, 405, 'only GET /metrics\n');
    return true;
  }
  const render = () => answer(res, 200, endpoint.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
  if (endpoint.access === 'public-loopback' && isLoopback(req.socket.remoteAddress)) {
    render();
    return true;
  }
  const token = bearer(req);
  if (token === undefined) {
    answer(res, 401, 'metrics need a token: send "Authorization: Bearer <token>" (or set DEVFLOW_METRICS=public-loopback)\n');
    return true;
  }
  endpoint.verifyToken(token).then(
    (ok) => (ok ? render() : answer(res, 401, 'the token is not valid, has expired, or lacks the read scope\n')),
    () => answer(res, 500, 'could not check the token; see the DevFlow server log\n'),
  );
  return true;
}
