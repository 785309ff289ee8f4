import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it.each([[1, 5_000], [2, 10_000], [3, 20_000], [8, 640_000], [10, 2_560_000], [11, 3_600_000], [40, 3_600_000]])(
    'after failure %i waits %i ms', (attempts, delay) => {
      expect(retryDelayMs(attempts)).toBe(delay);
    });
});
