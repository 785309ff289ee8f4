import { describe, expect, it } from 'vitest';
import { restartsSince, type CrashState } from './restarts.js';

const t = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s));
const crash = (processType: string, slot: number, exits: number, first: number, last: number): CrashState =>
  ({ processType, slot, exits, firstExitAt: t(first), lastExitAt: t(last) });

describe('restartsSince', () => {
  const since = t(30);
  const cases: Array<[string, Array<[string, CrashState]>, Array<[number, CrashState[]]>, unknown[]]> = [
    ['no crash records, no restarts', [], [], []],
    ['the same streak counts its new exits', [['1/web/1', crash('web', 1, 2, 0, 10)]], [[1, [crash('web', 1, 5, 0, 50)]]], [{ appId: 1, processType: 'web', restarts: 3 }]],
    ['the same streak with no new exit counts nothing', [['1/web/1', crash('web', 1, 2, 0, 10)]], [[1, [crash('web', 1, 2, 0, 10)]]], []],
    ['a new streak begun since counts all its exits', [['1/web/1', crash('web', 1, 7, 0, 10)]], [[1, [crash('web', 1, 2, 40, 50)]]], [{ appId: 1, processType: 'web', restarts: 2 }]],
    ['a slot first seen, its streak older: only its last exit, when recent', [], [[1, [crash('web', 1, 4, 0, 45), crash('web', 2, 4, 0, 20)]]], [{ appId: 1, processType: 'web', restarts: 1 }]],
    ['slots of one type add up; types and apps stay apart', [], [[1, [crash('web', 1, 1, 31, 31), crash('web', 2, 2, 35, 40), crash('worker', 1, 1, 40, 40)]], [2, [crash('web', 1, 3, 32, 50)]]], [
      { appId: 1, processType: 'web', restarts: 3 }, { appId: 1, processType: 'worker', restarts: 1 }, { appId: 2, processType: 'web', restarts: 3 },
    ]],
  ];
  it.each(cases)('%s', (_name, previous, current, expected) => {
    const { counts, next } = restartsSince(new Map(previous), new Map(current), since);
    expect(counts).toEqual(expected);
    expect([...next.keys()]).toEqual(current.flatMap(([app, list]) => list.map((c) => `${app}/${c.processType}/${c.slot}`)));
  });
});
