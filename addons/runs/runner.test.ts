/**
 * One-off runs with the real PostgreSQL and real host processes (the process runtime's
 * runOnce): the command runs in the current release's slug with its config and the platform's
 * variables, output arrives line by line, the exit code and output tail are stored, an aborted
 * (client gone) run is killed, a detached one keeps its output for later, and a restarted
 * DevFlow marks runs it lost as interrupted.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp, setCurrentRelease } from '../../core/store/apps.js';
import { setFormation } from '../../core/store/formation.js';
import { createRelease } from '../../core/store/releases.js';
import { ProcessRuntime } from '../../scheduler/index.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { beginRun } from './runner.js';
import { RunService } from './service.js';
import { findRun, markInterruptedRuns } from './store.js';

let db: TestDatabase;
let home: string;
let runs: RunService;
const app = parseAppName('runner');

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-runs-'));
  const slug = path.join(home, 'slug');
  await fs.mkdir(slug);
  await fs.writeFile(path.join(slug, 'migrate.sh'), 'echo "migrating $DATABASE_URL with $GREETING"\necho to-stderr >&2\nexit 3\n');
  const record = await createApp(db.sql, app);
  const release = await createRelease(db.sql, {
    appId: record.id, deploymentId: null, sha: null, description: 'test', config: { GREETING: 'hello' },
    artifact: { kind: 'slug', dir: slug, processes: { web: 'sleep 60' }, env: {} },
  });
  await setCurrentRelease(db.sql, record.id, release.version);
  runs = new RunService({
    sql: db.sql, runtime: new ProcessRuntime({ home }), log: () => {},
    platformEnv: { forApp: async () => ({ DATABASE_URL: 'postgres://stand-in' }) },
  });
});

afterAll(async () => {
  await db?.drop();
  await fs.rm(home, { recursive: true, force: true });
});

describe('one-off runs', () => {
  it("hands the runtime the size limits the app's web processes run at (the default size before any scale)", async () => {
    const deps = { sql: db.sql, runtime: new ProcessRuntime({ home }), log: () => {} };
    const request = { command: 'true', actor: 'ci', detached: false };
    expect((await beginRun(deps, app, request)).spec).toMatchObject({ command: 'true', memoryMb: 512, cpus: 0.5 });
    const [record] = await db.sql<{ id: number }[]>`SELECT id FROM apps WHERE name = ${app}`;
    await setFormation(db.sql, record!.id, { processType: 'web', replicas: 1, size: 'performance' });
    expect((await beginRun(deps, app, request)).spec).toMatchObject({ memoryMb: 2048, cpus: 2 });
    await db.sql`DELETE FROM formation WHERE app_id = ${record!.id}`;
    await db.sql`DELETE FROM one_off_runs WHERE app_id = ${record!.id}`;
  });

  it("runs the command in the current release with its config, streams lines, and keeps the exit code", async () => {
    const lines: string[] = [];
    const { run, done } = await runs.start(app, { command: 'sh migrate.sh', actor: 'ci', detached: false, onLine: (l) => lines.push(l) });
    expect(run).toMatchObject({ app: 'runner', release: 1, state: 'running', actor: 'ci' });
    const ended = await done;
    expect(lines).toEqual(expect.arrayContaining(['migrating postgres://stand-in with hello', 'to-stderr']));
    expect(ended).toMatchObject({ state: 'failed', exitCode: 3, output: lines });
    expect(await runs.get(app, run.id)).toMatchObject({ state: 'failed', exitCode: 3 });
  });

  it('kills an attached run when its client goes away', async () => {
    const controller = new AbortController();
    const { done } = await runs.start(app, {
      command: 'echo started; sleep 30; echo never', actor: 'ci', detached: false, signal: controller.signal,
      onLine: () => controller.abort(),
    });
    const ended = await done;
    expect(ended).toMatchObject({ state: 'killed', output: ['started'] });
    expect(ended.exitCode).not.toBe(0);
  });

  it('keeps a detached run going and its output readable later', async () => {
    const { run, done } = await runs.start(app, { command: 'echo one; echo two', actor: 'ci', detached: true });
    await done;
    expect(await runs.get(app, run.id)).toMatchObject({ detached: true, state: 'succeeded', exitCode: 0, output: ['one', 'two'] });
    expect((await runs.list(app)).map((r) => r.id)).toContain(run.id);
  });

  it('refuses an app without a release, and an unknown run', async () => {
    await createApp(db.sql, parseAppName('empty'));
    await expect(runs.start(parseAppName('empty'), { command: 'true', actor: 'ci', detached: false })).rejects.toThrow(/no release yet/);
    await expect(runs.get(app, 9999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('marks runs a stopped DevFlow left running as interrupted', async () => {
    const [row] = await db.sql<{ id: number }[]>`
      INSERT INTO one_off_runs (app_id, release, command, actor) SELECT id, 1, 'sleep 99', 'ci' FROM apps WHERE name = 'runner' RETURNING id`;
    expect(await markInterruptedRuns(db.sql)).toBe(1);
    expect(await findRun(db.sql, { id: (await db.sql`SELECT id FROM apps WHERE name = 'runner'`)[0]!.id as number, name: 'runner' }, row!.id))
      .toMatchObject({ state: 'interrupted' });
  });
});
