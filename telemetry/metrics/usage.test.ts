import { describe, expect, it } from 'vitest';
import type { UsageReading } from '../../scheduler/runtime/usage.js';
import { byProcessType, foldUsage, type InstanceUsage } from './usage.js';

const MB = 1024 * 1024;
const reading = (instanceId: string, processType: string, cpuSeconds: number, memoryMb: number, at: number): UsageReading => ({
  instanceId, app: 'shop', processType, cpuNs: cpuSeconds * 1e9, memoryBytes: memoryMb * MB, at,
});

describe('foldUsage', () => {
  it('gives a CPU share from the previous reading, none at an instance\'s first, and forgets gone instances', () => {
    const previous = new Map([['web.1', reading('web.1', 'web', 10, 50, 0)], ['old.1', reading('old.1', 'web', 1, 1, 0)]]);
    const { instances, next } = foldUsage(previous, [reading('web.1', 'web', 40, 64, 60_000), reading('web.2', 'web', 3, 32, 60_000)]);
    expect(instances).toEqual([
      { instance: 'web.1', app: 'shop', processType: 'web', cpuPercent: 50, memoryMb: 64 },
      { instance: 'web.2', app: 'shop', processType: 'web', cpuPercent: null, memoryMb: 32 },
    ]);
    expect([...next.keys()]).toEqual(['web.1', 'web.2']);
  });
});

describe('byProcessType', () => {
  const row = (instance: string, processType: string, cpu: number | null, memoryMb: number): InstanceUsage => ({ instance, app: 'shop', processType, cpuPercent: cpu, memoryMb });
  it.each<[string, InstanceUsage[], ReturnType<typeof byProcessType>]>([
    ['adds CPU and memory per type, counting instances',
      [row('web.1', 'web', 50, 64), row('web.2', 'web', 25, 32), row('worker.1', 'worker', 5, 10)],
      [{ app: 'shop', processType: 'web', cpuPercent: 75, memoryMb: 96, instances: 2 }, { app: 'shop', processType: 'worker', cpuPercent: 5, memoryMb: 10, instances: 1 }]],
    ['no CPU share yet: none for the type, memory still',
      [row('web.1', 'web', null, 64)],
      [{ app: 'shop', processType: 'web', cpuPercent: null, memoryMb: 64, instances: 1 }]],
    ['nothing running: no rows', [], []],
  ])('%s', (_what, instances, expected) => {
    expect(byProcessType(instances)).toEqual(expected);
  });
});
