import { describe, expect, it } from 'vitest';
import { effectivePlan, graceUntil, planOfPrices, standingOf, supersedes } from './states.js';

const now = new Date('2026-12-05T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const DAY = 86_400_000;

describe('subscription states', () => {
  it.each([
    ['active', 'active'], ['trialing', 'active'], ['past_due', 'past_due'], ['unpaid', 'past_due'], ['incomplete', 'past_due'],
    ['paused', 'past_due'], ['canceled', 'canceled'], ['incomplete_expired', 'canceled'], ['something_new', 'past_due'],
  ])('%s stands as %s', (status, standing) => {
    expect(standingOf(status)).toBe(standing);
  });

  it.each([
    ['paying: no deadline', undefined, 'active', null],
    ['first missed payment: the grace period starts', { plan: 'pro', status: 'active', graceUntil: null }, 'past_due', later(7 * DAY)],
    ['canceled after past_due: the running deadline holds', { plan: 'pro', status: 'past_due', graceUntil: later(DAY) }, 'canceled', later(DAY)],
    ['canceled at once', undefined, 'canceled', later(7 * DAY)],
    ['paid again', { plan: 'pro', status: 'past_due', graceUntil: later(DAY) }, 'active', null],
  ] as const)('%s', (_name, kept, status, deadline) => {
    expect(graceUntil(kept, status, now, 7 * DAY)).toEqual(deadline);
  });

  it.each([
    ['no subscription: the operator\'s assignment', 'team', undefined, { plan: 'team' }],
    ['no subscription, no assignment: no quotas', undefined, undefined, { plan: undefined }],
    ['active subscription over the assignment', 'free', { plan: 'pro', status: 'active', graceUntil: null }, { plan: 'pro' }],
    ['past_due within grace', undefined, { plan: 'pro', status: 'past_due', graceUntil: later(1000) }, { plan: 'pro' }],
    ['past_due after grace: free', 'team', { plan: 'pro', status: 'past_due', graceUntil: later(-1000) },
      { plan: 'free', lapsed: { plan: 'pro', status: 'past_due' } }],
    ['canceled at the deadline: free', undefined, { plan: 'team', status: 'canceled', graceUntil: now },
      { plan: 'free', lapsed: { plan: 'team', status: 'canceled' } }],
  ] as const)('%s', (_name, assigned, sub, expected) => {
    expect(effectivePlan(assigned, sub, now)).toEqual(expected);
  });

  it('keeps the newest event\'s state, equal times in arrival order', () => {
    expect(supersedes(undefined, now)).toBe(true);
    expect(supersedes(now, now)).toBe(true);
    expect(supersedes(later(1000), now)).toBe(false);
    expect(supersedes(now, later(1000))).toBe(true);
  });

  it('names the plan of a price', () => {
    expect(planOfPrices({ pro: 'price_a', team: 'price_b' }, ['price_b'])).toBe('team');
    expect(planOfPrices({ pro: 'price_a' }, ['price_z'])).toBeUndefined();
  });
});
