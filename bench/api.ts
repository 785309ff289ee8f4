/**
 * API read latency (issue 7): p50/p95/p99 of GET requests sent open-loop at 200 requests/s (each
 * timed from its scheduled send, so a slow answer cannot hide the ones queued behind it) against
 * `devflow up` holding 100 apps, over keep-alive connections; and the dashboard bundle's size.
 * Runs the built `devflow up` (npm run build first; `npm run bench` does) on the embedded defaults
 * and the process runtime.
 * Usage: node --import tsx bench/api.ts [seconds=20]
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboardBundle } from '../api/bundle.js';
import { rssMb, sleep, startDevflow } from './lib/devflow.js';
import { bareNodeRss } from './lib/memory.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RATE = 200;
const SECONDS = Number(process.argv[2] ?? 20);
const APPS = 100;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port: number, token: string, method: string, urlPath: string, body?: unknown): Promise<number> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent, headers: {
      authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
    } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const bareNode = await bareNodeRss();
  const devflow = await startDevflow('process');
  try {
    await sleep(5_000);
    const idleEmpty = await rssMb(devflow.child.pid!);
    for (let i = 0; i < APPS; i++) await request(devflow.port, devflow.token, 'POST', '/api/v1/apps', { name: `app-${String(i).padStart(3, '0')}` });
    const reads = [
      (i: number) => '/api/v1/apps',
      (i: number) => `/api/v1/apps/app-${String(i % APPS).padStart(3, '0')}`,
      (i: number) => `/api/v1/apps/app-${String(i % APPS).padStart(3, '0')}/deployments`,
      (i: number) => `/api/v1/apps/app-${String(i % APPS).padStart(3, '0')}/releases`,
    ];
    // Warm up connections and query plans.
    for (let i = 0; i < 200; i++) await request(devflow.port, devflow.token, 'GET', reads[i % reads.length]!(i));
    const total = RATE * SECONDS;
    const latencies: number[][] = reads.map(() => []);
    const errors: number[] = [];
    const start = performance.now();
    await Promise.all(Array.from({ length: total }, async (_, i) => {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const status = await request(devflow.port, devflow.token, 'GET', reads[i % reads.length]!(i));
      if (status !== 200) errors.push(status);
      latencies[i % reads.length]!.push(performance.now() - due);
    }));
    const names = ['GET /apps (100 apps)', 'GET /apps/{app}', 'GET /apps/{app}/deployments', 'GET /apps/{app}/releases'];
    const rows = latencies.map((l, i) => ({ name: names[i]!, sorted: [...l].sort((a, b) => a - b) }));
    rows.push({ name: 'all reads', sorted: latencies.flat().sort((a, b) => a - b) });
    await sleep(10_000);
    const idleAfter = await rssMb(devflow.child.pid!);
    const bundle = await buildDashboardBundle();
    const js = Buffer.byteLength(bundle.js);
    const html = Buffer.byteLength(bundle.html);
    const gz = gzipSync(bundle.js).length + gzipSync(bundle.html).length;
    const lines = [
      `API reads at ${RATE} requests/s for ${SECONDS} s (${total} requests, ${errors.length} non-200), ${APPS} apps in the store:`,
      '', '| endpoint | p50 | p95 | p99 | max |', '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.name} | ${percentile(r.sorted, 50).toFixed(1)} ms | ${percentile(r.sorted, 95).toFixed(1)} ms | ${percentile(r.sorted, 99).toFixed(1)} ms | ${r.sorted.at(-1)!.toFixed(1)} ms |`),
      '', `DevFlow idle RSS (process runtime): ${idleEmpty.toFixed(0)} MB with no apps; ${idleAfter.toFixed(0)} MB 10 s after the reads, ${APPS} apps in the store (none deployed); bare \`node -e 0\` ${bareNode.toFixed(0)} MB.`,
      '', `Dashboard bundle: app.js ${(js / 1024).toFixed(1)} KiB + index.html ${(html / 1024).toFixed(1)} KiB = ${((js + html) / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzipped)`,
    ];
    console.log(lines.join('\n'));
    await fs.mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await fs.writeFile(path.join(ROOT, 'bench/results/api.md'), `${lines.join('\n')}\n`);
  } finally {
    agent.destroy();
    await devflow.stop();
    await fs.rm(devflow.home, { recursive: true, force: true });
  }
}

await main();
