import { describe, expect, it } from 'vitest';
import { RateLimiter, takeFromWindow, type WindowCount } from './rate-limit.js';

describe('takeFromWindow', () => {
  const limit = { max: 2, windowS: 60 };
  const cases: { name: string; current?: WindowCount; now: number; allowed: boolean; count: number; retryAfterS?: number }[] = [
    { name: 'first request opens a window', now: 1000, allowed: true, count: 1 },
    { name: 'under the limit', current: { startMs: 1000, count: 1 }, now: 2000, allowed: true, count: 2 },
    { name: 'at the limit: refused, with the wait', current: { startMs: 1000, count: 2 }, now: 31_000, allowed: false, count: 2, retryAfterS: 30 },
    { name: 'a new window after it ends', current: { startMs: 1000, count: 2 }, now: 61_000, allowed: true, count: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = takeFromWindow(c.current, limit, c.now);
      expect(r.allowed).toBe(c.allowed);
      expect(r.next.count).toBe(c.count);
      if (c.retryAfterS !== undefined) expect(r.retryAfterS).toBe(c.retryAfterS);
    });
  }
  it('a limit of zero refuses everything', () => {
    expect(takeFromWindow(undefined, { max: 0, windowS: 60 }, 0).allowed).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('counts each key on its own', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { max: 1, windowS: 10 };
    expect(limiter.take('p|ip|1', limit).allowed).toBe(true);
    expect(limiter.take('p|ip|1', limit).allowed).toBe(false);
    expect(limiter.take('p|ip|2', limit).allowed).toBe(true);
    now = 10_000;
    expect(limiter.take('p|ip|1', limit).allowed).toBe(true);
  });
});
