import { describe, expect, it } from 'vitest';
import type { AppName, ProcessType } from '../core/names.js';
import type { CrashRecord } from '../core/store/crashes.js';
import type { Instance } from '../core/types.js';
import { describeFormation, describeInstances } from './processes-view.js';

const now = new Date('2025-01-01T00:00:10Z');
const inst = (type: string, slot: number, release: number, state: Instance['state']): Instance => ({
  id: `a-${type}-v${release}-${slot}-ab12`, app: 'a' as AppName, release, processType: type as ProcessType, upstream: null, state,
});
const crash = (slot: number, exits: number, restartInS: number): CrashRecord => ({
  release: 3, processType: 'web', slot, exits, firstExitAt: new Date('2025-01-01T00:00:00Z'),
  lastExitAt: new Date('2025-01-01T00:00:09Z'), restartAt: new Date(now.getTime() + restartInS * 1000), lastLines: ['Error: boom'],
  crashExits: 3,
});

describe('describeFormation', () => {
  it('lists the release\'s types (not release) with defaults and limits', () => {
    expect(describeFormation([{ processType: 'worker', replicas: 2, size: 'eco' }], { web: 'a', worker: 'b', release: 'c' })).toEqual([
      { type: 'web', replicas: 1, size: 'standard', memoryMb: 512, cpus: 0.5 },
      { type: 'worker', replicas: 2, size: 'eco', memoryMb: 256, cpus: 0.25 },
    ]);
  });
});

describe('describeInstances', () => {
  it.each([
    ['running is up', [inst('web', 1, 3, 'running')], [], [{ slot: 1, state: 'up' }]],
    ['starting', [inst('web', 1, 3, 'starting')], [], [{ slot: 1, state: 'starting' }]],
    ['exited once is exited', [inst('web', 1, 3, 'exited')], [crash(1, 1, 1)], [{ slot: 1, state: 'exited' }]],
    ['exited in a crash loop is crashed, with its last lines', [inst('web', 1, 3, 'exited')], [crash(1, 3, 4)],
      [{ slot: 1, state: 'crashed', lastLines: ['Error: boom'] }]],
    ['a slot waiting out its backoff shows as restarting', [], [crash(1, 1, 1)], [{ slot: 1, state: 'restarting', id: null }]],
    ['a crash-looping slot with no instance is crashed', [inst('web', 2, 3, 'running')], [crash(1, 4, 8)],
      [{ slot: 1, state: 'crashed', id: null }, { slot: 2, state: 'up' }]],
    ['an old release\'s instance during a deploy', [inst('web', 1, 2, 'running'), inst('web', 1, 3, 'starting')], [],
      [{ slot: 1, release: 3, state: 'starting' }, { slot: 1, release: 2, state: 'up' }]],
  ])('%s', (_name, instances, crashes, expected) => {
    const rows = describeInstances(instances, crashes, 3, now);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((want, i) => expect(rows[i]).toMatchObject(want));
  });
});
