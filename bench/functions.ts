/**
 * Function invocation time (issue 17): one small TypeScript function (JSON in, JSON out) invoked
 * over HTTP through the /functions/v1 service, cold (a new worker process each time) and warm
 * (the worker reused), beside the same handler called in-process with a web Request (no HTTP, no
 * worker): what the isolation costs. The service runs in this process with its control-plane rows
 * on an embedded PostgreSQL; the caller is node's fetch on 127.0.0.1. The load average is noted:
 * other work on the machine moves every figure.
 * Usage: node --import tsx bench/functions.ts [warm=200] [cold=10]
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { newProjectKeys } from '../backend/keys.js';
import type { BackendProject } from '../backend/contract.js';
import { createFunctions } from '../backend/functions/index.js';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { parseAppName } from '../core/names.js';
import { connect, migrate } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { createApp } from '../core/store/apps.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const WARM = Number(process.argv[2] ?? 200);
const COLD = Number(process.argv[3] ?? 10);
const SOURCE = `export default async (req: Request): Promise<Response> => {
  const { name } = (await req.json()) as { name: string };
  return Response.json({ message: \`Hello \${name}\` });
};`;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-functions-'));
  const cluster = await startEmbeddedPostgres(path.join(dir, 'pg'), () => {});
  const sql = connect(cluster.url, 4);
  try {
    await migrate(sql, MIGRATIONS);
    const app = await createApp(sql, parseAppName('bench'));
    const project: BackendProject = {
      ref: 'bench', sql, keys: await newProjectKeys('bench'), url: 'http://127.0.0.1/backend/bench',
      auth: { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl: 'http://localhost', jwtExpiry: 3600 },
    };
    // idleMs 0 would stop workers between warm calls; cold runs close the pool instead.
    let functions = createFunctions({ sql, root: path.join(dir, 'functions'), idleMs: 600_000 });
    await functions.deploy(app, 'hello', { files: [{ path: 'index.ts', content: Buffer.from(SOURCE) }], verifyJwt: true });
    const server = http.createServer((req, res) => {
      void functions.service.handle(req, res, { project, role: 'anon', claims: { role: 'anon' }, token: '' }, (req.url ?? '/').replace('/functions/v1', ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/hello`;
    const invoke = async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' });
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
      await res.json();
    };

    const cold: number[] = [];
    for (let i = 0; i < COLD; i++) {
      await functions.close();
      functions = createFunctions({ sql, root: path.join(dir, 'functions'), idleMs: 600_000 });
      cold.push(await timed(invoke));
    }
    for (let i = 0; i < 20; i++) await invoke();
    const warm: number[] = [];
    for (let i = 0; i < WARM; i++) warm.push(await timed(invoke));

    const { default: handler } = await import(path.join(dir, 'functions', 'bench', 'hello', 'v1', 'dist', 'index.mjs')) as { default: (req: Request) => Promise<Response> };
    const direct = async () => (await handler(new Request('http://x/hello', { method: 'POST', body: '{"name":"bench"}' }))).json();
    for (let i = 0; i < 20; i++) await direct();
    const inProcess: number[] = [];
    for (let i = 0; i < WARM; i++) inProcess.push(await timed(direct));

    const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${quantile(xs, 0.5).toFixed(2)} | ${quantile(xs, 0.99).toFixed(2)} |`;
    const lines = [
      `Function invocation time, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}`,
      '',
      '| path | runs | p50 ms | p99 ms |',
      '| --- | --- | --- | --- |',
      row('cold: POST /functions/v1/hello, new worker process', cold),
      row('warm: POST /functions/v1/hello, worker reused', warm),
      row('in-process: the same handler called with a Request', inProcess),
    ];
    console.log(lines.join('\n'));
    await fs.mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await fs.writeFile(path.join(ROOT, 'bench/results/functions.md'), `${lines.join('\n')}\n`);
    await functions.close();
    server.close();
  } finally {
    await sql.end({ timeout: 2 });
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
