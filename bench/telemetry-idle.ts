/**
 * DevFlow's idle memory with telemetry on (issue 18, "Idle platform memory with telemetry on stays
 * under the budget": docs/benchmarks.md, issue 23's 100 MB). One `devflow up` on the process
 * runtime, DevFlow's own resident memory read after a quiet spell at each step: no apps; one
 * node-hello app with telemetry off after traffic; the same app with telemetry on (ingest token,
 * every request sampled, DevFlow's Node agent exporting its spans to DevFlow's receiver) after
 * the same traffic, so its spans went through the router's buffer and the OTLP receiver into the
 * span store. Beside them, bare `node -e 0` in the same run.
 *
 *   node --import tsx bench/telemetry-idle.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bareNodeRss } from './lib/memory.js';
import { getBody, machine, ROOT, rssMb, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

/** Past DevFlow's idle collection (core/idle-gc.ts) and V8's memory reducer. */
const SETTLE_MS = 25_000;
const REQUESTS = 300;
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

async function cli(devflow: BenchDevflow, args: string[]): Promise<void> {
  await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), ...args], {
    env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
  });
}

async function push(devflow: BenchDevflow, dir: string, message: string): Promise<void> {
  await fs.appendFile(path.join(dir, 'README.md'), `${message}\n`);
  await execa('git', ['add', '-A'], { cwd: dir, env: GIT_ENV });
  await execa('git', ['commit', '-q', '-m', message], { cwd: dir, env: GIT_ENV });
  await execa('git', ['push', '-q', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/idle.git`, 'HEAD:refs/heads/main'], { cwd: dir, env: GIT_ENV });
}

async function traffic(devflow: BenchDevflow): Promise<void> {
  for (let i = 0; i < REQUESTS; i++) await getBody(devflow.httpPort, 'idle.localhost');
}

async function settledRss(devflow: BenchDevflow): Promise<number> {
  await sleep(SETTLE_MS);
  return rssMb(devflow.child.pid!);
}

async function main(): Promise<void> {
  const load = os.loadavg();
  const bare = await bareNodeRss();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-idle-'));
  await fs.cp(path.join(ROOT, 'examples/node-hello'), dir, { recursive: true });
  await execa('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: GIT_ENV });
  const devflow = await startDevflow('process');
  try {
    const none = await settledRss(devflow);
    await cli(devflow, ['apps:create', 'idle']);
    await push(devflow, dir, 'first');
    await traffic(devflow);
    const off = await settledRss(devflow);
    await cli(devflow, ['telemetry:enable', '--app', 'idle', '--sample', '1']);
    // The OTEL_ variables and the agent reach the processes from the next release.
    await push(devflow, dir, 'with telemetry');
    await traffic(devflow);
    const on = await settledRss(devflow);
    const after = os.loadavg();
    await writeResult('telemetry-idle', [
      `### Idle memory with telemetry on (${machine()}; load average ${load.map((l) => l.toFixed(1)).join(' / ')} before, ${after.map((l) => l.toFixed(1)).join(' / ')} after)`,
      '',
      `DevFlow's own RSS (process runtime, embedded PostgreSQL and the app excluded), ${SETTLE_MS / 1000} s after the last request; bare \`node -e 0\`: ${bare.toFixed(0)} MB.`,
      '',
      '| state | RSS |',
      '| --- | --- |',
      `| no apps | ${none.toFixed(0)} MB |`,
      `| one app, telemetry off, after ${REQUESTS} requests | ${off.toFixed(0)} MB |`,
      `| the same app, telemetry on (every request sampled, the Node agent exporting), after ${REQUESTS} requests | ${on.toFixed(0)} MB |`,
      '',
    ].join('\n'));
  } finally {
    await stopAndClean(devflow);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
