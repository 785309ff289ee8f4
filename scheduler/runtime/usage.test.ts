import { describe, expect, it } from 'vitest';
import { cpuPercent, engineStatsUsage, groupUsage, parseProcUsage, type ProcUsage } from './usage.js';

describe('cpuPercent', () => {
  it.each<[string, number, number, number, number, number | null]>([
    ['half a core over a minute', 0, 0, 30e9, 60_000, 50],
    ['two cores busy', 10e9, 1_000, 14e9, 3_000, 200],
    ['idle', 5e9, 0, 5e9, 60_000, 0],
    ['a restart (counter went down)', 9e9, 0, 1e9, 60_000, null],
    ['no time between readings', 1e9, 5, 2e9, 5, null],
  ])('%s', (_what, cpuBefore, atBefore, cpuAfter, atAfter, expected) => {
    const value = cpuPercent({ cpuNs: cpuBefore, at: atBefore }, { cpuNs: cpuAfter, at: atAfter });
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 9);
  });
});

describe('parseProcUsage', () => {
  const line = (comm: string, pgrp: number, utime: number, stime: number, rss: number) =>
    `4242 (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 12345 1000000 ${rss} 18446744073709551615`;
  it.each<[string, string, ProcUsage | null]>([
    ['a node process', line('node', 4242, 150, 50, 2560), { pid: 4242, pgrp: 4242, cpuTicks: 200, rssPages: 2560 }],
    ['a command with spaces and parentheses', line('a (b) c', 7, 1, 2, 3), { pid: 4242, pgrp: 7, cpuTicks: 3, rssPages: 3 }],
    ['a truncated line', '4242 (node) S 1 4242', null],
    ['not a stat line', 'hello', null],
  ])('%s', (_what, text, expected) => {
    expect(parseProcUsage(text)).toEqual(expected);
  });
});

describe('groupUsage', () => {
  const procs: ProcUsage[] = [
    { pid: 10, pgrp: 10, cpuTicks: 100, rssPages: 1000 },
    { pid: 11, pgrp: 10, cpuTicks: 50, rssPages: 24 },
    { pid: 20, pgrp: 20, cpuTicks: 7, rssPages: 7 },
  ];
  it('adds up the processes of the group: ticks of 10 ms, pages of 4 KiB', () => {
    expect(groupUsage(procs, 10)).toEqual({ cpuNs: 1.5e9, memoryBytes: 1024 * 4096 });
  });
  it('has nothing for a group that is gone', () => {
    expect(groupUsage(procs, 30)).toBeNull();
  });
});

describe('engineStatsUsage', () => {
  it.each<[string, Parameters<typeof engineStatsUsage>[0], ReturnType<typeof engineStatsUsage>]>([
    ['cgroup v2: usage less inactive_file', { cpu_stats: { cpu_usage: { total_usage: 5e9 } }, memory_stats: { usage: 50e6, stats: { inactive_file: 10e6 } } }, { cpuNs: 5e9, memoryBytes: 40e6 }],
    ['cgroup v1: usage less total_inactive_file', { cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: { usage: 30e6, stats: { total_inactive_file: 5e6 } } }, { cpuNs: 1, memoryBytes: 25e6 }],
    ['no cache figure: the usage', { cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: { usage: 30e6 } }, { cpuNs: 1, memoryBytes: 30e6 }],
    ['a stopped container answers without figures', { cpu_stats: { cpu_usage: {} }, memory_stats: {} }, null],
  ])('%s', (_what, stats, expected) => {
    expect(engineStatsUsage(stats)).toEqual(expected);
  });
});
