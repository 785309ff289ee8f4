import { describe, expect, it } from 'vitest';
import { admitPreview, describeAge, expiredPreviews } from './limits.js';

const now = new Date('2026-11-22T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

describe('admitPreview', () => {
  it('admits below the limit', () => {
    expect(admitPreview([{ slug: 'a', lastActivityAt: ago(1) }], 2, now)).toEqual({ ok: true });
  });
  it('refuses at the limit and names the oldest idle preview instead of removing it', () => {
    const decision = admitPreview([{ slug: 'new', lastActivityAt: ago(1) }, { slug: 'old', lastActivityAt: ago(72) }], 2, now);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.reason).toContain('already has 2 previews');
    expect(!decision.ok && decision.reason).toContain('The oldest idle one is old (idle 3 days)');
  });
});

describe('expiredPreviews', () => {
  it.each([
    [[{ slug: 'a', lastActivityAt: ago(1) }], 24, []],
    [[{ slug: 'a', lastActivityAt: ago(25) }, { slug: 'b', lastActivityAt: ago(2) }], 24, ['a']],
    [[], 24, []],
  ])('%j with a TTL of %i h → %j', (previews, ttlHours, expected) => {
    expect(expiredPreviews(previews, ttlHours * 3_600_000, now)).toEqual(expected);
  });
});

describe('durations', () => {
  it.each([[5 * 60_000, '5 min'], [3 * 3_600_000, '3 h'], [5 * 86_400_000, '5 days']])('%i ms reads %s', (ms, text) => expect(describeAge(ms)).toBe(text));
});
