import { describe, expect, it } from 'vitest';
import type { PhaseTiming } from '../core/store/deployment-phases.js';
import { describePhases, PhaseClock } from './phase-clock.js';

describe('PhaseClock', () => {
  it('times each phase, a failing one included, in the order they ran', async () => {
    let t = 1_000;
    const clock = new PhaseClock(() => t);
    await clock.time('export', async () => void (t += 40));
    await expect(clock.time('build', async () => {
      t += 1200;
      throw new Error('npm ci exited 1');
    })).rejects.toThrow('npm ci exited 1');
    expect(clock.list()).toEqual([
      { phase: 'export', startedAt: new Date(1_000), ms: 40 },
      { phase: 'build', startedAt: new Date(1_040), ms: 1200 },
    ]);
  });

  it('records a phase measured elsewhere, never negative', () => {
    const clock = new PhaseClock(() => 0);
    clock.record('queue', 500, 480);
    expect(clock.list()).toEqual([{ phase: 'queue', startedAt: new Date(500), ms: 0 }]);
  });
});

describe('describePhases', () => {
  const at = (ms: number) => new Date(10_000 + ms);
  const timings: PhaseTiming[] = [
    { phase: 'queue', startedAt: at(0), ms: 12 },
    { phase: 'build', startedAt: at(12), ms: 1234 },
    { phase: 'health', startedAt: at(1300), ms: 450 },
  ];
  it.each<[string, PhaseTiming[], string]>([
    ['phases in order and the end after the push', timings, '-----> Timing: queue 0.01 s, build 1.23 s, health 0.45 s; live 1.75 s after the push was received'],
    ['nothing timed', [], '-----> Timing: nothing timed'],
  ])('%s', (_name, list, expected) => {
    expect(describePhases(list, at(0), 'live')).toBe(expected);
  });
});
