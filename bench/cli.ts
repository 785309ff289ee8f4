/**
 * CLI start-up (issue 14): wall time of whole `devflow` processes, as a user's shell sees them,
 * beside `node -e 0` (Node's own start, the floor) in the same run. The commands run in turn
 * (A B C A B C ...) so a slower moment of the machine reaches every command alike. CPU time
 * (user + system, from /usr/bin/time when installed) moves less than wall time on a busy machine.
 * `devflow apps` runs against a `devflow up` (process runtime, embedded defaults) with 10 apps.
 * Runs the built CLI (npm run build first; `npm run bench` does).
 * Usage: node --import tsx bench/cli.ts [--runs 20]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { machine, median, now, numberFlag, ROOT, startDevflow, stopAndClean, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 20);
const BIN = path.join(ROOT, 'bin/devflow.js');

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Subject {
  name: string;
  args: string[];
  wall: number[];
  cpu: number[];
}

/** Wall milliseconds from spawn until the process has exited, and its CPU milliseconds; fails on a non-zero exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ wall: number; cpu: number }> {
  const [file, argv] = TIME ? [TIME, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(file, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = now() - start;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      const times = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({ wall, cpu: times ? (Number(times[1]) + Number(times[2])) * 1000 : NaN });
    });
  });
}

const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;

async function main(): Promise<void> {
  const devflow = await startDevflow('process');
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token };
    for (let i = 0; i < 10; i++) await timeProcess([BIN, 'apps:create', `app-${i}`], env);
    const subjects: Subject[] = [
      { name: '`node -e 0` (Node alone)', args: ['-e', '0'], wall: [], cpu: [] },
      { name: '`devflow --help`', args: [BIN, '--help'], wall: [], cpu: [] },
      { name: '`devflow apps` (10 apps)', args: [BIN, 'apps'], wall: [], cpu: [] },
      { name: '`devflow apps:info app-1 --json`', args: [BIN, 'apps:info', 'app-1', '--json'], wall: [], cpu: [] },
    ];
    for (const s of subjects) await timeProcess(s.args, env); // warm the file cache
    for (let run = 0; run < RUNS; run++) {
      for (const s of subjects) {
        const { wall, cpu } = await timeProcess(s.args, env);
        s.wall.push(wall);
        s.cpu.push(cpu);
      }
    }
    const [floorWall, floorCpu] = [median(subjects[0]!.wall), median(subjects[0]!.cpu)];
    const rows = subjects.map((s) => `| ${s.name} | ${ms(s.wall)} (${Math.min(...s.wall).toFixed(0)}–${Math.max(...s.wall).toFixed(0)}) | ` +
      `+${(median(s.wall) - floorWall).toFixed(0)} ms | ${ms(s.cpu)} | +${(median(s.cpu) - floorCpu).toFixed(0)} ms |`);
    await writeResult('cli', [
      `CLI start-up, ${RUNS} runs each, interleaved, medians (${machine()}):`, '',
      '| command | wall (min–max) | wall above Node alone | CPU (user + system) | CPU above Node alone |',
      '| --- | --- | --- | --- | --- |', ...rows, '',
    ].join('\n'));
  } finally {
    await stopAndClean(devflow);
  }
}

await main();
