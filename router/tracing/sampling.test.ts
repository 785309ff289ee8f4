import { describe, expect, it } from 'vitest';
import { keepSpan, sampledAtStart } from './sampling.js';

const rule = { ratio: 0.25, slowMs: 500 };
const parent = (sampled: boolean) => ({ traceId: 'a'.repeat(32), parentId: 'b'.repeat(16), sampled });

describe('router sampling', () => {
  it.each([
    ['no caller, under the ratio', undefined, 0.1, true],
    ['no caller, over the ratio', undefined, 0.3, false],
    ['no caller, at the ratio', undefined, 0.25, false],
    ["a caller's yes wins over the ratio", parent(true), 0.9, true],
    ["a caller's no wins over the ratio", parent(false), 0.0, false],
  ])('at the start: %s', (_name, caller, fraction, sampled) => {
    expect(sampledAtStart(caller, rule, fraction)).toBe(sampled);
  });

  it('a ratio of 0 samples nothing, 1 everything', () => {
    expect(sampledAtStart(undefined, { ratio: 0, slowMs: 1 }, 0)).toBe(false);
    expect(sampledAtStart(undefined, { ratio: 1, slowMs: 1 }, 0.999999)).toBe(true);
  });

  it.each([
    ['sampled', true, 200, 10, true],
    ['unsampled, fast, fine', false, 200, 10, false],
    ['unsampled 4xx', false, 404, 10, false],
    ['unsampled 5xx', false, 502, 10, true],
    ['unsampled, slow', false, 200, 500, true],
    ['unsampled, just under slow', false, 200, 499.9, false],
  ])('at the end: %s', (_name, sampled, status, ms, kept) => {
    expect(keepSpan(sampled, status, ms, rule.slowMs)).toBe(kept);
  });
});
