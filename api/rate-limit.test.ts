import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './rate-limit.js';

describe('AuthFailureLimiter', () => {
  const make = () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter({ max: 3, windowMs: 60_000, now: () => now });
    return { limiter, advance: (ms: number) => (now += ms) };
  };

  it('blocks an IP after max failures within the window, and only that IP', () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('1.2.3.4')).toBe(0);
      limiter.recordFailure('1.2.3.4');
      advance(1000);
    }
    expect(limiter.retryAfterSeconds('1.2.3.4')).toBe(57);
    expect(limiter.retryAfterSeconds('5.6.7.8')).toBe(0);
  });

  it('lets the IP try again once the oldest failure leaves the window', () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 3; i++) limiter.recordFailure('ip');
    advance(59_000);
    expect(limiter.retryAfterSeconds('ip')).toBe(1);
    advance(1_001);
    expect(limiter.retryAfterSeconds('ip')).toBe(0);
  });

  it('forgets the least recently failing clients beyond maxClients', () => {
    const limiter = new AuthFailureLimiter({ max: 1, windowMs: 60_000, maxClients: 2 });
    for (const ip of ['a', 'b', 'c']) limiter.recordFailure(ip);
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    expect(limiter.retryAfterSeconds('c')).toBeGreaterThan(0);
  });
});
