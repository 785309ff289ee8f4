/**
 * Push to served: the time from `git push` starting until the app's URL serves the pushed body,
 * for the node-hello example, cold (first deploy) and warm (one-line change), on the docker
 * and process runtimes; beside the floor, a bare `git push` of the same commit to a plain bare
 * repository on the same disk. Also DevFlow's idle memory.
 *
 *   node --import tsx bench/push.ts [--warm-runs 5]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { commandOf, getBody, machine, median, now, numberFlag, processTree, ROOT, rssMb, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

const WARM_RUNS = numberFlag('--warm-runs', 5);
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

async function makeRepo(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-src-'));
  await fs.cp(path.join(ROOT, 'examples/node-hello'), dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  await commitGreeting(dir, 0);
  return dir;
}

async function git(dir: string, args: string[]): Promise<void> {
  await execa('git', args, { cwd: dir, env: GIT_ENV });
}

async function commitGreeting(dir: string, n: number): Promise<string> {
  const file = path.join(dir, 'server.js');
  const source = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, source.replace(/Hello from node-hello[^\\]*/, `Hello from node-hello #${n}`));
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', `greeting ${n}`]);
  return `Hello from node-hello #${n}`;
}

/** Pushes and waits until the router serves `expected`; returns milliseconds. */
async function timePush(devflow: BenchDevflow, dir: string, app: string, expected: string): Promise<number> {
  const start = now();
  await execa('git', ['push', '-q', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/${app}.git`, 'HEAD:refs/heads/main'], { cwd: dir, env: GIT_ENV });
  while (!(await getBody(devflow.httpPort, `${app}.localhost`)).includes(expected)) await sleep(10);
  return now() - start;
}

async function bareFloor(dir: string): Promise<number> {
  const bare = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-bare-'));
  await execa('git', ['init', '-q', '--bare', bare]);
  const start = now();
  await execa('git', ['push', '-q', bare, 'HEAD:refs/heads/main'], { cwd: dir, env: GIT_ENV });
  const elapsed = now() - start;
  await fs.rm(bare, { recursive: true, force: true });
  return elapsed;
}

async function measureRuntime(runtime: 'docker' | 'process') {
  const devflow = await startDevflow(runtime);
  try {
    await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), 'apps:create', 'bench'], {
      env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
    });
    const dir = await makeRepo();
    const cold = await timePush(devflow, dir, 'bench', 'Hello from node-hello #0');
    const warm: number[] = [];
    const floor: number[] = [];
    for (let n = 1; n <= WARM_RUNS; n++) {
      const expected = await commitGreeting(dir, n);
      floor.push(await bareFloor(dir));
      warm.push(await timePush(devflow, dir, 'bench', expected));
    }
    await sleep(5000);
    const memory = await idleMemory(devflow);
    await fs.rm(dir, { recursive: true, force: true });
    return { runtime, cold, warm: median(warm), floor: median(floor), ...memory };
  } finally {
    await stopAndClean(devflow);
  }
}

/** DevFlow's own resident memory, and with its embedded PostgreSQL processes added. */
async function idleMemory(devflow: BenchDevflow): Promise<{ rss: number; rssWithPostgres: number }> {
  const pid = devflow.child.pid!;
  let postgres = 0;
  for (const child of await processTree(pid)) {
    if (child !== pid && (await commandOf(child)).includes('postgres')) postgres += await rssMb(child);
  }
  const rss = await rssMb(pid);
  return { rss, rssWithPostgres: rss + postgres };
}


const rows = [];
for (const runtime of ['docker', 'process'] as const) rows.push(await measureRuntime(runtime));
const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
await writeResult('push', [
  `### Push to served (node-hello), ${machine()}`,
  '',
  `Median of ${WARM_RUNS} warm runs; "bare git push" is the same commit pushed to a plain bare repository on the same disk (the floor).`,
  '',
  '| runtime | cold (first deploy) | warm (one-line change) | bare git push (floor) | DevFlow idle RSS | with embedded PostgreSQL |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.runtime} | ${ms(r.cold)} | ${ms(r.warm)} | ${ms(r.floor)} | ${r.rss.toFixed(0)} MB | ${r.rssWithPostgres.toFixed(0)} MB |`),
  '',
].join('\n'));
