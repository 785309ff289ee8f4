/** Runs wrk (Debian's) with fixed settings and reads requests/s and latency percentiles from it. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** Parses wrk's `--latency` report. */
export function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`cannot read wrk output:\n${output}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + Number(non2xx?.[1] ?? 0);
  return { requestsPerSecond: Number(rps[1]), p50Ms: toMs(p50[1]!, p50[2]!), p99Ms: toMs(p99[1]!, p99[2]!), errors };
}

/** How hard wrk pushes: each connection sends its next request as soon as it has the answer, or after a pause. */
export interface Load {
  connections: number;
  /**
   * A pause before each request (wrk's Lua `delay()` hook), for a moderate load: the latency a
   * proxy adds is then its own work, not time spent queued behind a saturated core.
   */
  pauseMs?: number;
}

/** The Lua script that makes wrk pause before each request. */
export function pauseScript(pauseMs: number): string {
  if (!Number.isInteger(pauseMs) || pauseMs < 1) throw new Error(`wrk pauses whole milliseconds, not ${pauseMs}`);
  return `function delay()\n  return ${pauseMs}\nend\n`;
}

/** Keep-alive connections (wrk's default), one thread, the given Host header. */
export async function runWrk(port: number, host: string, load: Load, seconds: number): Promise<LoadResult> {
  const args = ['-t1', `-c${load.connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`];
  let dir: string | undefined;
  try {
    if (load.pauseMs !== undefined) {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-wrk-'));
      await fs.writeFile(path.join(dir, 'pause.lua'), pauseScript(load.pauseMs));
      args.push('-s', path.join(dir, 'pause.lua'));
    }
    const { stdout } = await execa('wrk', [...args, `http://127.0.0.1:${port}/`]);
    return parseWrk(stdout);
  } finally {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  }
}
