/**
 * Where a warm push's time goes, line by line (issue 15): pushes the node-hello example once cold
 * and `--warm-runs` times warm on one runtime, and prints, for the warm push whose
 * push → served time is the median, each `remote:` line git showed with its time since the push
 * started, when the new body was first served, when `git push` returned, and the phases DevFlow
 * stored for that deployment (start offsets from the push start on the same clock).
 *
 *   node --import tsx bench/push-timeline.ts [--runtime docker|process] [--warm-runs 5]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { getBody, machine, now, numberFlag, ROOT, sleep, startDevflow, stopAndClean } from './lib/devflow.js';

const RUNTIME = process.argv.includes('process') ? 'process' : 'docker';
const WARM_RUNS = numberFlag('--warm-runs', 5);
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };

interface Timeline {
  served: number;
  returned: number;
  lines: { at: number; text: string }[];
  phases: { phase: string; start: number; ms: number }[];
}

async function git(dir: string, args: string[]): Promise<void> {
  await execa('git', args, { cwd: dir, env: GIT_ENV });
}

async function commit(dir: string, n: number): Promise<string> {
  const file = path.join(dir, 'server.js');
  const source = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, source.replace(/Hello from node-hello[^\\]*/, `Hello from node-hello #${n}`));
  await git(dir, ['commit', '-qam', `greeting ${n}`]);
  return `Hello from node-hello #${n}`;
}

async function main(): Promise<void> {
  const devflow = await startDevflow(RUNTIME);
  const api = async (p: string) => (await fetch(`http://127.0.0.1:${devflow.port}/api/v1${p}`, { headers: { authorization: `Bearer ${devflow.token}` } })).json();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-timeline-'));
  try {
    await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), 'apps:create', 'tl'], {
      env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
    });
    await fs.cp(path.join(ROOT, 'examples/node-hello'), dir, { recursive: true });
    await git(dir, ['init', '-q', '-b', 'main']);
    await git(dir, ['add', '-A']);
    const runs: Timeline[] = [];
    for (let n = 0; n <= WARM_RUNS; n++) {
      const expected = await commit(dir, n);
      const wallStart = Date.now();
      const start = now();
      const lines: Timeline['lines'] = [];
      let returned = 0;
      const push = execa('git', ['push', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/tl.git`, 'HEAD:refs/heads/main'], { cwd: dir, env: GIT_ENV, buffer: false });
      push.stderr!.setEncoding('utf8');
      let partial = '';
      push.stderr!.on('data', (chunk: string) => {
        const at = now() - start;
        const parts = (partial + chunk).split(/\r?\n|\r/);
        partial = parts.pop()!;
        for (const text of parts) if (text.trim()) lines.push({ at, text });
      });
      const done = push.then(() => (returned = now() - start));
      while (!(await getBody(devflow.httpPort, 'tl.localhost')).includes(expected)) await sleep(5);
      const served = now() - start;
      await done;
      await sleep(RUNTIME === 'docker' ? 3000 : 1500); // retire and the holders' top-up, as a developer's next push would find them
      const [latest] = (await api('/apps/tl/deployments?limit=1')) as { id: number }[];
      const { phases = [] } = (await api(`/deployments/${latest!.id}`)) as { phases?: { phase: string; startedAt: string; ms: number }[] };
      if (n > 0) runs.push({ served, returned, lines, phases: phases.map((p) => ({ phase: p.phase, start: Date.parse(p.startedAt) - wallStart, ms: p.ms })) });
    }
    const sorted = [...runs].sort((a, b) => a.served - b.served);
    const mid = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`${machine()}; ${RUNTIME}; warm served: ${sorted.map((r) => Math.round(r.served)).join(', ')} ms`);
    console.log(`median run: served ${Math.round(mid.served)} ms, git push returned ${Math.round(mid.returned)} ms`);
    for (const l of mid.lines) console.log(`${String(Math.round(l.at)).padStart(6)}  ${l.text}`);
    console.log('phases (start offset from the push start, duration):');
    for (const p of mid.phases) console.log(`  ${p.phase.padEnd(14)} +${String(p.start).padStart(5)} ms  ${p.ms} ms`);
  } finally {
    await stopAndClean(devflow);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
