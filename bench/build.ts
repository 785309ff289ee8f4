/**
 * Builds: cold, warm after a one-line source change, and warm after a lockfile change, for
 * examples/node-api (5 npm dependencies, 26 packages), three ways in the same run: DevFlow's
 * buildpacks to an image (docker runtime), to a slug (process runtime), and a hand-written
 * multi-stage Dockerfile (bench/node-api.Dockerfile, BuildKit, npm ci in its own stage).
 * "Cold" means no build cache for this app: a fresh cache dir for the buildpacks, `--no-cache`
 * for the Dockerfile. Stack images must exist (they are built once, before timing).
 *
 *   node --import tsx bench/build.ts [--runs 3]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { parseAppName } from '../core/names.js';
import { buildApp } from '../builder/build.js';
import { dockerBuildArgs, DOCKER_CLI } from '../builder/docker-cli.js';
import { runCommand } from '../builder/run-command.js';
import { buildStack } from '../builder/stack.js';
import { hostTrust } from '../builder/trust.js';
import { machine, median, now, numberFlag, ROOT, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 3);
const docker = new Docker();
const quiet = { line: () => undefined };
const scratch: string[] = [];
const tags: string[] = [];
let builds = 0;

type Way = 'buildpacks image' | 'buildpacks slug' | 'multi-stage Dockerfile';
type Step = 'cold' | 'warm, source changed' | 'warm, lockfile changed';

async function temp(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

async function freshSource(): Promise<string> {
  const dir = await temp('devflow-bench-build-src-');
  await fs.cp(path.join(ROOT, 'examples', 'node-api'), dir, { recursive: true });
  return dir;
}

/** Edits with values never used before, so no build cache (BuildKit's persists) can know them. */
async function edit(dir: string, step: Step): Promise<void> {
  const n = Date.now();
  if (step === 'warm, source changed') {
    const file = path.join(dir, 'server.js');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/node-api is up[^']*/, `node-api is up #${n}`));
  }
  if (step === 'warm, lockfile changed') {
    const file = path.join(dir, 'package-lock.json');
    const lock = JSON.parse(await fs.readFile(file, 'utf8')) as { version: string };
    await fs.writeFile(file, JSON.stringify({ ...lock, version: `1.0.${n}` }, null, 2));
  }
}

async function buildpacks(target: 'image' | 'slug', src: string, cacheDir: string): Promise<void> {
  const sha = (++builds).toString(16).padStart(40, '0');
  const result = await buildApp({
    app: parseAppName('bench-build'), sha, sourceDir: src, target, cacheDir, env: {}, log: quiet, docker,
    workDir: await temp('devflow-bench-work-'), slugDir: path.join(cacheDir, 'slugs', sha.slice(0, 12)),
  });
  if (result.artifact.kind === 'image') tags.push(result.artifact.image);
}

async function dockerfile(src: string, noCache: boolean): Promise<void> {
  const trust = await hostTrust();
  const tag = `devflow-bench/node-api-dockerfile:${++builds}`;
  const args = dockerBuildArgs({
    contextDir: src, tag, dockerfile: path.join(ROOT, 'bench', 'node-api.Dockerfile'),
    buildArgs: { NPM_CONFIG_REGISTRY: trust.npmRegistry },
    secrets: trust.caFile ? [{ id: 'ca', src: trust.caFile }] : [],
  });
  if (noCache) args.splice(1, 0, '--no-cache');
  const outcome = await runCommand({ file: DOCKER_CLI, args, env: { DOCKER_BUILDKIT: '1' } }, quiet);
  if (outcome.exitCode !== 0) throw new Error(`docker build failed:\n${outcome.tail.join('\n')}`);
  tags.push(tag);
}

/** One cold → warm source → warm lockfile sequence; milliseconds per step. */
async function sequence(way: Way): Promise<Record<Step, number>> {
  const src = await freshSource();
  const cacheDir = await temp('devflow-bench-cache-');
  const times = {} as Record<Step, number>;
  for (const step of ['cold', 'warm, source changed', 'warm, lockfile changed'] as Step[]) {
    await edit(src, step);
    const start = now();
    if (way === 'multi-stage Dockerfile') await dockerfile(src, step === 'cold');
    else await buildpacks(way === 'buildpacks image' ? 'image' : 'slug', src, cacheDir);
    times[step] = now() - start;
  }
  return times;
}

await buildStack({ docker, log: quiet });
const ways: Way[] = ['buildpacks image', 'buildpacks slug', 'multi-stage Dockerfile'];
const results = new Map<Way, Record<Step, number[]>>();
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const way of ways) {
      const times = await sequence(way);
      const entry = results.get(way) ?? { cold: [], 'warm, source changed': [], 'warm, lockfile changed': [] };
      for (const [step, ms] of Object.entries(times) as [Step, number][]) entry[step].push(ms);
      results.set(way, entry);
      console.log(`run ${run} ${way}: ${Object.entries(times).map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)} s`).join(', ')}`);
    }
  }
} finally {
  if (tags.length > 0) await runCommand({ file: DOCKER_CLI, args: ['rmi', '-f', ...tags] }, quiet);
  for (const dir of scratch) await fs.rm(dir, { recursive: true, force: true });
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows = ways.map((way) => {
  const r = results.get(way);
  if (!r) return `| ${way} | | | | |`;
  const cold = median(r.cold);
  const warm = median(r['warm, source changed']);
  return `| ${way} | ${sec(cold)} | ${sec(warm)} | ${sec(median(r['warm, lockfile changed']))} | ${Math.round((100 * warm) / cold)} % |`;
});
await writeResult(
  'build',
  [
    `Builds of examples/node-api (median of ${RUNS} runs; ${machine()})`,
    '',
    '| build | cold | warm, source changed | warm, lockfile changed | warm source / cold |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
