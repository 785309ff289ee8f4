import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import { existsSync } from 'node:fs';
import { ProcessRuntime } from './process.js';
import { detectCgroups, groupDirs } from './process-limits.js';
import { isPidRunning, waitFor } from './test-support.js';
import type { InstanceSpec } from './types.js';

// A web server that forks a long-lived child (to prove stop() kills the whole group) and
// reports what it sees; a worker that ignores SIGTERM (to prove the SIGKILL after graceMs).
const SERVER_JS = `
const http = require('node:http');
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
http.createServer((req, res) => {
  res.end(JSON.stringify({
    port: process.env.PORT, greeting: process.env.GREETING, slugVar: process.env.SLUG_VAR,
    path: process.env.PATH, leaked: process.env.DEVFLOW_TEST_LEAK ?? null, cwd: process.cwd(),
    pid: process.pid, childPid: child.pid,
  }));
}).listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
`;
const WORKER_JS = `
process.on('SIGTERM', () => console.log('worker ignoring SIGTERM'));
setInterval(() => {}, 1000);
console.log('worker ready');
`;

interface ServerReport {
  port: string;
  greeting: string;
  slugVar: string;
  path: string;
  leaked: string | null;
  cwd: string;
  pid: number;
  childPid: number;
}

// Bounds each attempt, not the test: a fetch that hangs would otherwise hang the test.
const FETCH_TIMEOUT_MS = 2_000;
const app = parseAppName('proc-test');
let home: string;
let slug: Artifact;
let runtime: ProcessRuntime;

function spec(type: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return { app, release: 1, processType: parseProcessType(type), slot: 1, artifact: slug, env: { GREETING: 'hello' }, ...overrides };
}

async function fetchReport(instance: Instance): Promise<ServerReport> {
  const { host, port } = instance.upstream ?? { host: '', port: 0 };
  const response = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  return (await response.json()) as ServerReport;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'devflow-process-runtime-'));
  const dir = join(home, 'slugs', 'proc-test-v1');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'server.js'), SERVER_JS);
  await writeFile(join(dir, 'worker.js'), WORKER_JS);
  slug = {
    kind: 'slug',
    dir,
    processes: {
      web: 'node server.js', worker: 'node worker.js', crash: 'echo crashing >&2; exit 3',
      hog: 'node -e "const a = []; for (let i = 0; i < 40; i++) a.push(Buffer.alloc(10 * 1024 * 1024, 1)); console.log(\'allocated 400 MB\')"',
    },
    // The buildpack's bin dir, as a PATH to prepend: here, where this node lives.
    env: { PATH: dirname(process.execPath), SLUG_VAR: 'from-slug' },
  };
  runtime = new ProcessRuntime({ home });
});

afterAll(async () => {
  for (const instance of await runtime.list()) await runtime.stop(instance.id, { graceMs: 0 });
  await rm(home, { recursive: true, force: true });
});

describe('ProcessRuntime', () => {
  it('starts web with PORT and env, survives a DevFlow restart, and stop kills the whole group', async () => {
    process.env.DEVFLOW_TEST_LEAK = 'devflow-only';
    const instance = await runtime.start(spec('web')).finally(() => delete process.env.DEVFLOW_TEST_LEAK);
    expect(instance).toMatchObject({ app, release: 1, processType: 'web', state: 'running' });
    expect(instance.id).toMatch(/^proc-test-web-v1-1-[0-9a-f]{4}$/);
    expect(instance.upstream?.host).toBe('127.0.0.1');

    const report = await waitFor('the web server', () => fetchReport(instance));
    expect(report.port).toBe(String(instance.upstream?.port));
    expect(report.greeting).toBe('hello');
    expect(report.slugVar).toBe('from-slug');
    expect(report.path.startsWith(`${dirname(process.execPath)}:`)).toBe(true);
    expect(report.leaked).toBeNull();
    expect(report.cwd).toBe(slug.kind === 'slug' ? slug.dir : '');

    expect(await runtime.list(app)).toContainEqual(instance);
    const afterRestart = new ProcessRuntime({ home });
    expect(await afterRestart.list()).toContainEqual(instance);
    expect(await afterRestart.list(parseAppName('other-app'))).toEqual([]);
    const logs = await waitFor('the listening line', async () => {
      const lines = await afterRestart.logs(instance.id);
      return lines.includes(`listening on ${report.port}`) ? lines : undefined;
    });
    expect(logs).toContain(`listening on ${report.port}`);

    await afterRestart.stop(instance.id);
    await expect(fetch(`http://127.0.0.1:${report.port}/`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })).rejects.toThrow();
    expect(await isPidRunning(report.pid)).toBe(false);
    expect(await isPidRunning(report.childPid)).toBe(false);
    expect(await runtime.list(app)).not.toContainEqual(expect.objectContaining({ id: instance.id }));
  });

  it('reads an instance\'s CPU time and memory: its whole process group, as /proc/<pid>/status has it', async () => {
    const instance = await runtime.start(spec('web', { slot: 4 }));
    try {
      const report = await waitFor('the server', () => fetchReport(instance));
      const rssKb = async (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
      const groupRss = async () => ((await rssKb(report.pid)) + (await rssKb(report.childPid))) * 1024;
      // A node process just started still grows (JIT, heap) and shrinks (GC) between reads, so
      // the runtime's figure is taken between two reads of /proc and must lie within what they
      // span, give or take 2 %. Under load one sample can straddle a collection, so samples are
      // taken until one agrees; a runtime that read something else (one process of the group,
      // another field) never would, and the wait fails.
      const within = (s: { before: number; after: number; reading?: { memoryBytes: number } }) =>
        s.reading !== undefined && Math.abs(s.after - s.before) / s.before < 0.02 &&
        s.reading.memoryBytes >= Math.min(s.before, s.after) * 0.98 && s.reading.memoryBytes <= Math.max(s.before, s.after) * 1.02;
      const sample = await waitFor('a reading that agrees with /proc while the process is at rest', async () => {
        const before = await groupRss();
        const reading = (await runtime.readUsage()).find((r) => r.instanceId === instance.id);
        const after = await groupRss();
        return within({ before, reading, after }) ? { before, reading, after } : undefined;
      });
      const { reading } = sample;
      expect(reading).toMatchObject({ app: 'proc-test', processType: 'web', cpuNs: expect.any(Number) });
      expect(reading!.cpuNs).toBeGreaterThan(0);
      const low = Math.min(sample.before, sample.after);
      const high = Math.max(sample.before, sample.after);
      expect(reading!.memoryBytes).toBeGreaterThanOrEqual(low * 0.98);
      expect(reading!.memoryBytes).toBeLessThanOrEqual(high * 1.02);
    } finally {
      await runtime.stop(instance.id, { graceMs: 0 });
    }
    expect((await runtime.readUsage()).find((r) => r.instanceId === instance.id)).toBeUndefined();
  });

  it('SIGKILLs a process that ignores SIGTERM once graceMs has passed', async () => {
    const instance = await runtime.start(spec('worker', { slot: 2 }));
    expect(instance.upstream).toBeNull();
    await waitFor('the worker', async () => ((await runtime.logs(instance.id)).includes('worker ready') ? true : undefined));

    await runtime.stop(instance.id, { graceMs: 300 });
    expect(await runtime.list(app)).toEqual([]);
    expect(await runtime.logs(instance.id)).toContain('worker ignoring SIGTERM');
  });

  it('returns its output lines from a position, and only the new ones after it', async () => {
    const instance = await runtime.start(spec('worker', { slot: 3 }));
    const first = await waitFor('the worker', async () => {
      const read = await runtime.readLogs(instance.id, undefined);
      return read.lines.some((l) => l.text === 'worker ready') ? read : undefined;
    });
    expect(first.lines.map((l) => l.text)).toEqual(['worker ready']);
    expect(await runtime.readLogs(instance.id, first.position)).toEqual({ lines: [], position: first.position });
    await runtime.stop(instance.id, { graceMs: 300 });
    const after = await runtime.readLogs(instance.id, first.position);
    expect(after.lines.map((l) => l.text)).toEqual(['worker ignoring SIGTERM']);
  });

  it('reports an instance whose process ended as exited until it is stopped', async () => {
    const instance = await runtime.start(spec('crash'));
    const exited = await waitFor('the crash', async () => {
      const [found] = await runtime.list(app);
      return found?.state === 'exited' ? found : undefined;
    });
    expect(exited).toMatchObject({ id: instance.id, state: 'exited', upstream: null });
    expect(await runtime.logs(instance.id, { tail: 1 })).toEqual(['crashing']);
    await runtime.stop(instance.id);
    expect(await runtime.list(app)).toEqual([]);
  });

  it('holds an instance to its size: over its memory cap it is killed; without a size it is not', async () => {
    // The tests run as root (scripts/install-test-deps.sh), where DevFlow may create cgroups.
    const cgroups = await detectCgroups();
    if (typeof cgroups === 'string') throw new Error(`cgroups unavailable: ${cgroups}`);
    const limited = new ProcessRuntime({ home, cgroups });
    expect(limited.sizes).toBe(`sizes enforced with cgroup v${cgroups.version}`);

    const capped = await limited.start(spec('hog', { slot: 3, memoryMb: 128, cpus: 0.5 }));
    const [dir] = groupDirs(cgroups, capped.id);
    expect(existsSync(dir!)).toBe(true);
    const killed = await waitFor('the capped hog to be killed', async () => {
      const found = (await limited.list(app)).find((i) => i.id === capped.id);
      return found?.state === 'exited' ? found : undefined;
    });
    expect(killed.state).toBe('exited');
    expect(await limited.logs(capped.id)).not.toContain('allocated 400 MB');
    await limited.stop(capped.id);
    expect(existsSync(dir!)).toBe(false);

    const free = await limited.start(spec('hog', { slot: 4 }));
    const lines = await waitFor('the free hog', async () => {
      const out = await limited.logs(free.id);
      return out.includes('allocated 400 MB') ? out : undefined;
    });
    expect(lines).toContain('allocated 400 MB');
    await limited.stop(free.id);
  });

  it('instances outlive the DevFlow process that started them', async () => {
    // A separate Node process plays DevFlow: it starts an instance and exits (which it can only
    // do because the child is detached and unref'd); this process then finds and stops it.
    const driver = fileURLToPath(new URL('./process.ts', import.meta.url));
    const script = `
      const { ProcessRuntime } = await import(${JSON.stringify(driver)});
      const runtime = new ProcessRuntime({ home: process.argv[1] });
      const instance = await runtime.start(JSON.parse(process.argv[2]));
      console.log(JSON.stringify(instance));
    `;
    const { stdout } = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, home, JSON.stringify(spec('web', { slot: 3 }))]);
    const instance = JSON.parse(stdout) as Instance;

    const report = await waitFor('the web server', () => fetchReport(instance));
    expect(report.greeting).toBe('hello');
    expect(await runtime.list(app)).toEqual([instance]);
    await runtime.stop(instance.id);
    await expect(fetch(`http://127.0.0.1:${report.port}/`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })).rejects.toThrow();
    expect(await isPidRunning(report.childPid)).toBe(false);
  });

  it('stopping an unknown or already stopped instance is fine', async () => {
    await expect(runtime.stop('proc-test-web-v9-1-0000')).resolves.toBeUndefined();
  });

  it('explains what is wrong with a bad spec', async () => {
    await expect(runtime.start(spec('release'))).rejects.toThrow(/"release" has no command/);
    const image: Artifact = { kind: 'image', image: 'x', processes: { web: '' } };
    await expect(runtime.start(spec('web', { artifact: image }))).rejects.toThrow(/use the docker runtime/);
    await expect(runtime.logs('../../etc/passwd')).rejects.toThrow(/invalid/);
    await expect(runtime.logs('proc-test-web-v9-1-0000')).rejects.toThrow(/not found/);
  });
});
