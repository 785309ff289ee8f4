import { describe, expect, it } from 'vitest';
import { decideRefresh, type RefreshDecision, type PresentedToken } from './refresh-rotation.js';

describe('decideRefresh', () => {
  const base: PresentedToken = { token: 'A', revoked: false, updatedAtMs: 100_000, activeTokenParent: null };
  const cases: { name: string; token: PresentedToken; now: number; expected: RefreshDecision }[] = [
    { name: 'an active token rotates', token: base, now: 200_000, expected: 'rotate' },
    { name: 'just revoked, its child active: a race, the child is returned', token: { ...base, revoked: true, activeTokenParent: 'A' }, now: 105_000, expected: 'return-active' },
    { name: 'revoked at the interval edge still counts as a race', token: { ...base, revoked: true, activeTokenParent: 'A' }, now: 110_000, expected: 'return-active' },
    { name: 'revoked past the interval: reuse, the family is revoked', token: { ...base, revoked: true, activeTokenParent: 'A' }, now: 110_001, expected: 'revoke-family' },
    { name: 'revoked recently but a grandchild is active: reuse', token: { ...base, revoked: true, activeTokenParent: 'B' }, now: 101_000, expected: 'revoke-family' },
    { name: 'revoked with no active token left (signed out): reuse', token: { ...base, revoked: true, activeTokenParent: null }, now: 101_000, expected: 'revoke-family' },
  ];
  for (const c of cases) it(c.name, () => expect(decideRefresh(c.token, c.now)).toBe(c.expected));
});
