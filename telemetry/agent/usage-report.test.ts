/**
 * The task-side usage report (usage-report.ts): the cgroup v2 files as the agent reads them, and
 * its OTLP body as DevFlow's receiver decodes it. Pure; the figures read inside a real container
 * are checked against `docker stats` in usage-report.container.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../otlp/decode.js';
import { metricPointsOf } from '../otlp/metrics.js';
import { CPU_METRIC, MEMORY_METRIC, parseCgroupUsage, parseCgroupV1Usage, parseKeyValues, usageMetricsBody } from './usage-report.js';

const CPU_STAT = 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\n';
const MEMORY_STAT = 'anon 30000000\nfile 9000000\nactive_file 1000000\ninactive_file 8000000\nslab 100\n';

describe('parseCgroupUsage', () => {
  it.each<[string, string, string, string, { cpuNs: number; memoryBytes: number } | null]>([
    ['usage less the inactive page cache, as docker stats', CPU_STAT, '50000000\n', MEMORY_STAT, { cpuNs: 1_234_567_000, memoryBytes: 42_000_000 }],
    ['no inactive_file line: all of it', CPU_STAT, '50000000\n', 'anon 1\n', { cpuNs: 1_234_567_000, memoryBytes: 50_000_000 }],
    ['more cache than usage (a moment apart): all of it', CPU_STAT, '5000000\n', MEMORY_STAT, { cpuNs: 1_234_567_000, memoryBytes: 5_000_000 }],
    ['cgroup v1 has no usage_usec', 'user 10\nsystem 5\n', '50000000\n', MEMORY_STAT, null],
    ['memory.current unreadable', CPU_STAT, 'max\n', MEMORY_STAT, null],
    ['a field that merely ends like usage_usec does not count', 'xusage_usec 5\n', '1\n', '', null],
  ])('%s', (_name, cpu, current, stat, expected) => {
    expect(parseCgroupUsage(cpu, current, stat)).toEqual(expected);
  });
});

describe('parseCgroupV1Usage', () => {
  it.each<[string, string, string, string, { cpuNs: number; memoryBytes: number } | null]>([
    ['usage less total_inactive_file, as the docker CLI on v1', '91174949\n', '50000000\n', 'inactive_file 1000\ntotal_inactive_file 8000000\n', { cpuNs: 91_174_949, memoryBytes: 42_000_000 }],
    ['only inactive_file', '5\n', '50000000\n', 'inactive_file 1000000\n', { cpuNs: 5, memoryBytes: 49_000_000 }],
    ['not numbers', 'x\n', '1\n', '', null],
  ])('%s', (_name, cpu, usage, stat, expected) => {
    expect(parseCgroupV1Usage(cpu, usage, stat)).toEqual(expected);
  });
});

describe('parseKeyValues', () => {
  it.each<[string | undefined, Record<string, string>]>([
    ['x-devflow-ingest-token=dfi_abc', { 'x-devflow-ingest-token': 'dfi_abc' }],
    ['devflow.app=shop, service.instance.id=web.1 ,service.version=v3', { 'devflow.app': 'shop', 'service.instance.id': 'web.1', 'service.version': 'v3' }],
    ['a=b%2Cc,=nokey,novalue,bad=%E0%A4%A', { a: 'b,c' }],
    [undefined, {}],
  ])('%s', (text, expected) => {
    expect(parseKeyValues(text)).toEqual(expected);
  });
});

describe('usageMetricsBody', () => {
  it("decodes in DevFlow's receiver to two points naming the task", () => {
    const resource = { 'devflow.app': 'shop', 'service.instance.id': 'web.2', 'devflow.process.type': 'web', 'service.version': 'v7' };
    const body = usageMetricsBody({ cpuNs: 2_500_000_000, memoryBytes: 41_943_040 }, resource, 1_764_950_000_000, 1_764_950_400_000);
    const decoded = decodeRequest('metrics', 'json', Buffer.from(JSON.stringify(body)));
    const points = metricPointsOf(decoded, 9, new Date(0));
    const task = { 'service.instance.id': 'web.2', 'devflow.process.type': 'web', 'service.version': 'v7' };
    expect(points).toEqual([
      { appId: 9, name: CPU_METRIC, kind: 'sum', unit: 's', attributes: task, at: new Date(1_764_950_400_000), value: 2.5, count: null, temporality: 'cumulative', monotonic: true },
      { appId: 9, name: MEMORY_METRIC, kind: 'gauge', unit: 'By', attributes: task, at: new Date(1_764_950_400_000), value: 41_943_040, count: null, temporality: null, monotonic: null },
    ]);
  });
});
