/**
 * The Node agent's own cost per instance (issue 18, "Measure the agent's cost (start-up time,
 * memory)"): the same app started with and without DevFlow's agent preloaded, as the process
 * runtime would start it, the CommonJS example (examples/node-otel) and its ES-module twin
 * (examples/node-otel-esm, where the agent adds the ES-module hook). For each start: the time
 * from spawn to the first answer of GET /inner (no database needed) and the CPU time the process
 * had used by then (steadier than wall time on a loaded machine), then the process's resident
 * memory after 200 more requests and a second's rest (the agent has exported its batch to a local
 * OTLP sink by then). The four variants take turns, BENCH_ROUNDS times (default 10), since the
 * machine is shared: each figure is a median beside its range.
 *
 *   node --import tsx bench/otel-agent.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../core/embedded-postgres/embedded.js';
import { CLOCK_TICKS_PER_SECOND, parseProcUsage } from '../scheduler/runtime/usage.js';
import { agentNodeOption, agentRequirePath, prepareAgent } from '../telemetry/agent/agent-files.js';
import { machine, median, now, ROOT, rssMb, sleep, writeResult } from './lib/devflow.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const REQUESTS = 200;

interface Variant {
  name: string;
  example: string;
  agent: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'CommonJS, no agent', example: 'node-otel', agent: false },
  { name: 'CommonJS, agent', example: 'node-otel', agent: true },
  { name: 'ES module, no agent', example: 'node-otel-esm', agent: false },
  { name: 'ES module, agent (with the ES-module hook)', example: 'node-otel-esm', agent: true },
];

/** A copy of the example that finds its `pg` in DevFlow's node_modules. */
async function appDir(work: string, example: string): Promise<string> {
  const dir = path.join(work, example);
  await fs.cp(path.join(ROOT, 'examples', example), dir, { recursive: true });
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** An OTLP endpoint that accepts everything, so the agent's exporter runs as it would. */
async function startSink(): Promise<{ url: string; spans: () => number; close(): void }> {
  let posts = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans: () => posts, close: () => server.close() };
}

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/inner', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });
}

/** The process's own CPU time so far (user + system), ms: what the load moves much less than wall time. */
async function cpuMs(pid: number): Promise<number> {
  const usage = parseProcUsage(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
  return ((usage?.cpuTicks ?? 0) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function measure(dir: string, env: Record<string, string>): Promise<{ firstMs: number; cpu: number; rss: number }> {
  const port = await freePort();
  const started = now();
  const child = spawn(process.execPath, ['server.js'], { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env } });
  try {
    while ((await get(port)) !== 200) {
      if (child.exitCode !== null) throw new Error(`the app in ${dir} exited ${child.exitCode}`);
      await sleep(2);
    }
    const firstMs = now() - started;
    const cpu = await cpuMs(child.pid!);
    for (let i = 0; i < REQUESTS; i++) await get(port);
    await sleep(1000);
    return { firstMs, cpu, rss: await rssMb(child.pid!) };
  } finally {
    child.kill('SIGKILL');
  }
}

const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-agentbench-'));
  const sink = await startSink();
  try {
    const key = await prepareAgent(work);
    const preload = agentNodeOption(agentRequirePath(key, { home: work, inContainer: false }));
    const dirs = new Map<string, string>();
    for (const example of new Set(VARIANTS.map((v) => v.example))) dirs.set(example, await appDir(work, example));
    // A short batch delay, so the spans of the 200 requests are exported before the reading.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench', OTEL_PROPAGATORS: 'tracecontext,baggage', OTEL_BSP_SCHEDULE_DELAY: '200' };
    const results = new Map(VARIANTS.map((v) => [v.name, { firstMs: [] as number[], cpu: [] as number[], rss: [] as number[] }]));
    const loadBefore = os.loadavg();
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        // Both get the OTEL_ variables (an app with telemetry on); only one gets the preload.
        const env = { ...otel, ...(variant.agent ? { NODE_OPTIONS: preload } : {}) };
        const m = await measure(dirs.get(variant.example)!, env);
        results.get(variant.name)!.firstMs.push(m.firstMs);
        results.get(variant.name)!.rss.push(m.rss);
        results.get(variant.name)!.cpu.push(m.cpu);
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
    const loadAfter = os.loadavg();
    const rows = VARIANTS.map((v) => {
      const r = results.get(v.name)!;
      return `| ${v.name} | ${median(r.firstMs).toFixed(0)} (${range(r.firstMs, 0)}) | ${median(r.cpu).toFixed(0)} (${range(r.cpu, 0)}) | ${median(r.rss).toFixed(1)} (${range(r.rss, 1)}) |`;
    });
    await writeResult('otel-agent', [
      `### The Node agent's cost per instance (${machine()}, ${ROUNDS} rounds, variants in turn)`,
      '',
      `Load average before ${loadBefore.map((l) => l.toFixed(1)).join(' / ')}, after ${loadAfter.map((l) => l.toFixed(1)).join(' / ')}; ${sink.spans()} OTLP exports received.`,
      '',
      '| app | spawn to first answer, ms: median (range) | CPU used by then, ms | RSS after 200 requests, MB: median (range) |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'));
  } finally {
    sink.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
