/**
 * Metering on real runtimes and the real PostgreSQL (issue 20): an instance run for a known time
 * on a known size is that many instance-seconds in the ledger, within a second per start and
 * stop, on the process runtime and on the docker runtime; intervals left open by a DevFlow that
 * went down close where the instance was last seen; a month cuts intervals at its edges.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../core/names.js';
import { createApp, type AppRecord } from '../core/store/apps.js';
import type { Artifact } from '../core/types.js';
import { execa } from 'execa';
import { DockerRuntime } from '../scheduler/runtime/docker.js';
import { ProcessRuntime } from '../scheduler/runtime/process.js';
import type { InstanceSpec, RuntimeDriver } from '../scheduler/runtime/types.js';
import { SIZES } from '../scheduler/sizes.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { databaseNow, reconcileIntervals } from './ledger.js';
import { meterRuntime, sizeOf } from './metered-runtime.js';
import { monthOf, parseMonth } from './months.js';
import { appUsage } from './usage.js';

describe('months and sizes', () => {
  it.each([
    ['2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
  ])('%s covers [%s, %s)', (month, start, end) => {
    expect(parseMonth(month)).toEqual({ month, start: new Date(start), end: new Date(end) });
  });
  it.each(['2026-13', '2026-1', 'december', '2026-00'])('refuses %j with the form it wants', (bad) => {
    expect(() => parseMonth(bad)).toThrow(`"${bad}" is not a month: write it as YYYY-MM, e.g. 2026-12`);
  });
  it('names the month of a time in UTC', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59Z')).month).toBe('2026-12');
  });
  it.each([
    [SIZES.eco, 'eco'], [SIZES.performance, 'performance'], [{ memoryMb: 512 }, 'standard'], [{}, 'standard'], [{ memoryMb: 300, cpus: 1 }, 'custom'],
  ])('limits %j are size %s', (limits, name) => {
    expect(sizeOf(limits)).toBe(name);
  });
});

describe('the usage ledger on real runtimes', () => {
  let db: TestDatabase;
  let home: string;
  let app: AppRecord;
  const logged: string[] = [];
  const log = (line: string) => void logged.push(line);

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true });
    app = await createApp(db.sql, parseAppName('metered'));
    home = await mkdtemp(join(tmpdir(), 'devflow-metering-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(home, { recursive: true, force: true });
  });

  const secondsOf = async () => (await appUsage(db.sql, app, monthOf(new Date()))).instanceSeconds;

  async function runFor(runtime: RuntimeDriver, spec: InstanceSpec, ms: number): Promise<number> {
    const metered = meterRuntime(runtime, { sql: db.sql, log });
    const before = Date.now();
    const instance = await metered.start(spec);
    await sleep(ms);
    await metered.stop(instance.id, { graceMs: 0 });
    return (Date.now() - before) / 1000;
  }

  it('counts the seconds an eco instance ran on the process runtime', async () => {
    const dir = join(home, 'slug');
    await mkdir(dir, { recursive: true });
    const slug: Artifact = { kind: 'slug', dir, processes: { worker: 'node -e "setInterval(() => {}, 1000)"' }, env: { PATH: dirname(process.execPath) } };
    const runtime = new ProcessRuntime({ home });
    expect(meterRuntime(runtime, { sql: db.sql, log })).toBeInstanceOf(ProcessRuntime);
    const spec: InstanceSpec = { app: app.name, release: 1, processType: parseProcessType('worker'), slot: 1, artifact: slug, env: {}, ...SIZES.eco };
    const wall = await runFor(runtime, spec, 3000);
    const { eco } = await secondsOf();
    expect(eco).toBeGreaterThan(3 - 1);
    expect(eco).toBeLessThanOrEqual(wall + 1);
    expect(logged).toEqual([]);
  });

  it('counts the seconds a performance container ran on the docker runtime', async () => {
    // An image whose own command runs until stopped, made from the stack's run image (no pull).
    const tag = `devflow-test/metered-${randomBytes(3).toString('hex')}:v1`;
    await execa('docker', ['build', '-q', '-t', tag, '-'], { input: 'FROM devflow/stack-run:bookworm\nCMD ["sleep", "600"]\n' });
    try {
      const spec: InstanceSpec = {
        app: app.name, release: 1, processType: parseProcessType('worker'), slot: 1,
        artifact: { kind: 'image', image: tag, processes: { worker: '' } }, env: {}, ...SIZES.performance,
      };
      const wall = await runFor(new DockerRuntime(), spec, 3000);
      const { performance } = await secondsOf();
      expect(performance).toBeGreaterThan(3 - 1);
      expect(performance).toBeLessThanOrEqual(wall + 1);
      expect(logged).toEqual([]);
    } finally {
      await execa('docker', ['rmi', '-f', tag], { reject: false });
    }
  });

  it('closes the interval of an instance stopped at once, its start written beside the rollout', async () => {
    const dir = join(home, 'slug-at-once');
    await mkdir(dir, { recursive: true });
    const slug: Artifact = { kind: 'slug', dir, processes: { worker: 'node -e "setInterval(() => {}, 1000)"' }, env: { PATH: dirname(process.execPath) } };
    const metered = meterRuntime(new ProcessRuntime({ home }), { sql: db.sql, log });
    // The ledger is held up (as a busy database would), so the stop comes while the start's write waits.
    const holder = await db.sql.reserve();
    await holder`BEGIN`;
    await holder`LOCK TABLE usage_instances IN SHARE MODE`;
    const instance = await metered.start({ app: app.name, release: 1, processType: parseProcessType('worker'), slot: 2, artifact: slug, env: {}, ...SIZES.eco });
    const stopping = metered.stop(instance.id, { graceMs: 0 });
    await sleep(300);
    await holder`COMMIT`;
    holder.release();
    await stopping;
    const rows = await db.sql<{ stopped: boolean }[]>`SELECT stopped_at IS NOT NULL AS stopped FROM usage_instances WHERE instance_id = ${instance.id}`;
    expect(rows).toEqual([{ stopped: true }]);
    expect(logged).toEqual([]);
  });

  it('closes an interval left open by a DevFlow that went down where it was last seen', async () => {
    const before = (await secondsOf()).performance ?? 0;
    await db.sql`INSERT INTO usage_instances (instance_id, app_id, app, process_type, size, runtime, started_at, last_seen_at)
      VALUES ('gone-1', ${app.id}, ${app.name}, 'web', 'performance', 'process', now() - interval '10 minutes', now() - interval '4 minutes')`;
    // Seen by a reconcile that does not list it: it ran from 10 to 4 minutes ago, 360 s.
    const { closed } = await reconcileIntervals(db.sql, 'process', [], await databaseNow(db.sql));
    expect(closed).toBe(1);
    expect((await secondsOf()).performance! - before).toBeCloseTo(360, 0);
    expect((await reconcileIntervals(db.sql, 'process', [], await databaseNow(db.sql))).closed).toBe(0);
  });

  it('cuts intervals at the edges of the month', async () => {
    await db.sql`INSERT INTO usage_instances (instance_id, app_id, app, process_type, size, runtime, started_at, stopped_at, last_seen_at)
      VALUES ('edge-1', ${app.id}, ${app.name}, 'web', 'eco', 'docker', '2026-10-31T23:00:00Z', '2026-11-01T01:30:00Z', '2026-11-01T01:30:00Z')`;
    expect((await appUsage(db.sql, app, parseMonth('2026-10'))).instanceSeconds).toEqual({ eco: 3600 });
    expect((await appUsage(db.sql, app, parseMonth('2026-11'))).instanceSeconds).toEqual({ eco: 5400 });
  });
});
