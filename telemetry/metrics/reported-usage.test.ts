/**
 * Usage the tasks report themselves (agent/usage-report.ts), read back as runtime readings: the
 * path the swarm runtime's figures take for a task on any node. The OTLP bodies are the agent's
 * own (usageMetricsBody), decoded by the receiver's decoder and stored by its store, on the test
 * run's real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import type { UsageReading } from '../../scheduler/runtime/usage.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { usageMetricsBody } from '../agent/usage-report.js';
import { decodeRequest } from '../otlp/decode.js';
import { metricPointsOf } from '../otlp/metrics.js';
import { addMetricPoints } from './points.js';
import { preferReported, readReportedUsage, REPORT_FRESH_MS } from './reported-usage.js';

let db: TestDatabase;
const ids = new Map<string, number>();
beforeAll(async () => {
  db = await createTestDatabase();
  for (const name of ['shop', 'blog']) ids.set(name, (await createApp(db.sql, parseAppName(name))).id);
});
afterAll(async () => db.drop());

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

async function report(app: string, slot: number, version: string, atMs: number, cpuNs: number, memoryBytes: number): Promise<void> {
  const resource = { 'devflow.app': app, 'service.instance.id': `web.${slot}`, 'devflow.process.type': 'web', 'service.version': version };
  const body = usageMetricsBody({ cpuNs, memoryBytes }, resource, atMs - 60_000, atMs);
  await addMetricPoints(db.sql, metricPointsOf(decodeRequest('metrics', 'json', Buffer.from(JSON.stringify(body))), ids.get(app)!, new Date(atMs)));
}

describe('readReportedUsage', () => {
  it("gives each task's newest report, apart by app, slot and release, and forgets tasks gone quiet", async () => {
    await report('shop', 1, 'v3', NOW - 20_000, 1_000_000_000, 40 * 2 ** 20);
    await report('shop', 1, 'v3', NOW - 5_000, 1_500_000_000, 42 * 2 ** 20);
    await report('blog', 1, 'v3', NOW - 5_000, 7_000_000_000, 90 * 2 ** 20); // same slot and release, another app
    await report('shop', 2, 'v2', NOW - REPORT_FRESH_MS - 1_000, 9_000_000_000, 10 * 2 ** 20); // stopped reporting
    const readings = (await readReportedUsage(db.sql, NOW)).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    expect(readings).toEqual([
      { instanceId: 'blog-web.1-v3', app: 'blog', processType: 'web', cpuNs: 7_000_000_000, memoryBytes: 90 * 2 ** 20, at: NOW - 5_000 },
      { instanceId: 'shop-web.1-v3', app: 'shop', processType: 'web', cpuNs: 1_500_000_000, memoryBytes: 42 * 2 ** 20, at: NOW - 5_000 },
    ]);
  });
});

describe('preferReported', () => {
  const reading = (app: string, processType: string, instanceId: string): UsageReading => ({ instanceId, app, processType, cpuNs: 1, memoryBytes: 1, at: 0 });
  it.each<[string, UsageReading[], UsageReading[], string[]]>([
    ['no reports: the engine\'s readings', [reading('shop', 'web', 'e1')], [], ['e1']],
    ['a reporting process type drops its engine readings (one task, one reading)', [reading('shop', 'web', 'e1'), reading('shop', 'worker', 'e2')], [reading('shop', 'web', 'r1'), reading('shop', 'web', 'r2')], ['e2', 'r1', 'r2']],
    ['another app\'s reports change nothing here', [reading('blog', 'web', 'e1')], [reading('shop', 'web', 'r1')], ['e1', 'r1']],
  ])('%s', (_name, engine, reported, expected) => {
    expect(preferReported(engine, reported).map((r) => r.instanceId)).toEqual(expected);
  });
});
