import { describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import { assertInstanceId, assertSlotAndRelease, instanceName, randomSuffix, releaseAndSlotOf } from './naming.js';

const identity = { app: parseAppName('my-app'), processType: parseProcessType('web'), release: 7, slot: 3 };

describe('instance names', () => {
  it('reads <app>-<type>-v<release>-<slot>-<random>', () => {
    expect(instanceName(identity, 'beef')).toBe('my-app-web-v7-3-beef');
  });

  it('has a 4-hex random tail', () => {
    expect(randomSuffix()).toMatch(/^[0-9a-f]{4}$/);
  });

  const ids: Array<[string, { release: number; slot: number } | null]> = [
    ['my-app-web-v7-3-beef', { release: 7, slot: 3 }],
    ['devflow-my-app-worker-v12-10-0a1b', { release: 12, slot: 10 }],
    ['f00dcafe', null],
  ];
  it.each(ids)('release and slot of %s', (id, expected) => {
    expect(releaseAndSlotOf(id)).toEqual(expected);
  });
});

describe('validation', () => {
  it.each(['../etc/passwd', 'a/b', '', 'A', '-x'])('refuses instance id %j', (id) => {
    expect(() => assertInstanceId(id)).toThrow(/invalid/);
  });

  it('accepts DevFlow ids and container ids', () => {
    expect(assertInstanceId('devflow-shop-web-v1-1-abcd')).toBe('devflow-shop-web-v1-1-abcd');
    expect(assertInstanceId('0123456789ab')).toBe('0123456789ab');
  });

  it.each([
    [0, 1],
    [1, 0],
    [1.5, 1],
  ])('refuses release %d slot %d', (release, slot) => {
    expect(() => assertSlotAndRelease({ ...identity, release, slot })).toThrow(/positive integer/);
  });
});
