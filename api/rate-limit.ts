/**
 * Rate limit on authentication failures, per client IP (API and git alike): after `max`
 * requests with wrong credentials within `windowMs`, every request from that IP gets 429 with
 * Retry-After until the oldest failure leaves the window. Valid requests are not counted, and
 * neither are requests that carry no credentials (git clients probe without them first).
 * Blocking everything, not just bad tokens, keeps the answer from being a guessing oracle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAuthFailuresPerMin } from '../core/settings.js';

export interface LimiterOptions {
  max: number;
  windowMs: number;
  now?: () => number;
  /** How many client IPs to remember; the least recently failing are forgotten first. */
  maxClients?: number;
}

export class AuthFailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `ip` may try again; 0 when it is not blocked. */
  retryAfterSeconds(ip: string): number {
    const recent = this.recent(ip);
    if (recent.length < this.options.max) return 0;
    const oldest = recent[recent.length - this.options.max]!;
    return Math.max(1, Math.ceil((oldest + this.options.windowMs - this.now()) / 1000));
  }

  recordFailure(ip: string): void {
    const recent = this.recent(ip);
    recent.push(this.now());
    this.failures.delete(ip);
    this.failures.set(ip, recent.slice(-this.options.max));
    if (this.failures.size > (this.options.maxClients ?? 10_000)) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }

  private recent(ip: string): number[] {
    const since = this.now() - this.options.windowMs;
    const kept = (this.failures.get(ip) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(ip);
    else this.failures.set(ip, kept);
    return kept;
  }
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function carriesCredentials(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined || /[?&]ticket=/.test(req.url ?? '');
}

/**
 * Guards one request: answers 429 and returns true when its IP is blocked; otherwise counts the
 * request as a failure if it ends in 401 after presenting credentials.
 */
export function guardAuthFailures(limiter: AuthFailureLimiter, req: IncomingMessage, res: ServerResponse): boolean {
  const ip = clientIp(req);
  const wait = limiter.retryAfterSeconds(ip);
  if (wait > 0) {
    res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(wait) });
    res.end(JSON.stringify({ error: { code: 'rate_limited', message: `too many failed sign-ins from ${ip}; retry in ${wait} s` } }));
    return true;
  }
  if (carriesCredentials(req)) {
    res.once('finish', () => {
      if (res.statusCode === 401) limiter.recordFailure(ip);
    });
  }
  return false;
}

/** DEVFLOW_AUTH_FAILURES_PER_MIN (default 20) failures a minute per IP. */
export function limiterFromEnv(env: NodeJS.ProcessEnv): AuthFailureLimiter {
  return new AuthFailureLimiter({ max: readAuthFailuresPerMin(env), windowMs: 60_000 });
}
