/**
 * Router benchmark (issue 5, "Measure"): the same upstream (nginx answering a fixed body) reached
 * directly (the floor), through nginx as a reverse proxy, and through DevFlow's embedded proxy,
 * with 1 and with 10,000 routes configured, in the same run, with the same load tool (wrk, one
 * thread, keep-alive connections) at a moderate and a higher concurrency.
 *
 *   node --import tsx bench/router.ts        (BENCH_SECONDS=10 by default per measurement)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../core/store/embedded.js';
import { machine, writeResult } from './lib/devflow.js';
import { proxyConfig, startNginx, upstreamConfig, type Nginx } from './router/nginx.js';
import { runWrk, type LoadResult } from './router/wrk.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = [16, 64];
const BIG = 10_000;
const HOST = 'app0.localhost';
// The last app in the big table, so a linear scan (if there were one) would pay in full.
const BIG_HOST = `app${BIG - 1}.localhost`;

interface Target {
  name: string;
  port: number;
  host: string;
  stop(): Promise<void>;
}

async function startDevflowProxy(upstreamPort: number, routes: number): Promise<Target & { child: ChildProcess }> {
  const script = path.join(import.meta.dirname, 'router', 'proxy-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(upstreamPort), String(routes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /port (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  return {
    name: `DevFlow proxy, ${routes.toLocaleString('en')} route${routes === 1 ? '' : 's'}`,
    port,
    host: routes === 1 ? HOST : BIG_HOST,
    child,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startNginxProxy(upstreamPort: number, routes: number): Promise<Target> {
  const port = await freePort();
  const nginx: Nginx = await startNginx(port, (prefix) => proxyConfig(prefix, port, upstreamPort, routes));
  return { name: `nginx, ${routes.toLocaleString('en')} route${routes === 1 ? '' : 's'}`, port, host: routes === 1 ? HOST : BIG_HOST, stop: () => nginx.stop() };
}

function row(target: string, connections: number, r: LoadResult, floor: LoadResult, nginx: LoadResult | undefined): string {
  const added = (a: number, b: number) => (r === floor ? '-' : (a - b).toFixed(2));
  const vsNginx = nginx ? `${Math.round((r.requestsPerSecond / nginx.requestsPerSecond) * 100)}%` : '-';
  return `| ${target} | ${connections} | ${Math.round(r.requestsPerSecond).toLocaleString('en')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ` +
    `${added(r.p50Ms, floor.p50Ms)} | ${added(r.p99Ms, floor.p99Ms)} | ${vsNginx} | ${r.errors} |`;
}

async function main(): Promise<void> {
  const upstreamPort = await freePort();
  const upstream = await startNginx(upstreamPort, (prefix) => upstreamConfig(prefix, upstreamPort));
  const direct: Target = { name: 'direct to upstream (floor)', port: upstreamPort, host: HOST, stop: async () => undefined };
  const targets: Target[] = [direct];
  try {
    targets.push(await startNginxProxy(upstreamPort, 1), await startDevflowProxy(upstreamPort, 1));
    targets.push(await startNginxProxy(upstreamPort, BIG), await startDevflowProxy(upstreamPort, BIG));
    const lines: string[] = [];
    for (const connections of CONNECTIONS) {
      const results = new Map<string, LoadResult>();
      for (const target of targets) {
        await runWrk(target.port, target.host, connections, 2); // warm-up: JIT, pools
        const result = await runWrk(target.port, target.host, connections, SECONDS);
        results.set(target.name, result);
        console.error(`${target.name}, ${connections} connections: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
      }
      const floor = results.get(direct.name)!;
      for (const target of targets) {
        const peer = target.name.startsWith('DevFlow') ? results.get(target.name.replace('DevFlow proxy', 'nginx')) : undefined;
        lines.push(row(target.name, connections, results.get(target.name)!, floor, peer));
      }
    }
    await writeResult('router', [
      `### Router, ${machine()}`,
      '',
      `wrk -t1, keep-alive, ${SECONDS} s per row after a 2 s warm-up; upstream: nginx returning a fixed 24-byte body; proxies: one worker/one process each.`,
      '',
      '| path | connections | requests/s | p50 ms | p99 ms | added p50 ms | added p99 ms | throughput vs nginx | errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
      '',
    ].join('\n'));
  } finally {
    for (const target of targets) await target.stop();
    await upstream.stop();
  }
}

await main();
