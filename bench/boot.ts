/**
 * Boot: how long a new web instance of examples/node-deps takes from `docker run` until it answers
 * HTTP, the part of a warm push between "instance started" and "new release answers" (issue 15).
 * Four ways in the same run, interleaved so a loaded machine slows them alike: the start script
 * through `npm start` (as before issue 15) or through devflow-npm-start (node directly), each
 * capped at the `standard` size's 0.5 CPU while booting or uncapped (capped once healthy).
 *
 *   node --import tsx bench/boot.ts [--runs 5]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { parseAppName } from '../core/names.js';
import { buildApp } from '../builder/build.js';
import { buildStack } from '../builder/stack.js';
import { getBody, machine, median, now, numberFlag, ROOT, sleep, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 5);
const docker = new Docker();
const quiet = { line: () => undefined };

interface Way { name: string; command: string; cpus: string | null }
const WAYS: Way[] = [
  { name: 'npm start, 0.5 CPU while booting (before)', command: 'npm start', cpus: '0.5' },
  { name: 'npm start, uncapped while booting', command: 'npm start', cpus: null },
  { name: 'devflow-npm-start, 0.5 CPU while booting', command: 'devflow-npm-start', cpus: '0.5' },
  { name: 'devflow-npm-start, uncapped while booting (now)', command: 'devflow-npm-start', cpus: null },
];

async function buildImage(): Promise<string> {
  const src = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-boot-'));
  await fs.cp(path.join(ROOT, 'examples/node-deps'), src, { recursive: true });
  await buildStack({ docker, log: quiet });
  const result = await buildApp({
    app: parseAppName('bench-boot'), sha: 'b'.repeat(40), sourceDir: src, target: 'image', log: quiet, docker, env: {},
    workDir: await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-boot-work-')), cacheDir: await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-boot-cache-')),
  });
  if (result.artifact.kind !== 'image') throw new Error('expected an image');
  return result.artifact.image;
}

/** docker run -> the first HTTP answer, in milliseconds. */
async function boot(image: string, way: Way): Promise<number> {
  const start = now();
  const args = ['run', '-d', '-p', '127.0.0.1::5000', '-e', 'PORT=5000', ...(way.cpus ? ['--cpus', way.cpus] : []), image, ...way.command.split(' ')];
  const id = (await execa('/usr/bin/docker', args)).stdout.trim();
  try {
    const port = /:(\d+)\s*$/m.exec((await execa('/usr/bin/docker', ['port', id, '5000/tcp'])).stdout.split('\n')[0] ?? '')?.[1];
    while (!(await getBody(Number(port), 'localhost')).includes('node-deps')) await sleep(10);
    return now() - start;
  } finally {
    await execa('/usr/bin/docker', ['rm', '-f', id], { reject: false });
  }
}

const image = await buildImage();
const times = new Map<string, number[]>(WAYS.map((w) => [w.name, []]));
for (let run = 0; run < RUNS; run++) for (const way of WAYS) times.get(way.name)!.push(await boot(image, way));
await execa('/usr/bin/docker', ['rmi', '-f', image], { reject: false });
const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
await writeResult('boot', [
  `### Boot of a new instance (node-deps), ${machine()}`,
  '',
  `docker run → first HTTP answer, median of ${RUNS} interleaved runs (min–max).`,
  '',
  '| way | median | range |',
  '| --- | --- | --- |',
  ...WAYS.map((w) => { const t = times.get(w.name)!; return `| ${w.name} | ${s(median(t))} | ${s(Math.min(...t))}–${s(Math.max(...t))} |`; }),
  '',
].join('\n'));
