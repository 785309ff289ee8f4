/**
 * `devflow run` start-to-first-output (issue 21) beside `docker run` of the same image, in the
 * same run, alternating (A B A B …) so a slower moment of the machine reaches both alike. Each
 * is timed as a user's shell sees it: from spawning the client until its first output line.
 * `devflow run` goes CLI → API → a new container of the app's current release (docker runtime)
 * → output streamed back; `docker run --rm` goes docker CLI → engine → container. The app is
 * tests/fixtures/addons-app, pushed once. Runs the built CLI (npm run build first). The same
 * pair again with a terminal: `devflow run --tty` (WebSocket, Tty container) beside `docker run -t`,
 * with stdin not a terminal (as from a script), which the CLI handles (api/run-tty.test.ts).
 * Usage: node --import tsx bench/run-once.ts [--runs 10]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { machine, median, now, numberFlag, ROOT, startDevflow, stopAndClean, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 10);
const BIN = path.join(ROOT, 'bin/devflow.js');
const APP = 'bench-run';

/** A client that has not exited by then is stuck: the bench fails naming it rather than waiting for ever. */
const STUCK_MS = 60_000;

/** Milliseconds from spawn to the first stdout line; fails on a non-zero exit or a client that never exits. */
function firstOutput(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    let first: number | undefined;
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stuck = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} had not exited after ${STUCK_MS / 1000} s (first output ${first === undefined ? 'never came' : `after ${first.toFixed(0)} ms`})`));
    }, STUCK_MS);
    child.stdout.on('data', () => (first ??= now() - start));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(stuck);
      if (code === 0 && first !== undefined) resolve(first);
      else reject(new Error(`${file} ${args.join(' ')} exited ${code}`));
    });
  });
}

async function pushApp(port: number, token: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-src-'));
  await fs.cp(path.join(ROOT, 'tests/fixtures/addons-app'), dir, { recursive: true });
  const git = (args: string[]) => execa('git', args, { cwd: dir, env: { HOME: dir, GIT_CONFIG_NOSYSTEM: '1', PATH: process.env.PATH ?? '' }, extendEnv: false });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'bench']);
  await git(['push', '-q', `http://devflow:${token}@127.0.0.1:${port}/${APP}.git`, 'HEAD:refs/heads/main']);
  return (await git(['rev-parse', 'HEAD'])).stdout.trim().slice(0, 12);
}

async function main(): Promise<void> {
  const devflow = await startDevflow('docker');
  let image: string | undefined;
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token };
    await execa(process.execPath, [BIN, 'apps:create', APP], { env });
    image = `devflow/${APP}:${await pushApp(devflow.port, devflow.token)}`;
    const subjects = [
      { name: `\`devflow run ${APP} -- echo first\``, file: process.execPath, args: [BIN, 'run', APP, '--', 'echo first'], times: [] as number[] },
      { name: "`docker run --rm <the release's image> sh -c 'echo first'`", file: '/usr/bin/docker', args: ['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'echo first'], times: [] as number[] },
      // With a terminal: the API's WebSocket and a Tty container, beside `docker run -t`.
      { name: `\`devflow run ${APP} --tty -- echo first\``, file: process.execPath, args: [BIN, 'run', APP, '--tty', '--', 'echo first'], times: [] as number[] },
      { name: "`docker run --rm -t <the release's image> sh -c 'echo first'`", file: '/usr/bin/docker', args: ['run', '--rm', '-t', '--entrypoint', '/bin/sh', image, '-c', 'echo first'], times: [] as number[] },
    ];
    for (const s of subjects) await firstOutput(s.file, s.args, env); // warm caches
    for (let run = 0; run < RUNS; run++) for (const s of subjects) s.times.push(await firstOutput(s.file, s.args, env));
    const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const rows = subjects.map((s) => `| ${s.name} | ${median(s.times).toFixed(0)} ms | ${Math.min(...s.times).toFixed(0)} ms | ${Math.max(...s.times).toFixed(0)} ms |`);
    const markdown = [
      `### One-off run start-to-first-output (${machine()}, load average ${load}, ${RUNS} runs each, alternating)`, '',
      '| client | median | min | max |', '| --- | --- | --- | --- |', ...rows, '',
    ].join('\n');
    console.log(markdown);
    await writeResult('run-once', markdown);
  } finally {
    await stopAndClean(devflow);
    if (image) await execa('/usr/bin/docker', ['rmi', '-f', image], { reject: false });
  }
}

await main();
