import { describe, expect, it } from 'vitest';
import { backoffMs, crashLoopExits, exitsPerObservation, inBackoff, isCrashLoop, recordExit, type Restarts } from './crash-loop.js';
import { routeState } from './routes.js';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1) + s * 1000);
const exit = (release = 3) => ({ release, processType: 'web', slot: 1, lastLines: ['boom'] });
const processRuntime = (maxRestarts = 2): Restarts => ({ kind: 'process', maxRestarts });
const observe = (restarts: Restarts, seconds: number[]) =>
  seconds.reduce((r, s) => recordExit(r, exit(), restarts, at(s)), undefined as ReturnType<typeof recordExit> | undefined);

describe('crash loops', () => {
  it('counts exits, backs off exponentially and calls the third exit a crash loop (process runtime, 2 restarts)', () => {
    const restarts = processRuntime(2);
    const first = recordExit(undefined, exit(), restarts, at(0));
    expect([first.exits, first.restartAt.getTime() - at(0).getTime()]).toEqual([1, 1000]);
    expect(isCrashLoop(first, 3, at(0))).toBe(false);
    const second = recordExit(first, exit(), restarts, at(5));
    expect([second.exits, second.restartAt.getTime() - at(5).getTime()]).toEqual([2, 2000]);
    const third = recordExit(second, exit(), restarts, at(10));
    expect(third.exits).toBe(3);
    expect(isCrashLoop(third, 3, at(10))).toBe(true);
    expect(third.firstExitAt).toEqual(at(0));
    expect(third.lastLines).toEqual(['boom']);
  });

  // DEVFLOW_MAX_RESTARTS, the same rule on every runtime: N restarts, and the exit after them
  // (the N + 1st) makes the slot crashed. The engines restart on their own, so DevFlow sees one
  // exit standing for N + 1; the process runtime's supervisor sees every one.
  it.each([
    // runtime, N, exits per observation, observations until crashed
    ['docker', 5, 6, 1],
    ['swarm', 5, 6, 1],
    ['docker', 2, 3, 1],
    ['swarm', 1, 2, 1],
    ['process', 5, 1, 6],
    ['process', 2, 1, 3],
    ['process', 1, 1, 2],
  ] as const)('%s with %d restarts: one observed exit is %d, crashed at the observation %d', (kind, maxRestarts, perObservation, observations) => {
    const restarts = { kind, maxRestarts };
    expect(exitsPerObservation(restarts)).toBe(perObservation);
    expect(crashLoopExits(restarts)).toBe(maxRestarts + 1);
    const seconds = Array.from({ length: observations }, (_, i) => i * 30);
    const before = observe(restarts, seconds.slice(0, -1));
    const after = observe(restarts, seconds);
    expect(isCrashLoop(before, 3, at(seconds.at(-1)!))).toBe(false);
    expect(isCrashLoop(after, 3, at(seconds.at(-1)!))).toBe(true);
    expect([after!.exits, after!.crashExits]).toEqual([perObservation * observations, maxRestarts + 1]);
  });

  it('a record keeps the threshold it was counted by: one made with another setting is read as it was made', () => {
    const underFive = observe(processRuntime(5), [0, 1, 2]);
    expect([underFive!.exits, isCrashLoop(underFive, 3, at(2))]).toEqual([3, false]);
    const underTwo = observe(processRuntime(2), [0, 1, 2]);
    expect(isCrashLoop(underTwo, 3, at(2))).toBe(true);
  });

  it.each([
    ['a new release starts afresh', exit(4), at(20), 1],
    ['exits long apart are forgotten', exit(), at(11 * 60), 1],
    ['exits close together add up', exit(), at(20), 3],
  ])('%s', (_name, next, when, exits) => {
    const two = observe(processRuntime(), [0, 10]);
    expect(recordExit(two, next, processRuntime(), when).exits).toBe(exits);
  });

  it('a crash loop of an older release or long ago does not count', () => {
    const three = observe(processRuntime(), [0, 1, 2]);
    expect(isCrashLoop(three, 4, at(3))).toBe(false);
    expect(isCrashLoop(three, 3, at(11 * 60))).toBe(false);
  });

  it.each([[1, 1000], [2, 2000], [5, 16000], [9, 256000], [10, 300000], [1000, 300000]])('backoff after %d exits is %d ms', (n, ms) => {
    expect(backoffMs(n)).toBe(ms);
  });

  it('inBackoff until restartAt', () => {
    const r = recordExit(undefined, exit(), processRuntime(), at(0));
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
