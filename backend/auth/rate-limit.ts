/**
 * Rate limits on sign-in and on sending one-time codes, per client IP and per email address,
 * as Supabase Auth applies them (429 `over_request_rate_limit`, or `over_email_send_rate_limit`
 * for mail). Fixed windows counted in memory, per project: limits protect one DevFlow process
 * from abuse, and a restart forgetting the counts is acceptable.
 */

export interface RateLimit {
  max: number;
  windowS: number;
}

export interface AuthRateLimits {
  /** Password and refresh-token grants, sign-ups, verifications: per IP. */
  signInPerIp: RateLimit;
  /** Password sign-ins per email address (guessing one account's password from many IPs). */
  signInPerEmail: RateLimit;
  /** Requests that send mail (OTP, magic link, recovery, sign-up confirmation): per IP. */
  otpPerIp: RateLimit;
  /** Mails sent to one address. */
  otpPerEmail: RateLimit;
}

/** Near GoTrue's defaults: 30 sign-ins per 5 minutes per IP, a mail per address per minute. */
export const DEFAULT_RATE_LIMITS: AuthRateLimits = {
  signInPerIp: { max: 30, windowS: 300 },
  signInPerEmail: { max: 30, windowS: 300 },
  otpPerIp: { max: 30, windowS: 300 },
  otpPerEmail: { max: 1, windowS: 60 },
};

export interface WindowCount {
  startMs: number;
  count: number;
}

export interface TakeResult {
  allowed: boolean;
  next: WindowCount;
  /** Seconds until the window resets (when refused). */
  retryAfterS: number;
}

export function takeFromWindow(current: WindowCount | undefined, limit: RateLimit, nowMs: number): TakeResult {
  const windowMs = limit.windowS * 1000;
  const fresh = !current || nowMs - current.startMs >= windowMs;
  const window = fresh ? { startMs: nowMs, count: 0 } : current;
  const retryAfterS = Math.max(1, Math.ceil((window.startMs + windowMs - nowMs) / 1000));
  if (window.count >= limit.max) return { allowed: false, next: window, retryAfterS };
  return { allowed: true, next: { startMs: window.startMs, count: window.count + 1 }, retryAfterS };
}

/** Counters keyed by "project|kind|subject"; stale windows are dropped as the map grows. */
export class RateLimiter {
  private readonly windows = new Map<string, WindowCount>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, limit: RateLimit): TakeResult {
    const nowMs = this.now();
    const result = takeFromWindow(this.windows.get(key), limit, nowMs);
    this.windows.set(key, result.next);
    if (this.windows.size > 10_000) this.prune(nowMs);
    return result;
  }

  private prune(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs - window.startMs > 3600_000) this.windows.delete(key);
  }
}
