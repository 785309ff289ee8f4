import { describe, expect, it } from 'vitest';
import { backoffMs, inBackoff, isCrashLoop, recordExit } from './crash-loop.js';
import { routeState } from './routes.js';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1) + s * 1000);
const exit = (kind: 'docker' | 'process' = 'process', release = 3) => ({ release, processType: 'web', slot: 1, lastLines: ['boom'], kind });

describe('crash loops', () => {
  it('counts exits, backs off exponentially and calls the third exit a crash loop (process runtime)', () => {
    const first = recordExit(undefined, exit(), at(0));
    expect([first.exits, first.restartAt.getTime() - at(0).getTime()]).toEqual([1, 1000]);
    expect(isCrashLoop(first, 3, at(0))).toBe(false);
    const second = recordExit(first, exit(), at(5));
    expect([second.exits, second.restartAt.getTime() - at(5).getTime()]).toEqual([2, 2000]);
    const third = recordExit(second, exit(), at(10));
    expect(third.exits).toBe(3);
    expect(isCrashLoop(third, 3, at(10))).toBe(true);
    expect(third.firstExitAt).toEqual(at(0));
    expect(third.lastLines).toEqual(['boom']);
  });

  it('one exit seen on docker is a crash loop: the engine already restarted it 5 times', () => {
    expect(isCrashLoop(recordExit(undefined, exit('docker'), at(0)), 3, at(0))).toBe(true);
  });

  it.each([
    ['a new release starts afresh', exit('process', 4), at(20), 1],
    ['exits long apart are forgotten', exit(), at(11 * 60), 1],
    ['exits close together add up', exit(), at(20), 3],
  ])('%s', (_name, next, when, exits) => {
    const two = recordExit(recordExit(undefined, exit(), at(0)), exit(), at(10));
    expect(recordExit(two, next, when).exits).toBe(exits);
  });

  it('a crash loop of an older release or long ago does not count', () => {
    const three = [0, 1, 2].reduce((r, s) => recordExit(r, exit(), at(s)), undefined as ReturnType<typeof recordExit> | undefined);
    expect(isCrashLoop(three, 4, at(3))).toBe(false);
    expect(isCrashLoop(three, 3, at(11 * 60))).toBe(false);
  });

  it.each([[1, 1000], [2, 2000], [5, 16000], [9, 256000], [10, 300000], [1000, 300000]])('backoff after %d exits is %d ms', (n, ms) => {
    expect(backoffMs(n)).toBe(ms);
  });

  it('inBackoff until restartAt', () => {
    const r = recordExit(undefined, exit(), at(0));
    expect(inBackoff(r, 3, at(0.5))).toBe(true);
    expect(inBackoff(r, 3, at(1))).toBe(false);
    expect(inBackoff(undefined, 3, at(0))).toBe(false);
  });
});

describe('routeState', () => {
  it.each([
    [null, 0, false, 'idle'],
    [3, 1, false, 'running'],
    [3, 0, false, 'running'],
    [3, 0, true, 'crashed'],
    [3, 1, true, 'running'],
  ] as const)('release %s, %d upstreams, web crash loop %s → %s', (release, upstreams, looping, expected) => {
    expect(routeState(release, upstreams, looping)).toBe(expected);
  });
});
