import { describe, expect, it } from 'vitest';
import { durationsFromReports, orderTestFiles } from './test-order.js';

describe('orderTestFiles', () => {
  const order = (files: string[], durations: Record<string, number>) => orderTestFiles(files, (f) => f, durations);

  const cases: { name: string; files: string[]; durations: Record<string, number>; want: string[] }[] = [
    { name: 'longest first', files: ['a.test.ts', 'b.test.ts', 'c.test.ts'], durations: { 'a.test.ts': 1, 'b.test.ts': 200, 'c.test.ts': 30 }, want: ['b.test.ts', 'c.test.ts', 'a.test.ts'] },
    { name: 'unrecorded files first, by path', files: ['z.test.ts', 'old.test.ts', 'new.test.ts'], durations: { 'old.test.ts': 500 }, want: ['new.test.ts', 'z.test.ts', 'old.test.ts'] },
    { name: 'equal times by path', files: ['b.test.ts', 'a.test.ts'], durations: { 'a.test.ts': 2, 'b.test.ts': 2 }, want: ['a.test.ts', 'b.test.ts'] },
    { name: 'nothing recorded: by path', files: ['b.test.ts', 'a.test.ts'], durations: {}, want: ['a.test.ts', 'b.test.ts'] },
    { name: 'no files', files: [], durations: { 'a.test.ts': 1 }, want: [] },
  ];
  it.each(cases)('$name', ({ files, durations, want }) => {
    expect(order(files, durations)).toEqual(want);
  });

  it('leaves the given list as it was', () => {
    const files = ['a.test.ts', 'b.test.ts'];
    order(files, { 'b.test.ts': 9 });
    expect(files).toEqual(['a.test.ts', 'b.test.ts']);
  });
});

describe('durationsFromReports', () => {
  const file = (name: string, startTime: number, endTime: number) => ({ name, startTime, endTime });

  it.each([
    { name: 'seconds with one decimal, relative paths, sorted', reports: [{ testResults: [file('/r/b.test.ts', 0, 1_234), file('/r/a/x.test.ts', 5_000, 205_460)] }], want: { 'a/x.test.ts': 200.5, 'b.test.ts': 1.2 } },
    { name: 'a file in two reports keeps its longer time', reports: [{ testResults: [file('/r/a.test.ts', 0, 3_000)] }, { testResults: [file('/r/a.test.ts', 0, 67_000)] }], want: { 'a.test.ts': 67 } },
    { name: 'a path outside the root stays whole', reports: [{ testResults: [file('/elsewhere/a.test.ts', 0, 100)] }], want: { '/elsewhere/a.test.ts': 0.1 } },
    { name: 'no reports', reports: [], want: {} },
  ])('$name', ({ reports, want }) => {
    expect(durationsFromReports(reports, '/r')).toEqual(want);
  });
});
