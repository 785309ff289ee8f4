import { describe, expect, it } from 'vitest';
import { isEmptyDiff, TopicPresence } from './presence.js';

describe('a topic\'s presence', () => {
  it('joins, replaces, shares keys and leaves as Phoenix.Presence diffs', () => {
    const p = new TopicPresence();
    expect(p.track('m1', 'alice', { at: 1 }, 'r1')).toEqual({ joins: { alice: { metas: [{ at: 1, phx_ref: 'r1' }] } }, leaves: {} });
    expect(p.track('m2', 'alice', { at: 2 }, 'r2')).toEqual({ joins: { alice: { metas: [{ at: 2, phx_ref: 'r2' }] } }, leaves: {} });
    expect(p.state()).toEqual({ alice: { metas: [{ at: 1, phx_ref: 'r1' }, { at: 2, phx_ref: 'r2' }] } });
    // Tracking again replaces the member's entry: one diff with both halves.
    expect(p.track('m1', 'alice', { at: 3 }, 'r3')).toEqual({
      joins: { alice: { metas: [{ at: 3, phx_ref: 'r3' }] } }, leaves: { alice: { metas: [{ at: 1, phx_ref: 'r1' }] } },
    });
    expect(p.untrack('m2')).toEqual({ joins: {}, leaves: { alice: { metas: [{ at: 2, phx_ref: 'r2' }] } } });
    expect(isEmptyDiff(p.untrack('m2'))).toBe(true);
    expect(p.size).toBe(1);
  });
});
