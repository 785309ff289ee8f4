/**
 * Deploys under load: a steady 250 requests/s through the router while DevFlow rolls out new
 * releases (1 and 3 web instances) and rolls back, beside a stop-then-start redeploy of the
 * same app (scale to 0, then back to 1) measured in the same run, which shows what a
 * start-first rollout saves.
 *
 *   node --import tsx bench/deploys.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startLoad, type LoadCounts } from '../tests/support/load.js';
import { machine, now, ROOT, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

interface Row { runtime: string; step: string; seconds: number; sent: number; failed: number }

async function cli(devflow: BenchDevflow, args: string[]): Promise<void> {
  await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), ...args], {
    env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
  });
}

async function measure(devflow: BenchDevflow, runtime: string, step: string, action: () => Promise<void>): Promise<Row> {
  const load = startLoad({ port: devflow.httpPort, host: 'bench.localhost', rate: 250 });
  await new Promise((r) => setTimeout(r, 1000));
  const start = now();
  await action();
  const seconds = (now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const counts: LoadCounts = await load.stop();
  return { runtime, step, seconds, sent: counts.sent, failed: counts.errors + counts.status5xx + counts.otherStatus };
}

async function runtimeRows(runtime: 'docker' | 'process'): Promise<Row[]> {
  const devflow = await startDevflow(runtime);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-deploys-'));
  try {
    await cli(devflow, ['apps:create', 'bench']);
    await fs.cp(path.join(ROOT, 'examples/node-hello'), dir, { recursive: true });
    const git = (args: string[]) => execa('git', args, { cwd: dir, env: GIT_ENV });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', 'v1']);
    const push = async () => {
      await fs.appendFile(path.join(dir, 'server.js'), '\n// change\n');
      await git(['commit', '-qam', 'change']);
      await git(['push', '-q', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/bench.git`, 'HEAD:refs/heads/main']);
    };
    await push();
    const rows = [await measure(devflow, runtime, 'rolling deploy, 1 web', push)];
    await cli(devflow, ['ps:scale', 'bench', 'web=3']);
    rows.push(await measure(devflow, runtime, 'rolling deploy, 3 web', push));
    await cli(devflow, ['ps:scale', 'bench', 'web=1']);
    rows.push(await measure(devflow, runtime, 'rollback', () => cli(devflow, ['rollback', 'bench'])));
    rows.push(await measure(devflow, runtime, 'stop-then-start (scale 0, then 1)', async () => {
      await cli(devflow, ['ps:scale', 'bench', 'web=0']);
      await cli(devflow, ['ps:scale', 'bench', 'web=1']);
    }));
    return rows;
  } finally {
    await stopAndClean(devflow);
    await fs.rm(dir, { recursive: true, force: true });
  }
}


const rows: Row[] = [];
for (const runtime of ['docker', 'process'] as const) rows.push(...(await runtimeRows(runtime)));
await writeResult('deploys', [
  `### Deploys under load, ${machine()}`,
  '',
  '250 requests/s through the router from a second process, from 1 s before each step until 1 s after it.',
  '',
  '| runtime | step | time | requests | failed |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.runtime} | ${r.step} | ${r.seconds.toFixed(2)} s | ${r.sent} | ${r.failed} |`),
  '',
].join('\n'));
