import { describe, expect, it } from 'vitest';
import { inheritedVars } from './app-context.js';

describe('inheritedVars', () => {
  it.each([
    ['keeps ordinary vars', { GREETING: 'hi', REDIS_URL: 'redis://x' }, { GREETING: 'hi', REDIS_URL: 'redis://x' }],
    ["leaves the parent's pool URL (its production database) behind", { GREETING: 'hi', DATABASE_POOL_URL: 'postgres://app_shop@h:1/app_shop' }, { GREETING: 'hi' }],
    ['an empty parent', {}, {}],
  ])('%s', (_what, parent, expected) => expect(inheritedVars(parent)).toEqual(expected));
});
