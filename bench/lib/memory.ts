/**
 * Where a benchmarked DevFlow's resident memory goes (issue 23): the kernel's view
 * (/proc/<pid>/smaps_rollup: anonymous pages, i.e. heap and malloc, against file-backed pages,
 * i.e. the node binary and libraries) and Node's own (process.memoryUsage(), V8 heap spaces,
 * reported by memory-report.mjs preloaded into DevFlow); bare node beside it; and what each
 * lazily loaded package costs at its first use.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, median, sleep } from './devflow.js';

export const MEMORY_REPORT_PRELOAD = path.join(import.meta.dirname, 'memory-report.mjs');

export interface MemoryBreakdown {
  rss: number;
  anonymous: number;
  fileBacked: number;
  heapUsed: number;
  heapCommitted: number;
  youngCommitted: number;
  external: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** Asks the preloaded reporter in `pid` for its figures; all values in MB. */
export async function memoryBreakdown(pid: number, reportFile: string): Promise<MemoryBreakdown> {
  await fs.rm(reportFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  let text = '';
  // Up to 30 s: a heap snapshot (--heap-snapshots) is written before the report.
  for (let i = 0; i < 1500 && !text; i++) {
    await sleep(20);
    text = await fs.readFile(reportFile, 'utf8').catch(() => '');
  }
  const report = JSON.parse(text) as { heapUsed: number; heapTotal: number; external: number; spaces: Record<string, { committed: number }> };
  const rollup = await fs.readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return {
    rss: kb('Rss'),
    anonymous: kb('Anonymous'),
    fileBacked: kb('Rss') - kb('Anonymous'),
    heapUsed: mb(report.heapUsed),
    heapCommitted: mb(report.heapTotal),
    youngCommitted: mb(report.spaces.new_space?.committed ?? 0),
    external: mb(report.external),
  };
}

/** Resident memory of bare `node -e 0` (its peak, which for an empty script is its size), MB. */
export async function bareNodeRss(): Promise<number> {
  const { stdout } = await execa(process.execPath, ['-e', "process.on('exit', () => console.log(process.resourceUsage().maxRSS))"]);
  return Number(stdout) / 1024;
}

/**
 * The delay a lazily loaded package adds to its first use (its import time in a fresh node,
 * median of `runs`), and the resident memory it adds there.
 */
export async function importCost(name: string, runs = 5): Promise<{ ms: number; mb: number }> {
  const script = `const before = process.memoryUsage().rss; const t = performance.now(); await import(${JSON.stringify(name)});
    console.log(JSON.stringify({ ms: performance.now() - t, mb: (process.memoryUsage().rss - before) / 2 ** 20 }));`;
  const samples: Array<{ ms: number; mb: number }> = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    samples.push(JSON.parse(stdout) as { ms: number; mb: number });
  }
  return { ms: median(samples.map((s) => s.ms)), mb: median(samples.map((s) => s.mb)) };
}

/**
 * A process's CPU time (user + system, all its threads, not its children) over `ms` of wall
 * time, from /proc/<pid>/stat (clock ticks of 10 ms), as ms of CPU per minute.
 */
export async function cpuAtRest(pid: number, ms: number): Promise<number> {
  const ticks = async () => {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  };
  const before = await ticks();
  const start = performance.now();
  await sleep(ms);
  const used = ((await ticks()) - before) * 10;
  return (used * 60_000) / (performance.now() - start);
}
