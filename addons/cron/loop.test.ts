/**
 * The cron loop with the real PostgreSQL and real host processes (process runtime), ticked by
 * hand with chosen clock times: jobs come from the current release's app.json entries, due
 * ones run as one-off processes with their exit code and output kept, a job still running is
 * not started twice (that time is reported missed), and times that fell while DevFlow was down
 * are counted and shown, not dropped.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp, setCurrentRelease } from '../../core/store/apps.js';
import { createRelease } from '../../core/store/releases.js';
import { ProcessRuntime } from '../../scheduler/index.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { startServingInstance, type ServingInstance } from '../../tests/support/serving-instance.js';
import type { RunDeps } from '../runs/runner.js';
import { cronTick } from './loop.js';
import { listCron } from './service.js';

let db: TestDatabase;
let home: string;
let deps: RunDeps;
let web: ServingInstance;
const lines: string[] = [];
const app = parseAppName('crony');
const T0 = new Date('2026-12-05T10:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-cron-'));
  const slug = path.join(home, 'slug');
  await fs.mkdir(slug);
  const record = await createApp(db.sql, app);
  const release = await createRelease(db.sql, {
    appId: record.id, deploymentId: null, sha: null, description: 'test', config: { WHO: 'cron' },
    artifact: {
      kind: 'slug', dir: slug, processes: { web: 'sleep 60' }, env: {},
      cron: [{ command: 'echo "digest for $WHO"; exit 2', schedule: '* * * * *' }, { command: 'sleep 3; echo slow done', schedule: '*/5 * * * *' }],
    },
  });
  await setCurrentRelease(db.sql, record.id, release.version);
  deps = { sql: db.sql, runtime: new ProcessRuntime({ home }), log: (l) => lines.push(l) };
  web = await startServingInstance(home, app, 'crony');
});

afterAll(async () => {
  await web?.stop();
  await db?.drop();
  await fs.rm(home, { recursive: true, force: true });
});

describe('the cron loop', () => {
  it('takes the jobs of the current release and runs none before they are due', async () => {
    // Listed before the loop has looked (`devflow cron` right after the push), then by the loop.
    for (const tick of [async () => undefined, async () => expect((await cronTick(deps, T0)).started).toEqual([])]) {
      await tick();
      const jobs = await listCron(db.sql, app, T0);
      expect(jobs.map((j) => [j.schedule, j.nextRun, j.lastRun])).toEqual(expect.arrayContaining([
        ['* * * * *', '2026-12-05T10:01:00.000Z', null], ['*/5 * * * *', '2026-12-05T10:05:00.000Z', null],
      ]));
      expect(jobs).toHaveLength(2);
    }
  });

  it('runs a due job as a one-off process of the release: exit code and output kept, a failure only a failed run', async () => {
    expect(await web.answer()).toEqual({ status: 200, body: 'serving crony' });
    const { started } = await cronTick(deps, minutes(1));
    expect(started).toHaveLength(1);
    const run = await started[0]!.done;
    expect(run).toMatchObject({ state: 'failed', exitCode: 2, output: ['digest for cron'], actor: 'cron', detached: true });
    const [digest] = (await listCron(db.sql, app, minutes(1))).filter((j) => j.schedule === '* * * * *');
    expect(digest!.lastRun).toMatchObject({ id: run.id, state: 'failed', exitCode: 2 });
    // The app's running web instance is the same one, and still answers, after its cron job failed.
    expect(await web.stillRunning()).toBe(true);
    expect(await web.answer()).toEqual({ status: 200, body: 'serving crony' });
  });

  it('never starts a job while its previous run is still going: that time is reported missed', async () => {
    const first = await cronTick(deps, minutes(5));
    const slow = first.started.find((s) => s.run.command.startsWith('sleep'));
    expect(slow).toBeDefined();
    // The same due time again (a second DevFlow, or a late tick) is not run twice.
    expect((await cronTick(deps, minutes(5))).started).toEqual([]);
    // The slow job is due again while still running (ticked at 10:10 with the 10:05 run going).
    const second = await cronTick(deps, minutes(10));
    expect(second.started.map((s) => s.run.command)).toEqual(['echo "digest for $WHO"; exit 2']);
    expect(lines.some((l) => l.includes('its previous run is still going'))).toBe(true);
    await Promise.all([...first.started, ...second.started].map((s) => s.done));
    const [slowJob] = (await listCron(db.sql, app, minutes(10))).filter((j) => j.schedule === '*/5 * * * *');
    expect(slowJob).toMatchObject({ missed: 1, lastMissedAt: '2026-12-05T10:10:00.000Z' });
    expect(slowJob!.lastRun).toMatchObject({ state: 'succeeded', exitCode: 0, output: ['slow done'] });
  });

  it('reports the runs that fell while DevFlow was down, and runs the one due now', async () => {
    const { started, missed } = await cronTick(deps, minutes(60));
    await Promise.all(started.map((s) => s.done));
    // Every-minute job: 10:11 … 10:59 missed (49), 11:00 runs; five-minute job: 10:15 … 10:55 missed (9), 11:00 runs.
    expect(missed).toBe(49 + 9);
    expect(started).toHaveLength(2);
    const [digest] = (await listCron(db.sql, app, minutes(60))).filter((j) => j.schedule === '* * * * *');
    // The count is the job's total: 3 skipped by the 10:05 tick, 4 by the 10:10 one, 49 now.
    expect(digest).toMatchObject({ missed: 3 + 4 + 49, lastMissedAt: '2026-12-05T10:59:00.000Z', nextRun: '2026-12-05T11:01:00.000Z' });
    expect(lines.some((l) => /missed 49 run\(s\) while DevFlow was down/.test(l))).toBe(true);
  });

  it('drops the jobs a new release no longer declares', async () => {
    const [record] = await db.sql<{ id: number }[]>`SELECT id FROM apps WHERE name = 'crony'`;
    const release = await createRelease(db.sql, {
      appId: record!.id, deploymentId: null, sha: null, description: 'no cron', config: {},
      artifact: { kind: 'slug', dir: path.join(home, 'slug'), processes: { web: 'sleep 60' }, env: {} },
    });
    await setCurrentRelease(db.sql, record!.id, release.version);
    await cronTick(deps, minutes(61));
    expect(await listCron(db.sql, app, minutes(61))).toEqual([]);
  });
});
