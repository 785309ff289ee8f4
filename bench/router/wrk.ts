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
  /** Request fields beside Host, one `Name: value` each (BROWSER_FIELDS: what a browser sends). */
  fields?: readonly string[];
}

/**
 * The fields a browser sends with a page request (Chromium's, trimmed of client hints): eleven
 * beside Host. wrk alone sends only Host, and a proxy's header work grows with the field count.
 */
export const BROWSER_FIELDS: readonly string[] = [
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'Accept-Language: en-GB,en;q=0.9',
  'Accept-Encoding: gzip, deflate, br, zstd',
  'Cookie: session=4f2a9c1e7b3d5a6f8e0c2b4d6a8f0e1c; theme=dark',
  'Referer: http://app0.localhost/',
  'Sec-Fetch-Dest: document',
  'Sec-Fetch-Mode: navigate',
  'Sec-Fetch-Site: same-origin',
  'Upgrade-Insecure-Requests: 1',
  'Cache-Control: max-age=0',
];

/** wrk's arguments: keep-alive connections (its default), one thread, the Host and any other fields. */
export function wrkArgs(port: number, host: string, load: Load, seconds: number, script?: string): string[] {
  const args = ['-t1', `-c${load.connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`];
  for (const field of load.fields ?? []) args.push('-H', field);
  if (script !== undefined) args.push('-s', script);
  return [...args, `http://127.0.0.1:${port}/`];
}

/** The Lua script that makes wrk pause before each request. */
export function pauseScript(pauseMs: number): string {
  if (!Number.isInteger(pauseMs) || pauseMs < 1) throw new Error(`wrk pauses whole milliseconds, not ${pauseMs}`);
  return `function delay()\n  return ${pauseMs}\nend\n`;
}

/** Runs wrk with wrkArgs, and a pause script when the load has a pause. */
export async function runWrk(port: number, host: string, load: Load, seconds: number): Promise<LoadResult> {
  let dir: string | undefined;
  try {
    let script: string | undefined;
    if (load.pauseMs !== undefined) {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-wrk-'));
      script = path.join(dir, 'pause.lua');
      await fs.writeFile(script, pauseScript(load.pauseMs));
    }
    const { stdout } = await execa('wrk', wrkArgs(port, host, load, seconds, script));
    return parseWrk(stdout);
  } finally {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  }
}
