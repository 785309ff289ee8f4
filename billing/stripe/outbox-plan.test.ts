import { describe, expect, it } from 'vitest';
import { isDuplicateMeterEvent, meterIdentifier, retryDelayMs } from './outbox-plan.js';

describe('meter outbox rules', () => {
  it('gives the same usage the same identifier, and another hour another', () => {
    const hour = new Date('2026-12-05T10:00:00Z');
    expect(meterIdentifier('cus_A', 'devflow_instance_seconds', hour)).toBe('cus_A:devflow_instance_seconds:1796464800');
    expect(meterIdentifier('cus_A', 'devflow_instance_seconds', new Date('2026-12-05T11:00:00Z'))).not.toBe(meterIdentifier('cus_A', 'devflow_instance_seconds', hour));
    expect(meterIdentifier('cus_A', 'x'.repeat(200), hour)).toHaveLength(100);
  });

  it.each([[1, 5_000], [2, 10_000], [3, 20_000], [10, 2_560_000], [11, 3_600_000], [40, 3_600_000]])('waits after %i failures %i ms', (attempts, ms) => {
    expect(retryDelayMs(attempts)).toBe(ms);
  });

  it.each([
    [{ statusCode: 400, message: '[req_1] An event already exists with identifier cus_A:m:1.' }, true],
    [{ statusCode: 400, message: 'Missing required param: payload[value].' }, false],
    [{ statusCode: 500, message: 'An event already exists with identifier x' }, false],
    [new Error('socket hang up'), false],
  ])('%j is a duplicate: %s', (err, duplicate) => {
    expect(isDuplicateMeterEvent(err)).toBe(duplicate);
  });
});
