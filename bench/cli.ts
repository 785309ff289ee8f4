/**
 * CLI start-up (issue 14): wall time of whole `devflow` processes, as a user's shell sees them,
 * beside `node -e 0` (Node's own start, the floor) in the same run. The commands run in turn
 * (A B C A B C ...) so a slower moment of the machine reaches every command alike.
 * `devflow apps` runs against a `devflow up` (process runtime, embedded defaults) with 10 apps.
 * Runs the built CLI (npm run build first; `npm run bench` does).
 * Usage: node --import tsx bench/cli.ts [--runs 20]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { machine, median, now, numberFlag, ROOT, startDevflow, stopAndClean, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 20);
const BIN = path.join(ROOT, 'bin/devflow.js');

interface Subject {
  name: string;
  args: string[];
  times: number[];
}

/** Wall milliseconds from spawn until the process has exited; fails on a non-zero exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(now() - start) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

async function main(): Promise<void> {
  const devflow = await startDevflow('process');
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token };
    for (let i = 0; i < 10; i++) await timeProcess([BIN, 'apps:create', `app-${i}`], env);
    const subjects: Subject[] = [
      { name: '`node -e 0` (Node alone)', args: ['-e', '0'], times: [] },
      { name: '`devflow --help`', args: [BIN, '--help'], times: [] },
      { name: '`devflow apps` (10 apps)', args: [BIN, 'apps'], times: [] },
      { name: '`devflow apps:info app-1 --json`', args: [BIN, 'apps:info', 'app-1', '--json'], times: [] },
    ];
    for (const s of subjects) await timeProcess(s.args, env); // warm the file cache
    for (let run = 0; run < RUNS; run++) {
      for (const s of subjects) s.times.push(await timeProcess(s.args, env));
    }
    const floor = median(subjects[0]!.times);
    const rows = subjects.map((s) => {
      const sorted = [...s.times].sort((a, b) => a - b);
      return `| ${s.name} | ${median(sorted).toFixed(0)} ms | ${sorted[0]!.toFixed(0)} ms | ${sorted.at(-1)!.toFixed(0)} ms | +${(median(sorted) - floor).toFixed(0)} ms |`;
    });
    await writeResult('cli', [
      `CLI start-up, ${RUNS} runs each, interleaved (${machine()}):`, '',
      '| command | median | min | max | above Node alone (median) |', '| --- | --- | --- | --- | --- |', ...rows, '',
    ].join('\n'));
  } finally {
    await stopAndClean(devflow);
  }
}

await main();
