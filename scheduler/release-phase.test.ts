import { describe, expect, it } from 'vitest';
import { parseReleaseTimeout } from './release-phase.js';

describe('parseReleaseTimeout', () => {
  it.each([[undefined, 300_000], ['', 300_000], ['30', 30_000], ['1.5', 1_500]])('%j → %d ms', (value, ms) => {
    expect(parseReleaseTimeout(value)).toBe(ms);
  });
  it.each(['0', '-5', 'soon'])('refuses %j', (value) => {
    expect(() => parseReleaseTimeout(value)).toThrow('DEVFLOW_RELEASE_TIMEOUT must be a positive number of seconds');
  });
});
