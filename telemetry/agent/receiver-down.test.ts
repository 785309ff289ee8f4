/**
 * Issue 18's "telemetry never takes an app down", for the app's side: an app with DevFlow's Node
 * agent preloaded (as the process runtime starts it: NODE_OPTIONS, the OTEL_ variables), whose
 * OTLP endpoint is (a) a stopped receiver (nothing listens: connections are refused) or (b) a slow
 * one (it takes the export requests and never answers), keeps answering every request, and the
 * agent is really on in it. The app is examples/node-otel (GET /inner needs no database); its
 * spans are exported every 100 ms, so the exporter meets the dead receiver many times over.
 * The router's side (its span store stuck) is router-stuck-sink.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import { agentNodeOption, agentRequirePath, prepareAgent } from './agent-files.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REQUESTS = 200;

let work: string;
let appDir: string;
let preload: string;
let slow: http.Server;
/** Export requests the slow receiver took (and never answered). */
let heldExports = 0;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-receiver-down-'));
  preload = agentNodeOption(agentRequirePath(await prepareAgent(work), { home: work, inContainer: false }));
  appDir = path.join(work, 'node-otel');
  await fs.cp(path.join(ROOT, 'examples/node-otel'), appDir, { recursive: true });
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'));
  slow = http.createServer((req) => {
    heldExports++;
    req.resume();
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  slow?.closeAllConnections();
  slow?.close();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

function get(port: number, route: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: route, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function startApp(endpoint: string): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const port = await freePort();
  let stderr = '';
  const child = spawn(process.execPath, ['server.js'], {
    cwd: appDir, stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', PORT: String(port), NODE_OPTIONS: preload,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-devflow-ingest-token=dfi_test', OTEL_SERVICE_NAME: 'shop',
      OTEL_PROPAGATORS: 'tracecontext,baggage', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
    },
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited ${child.exitCode}: ${stderr}`);
    if (await get(port, '/inner').then((r) => r.status === 200, () => false)) return { child, port, stderr: () => stderr };
    await sleep(20);
  }
}

async function servesThroughout(endpoint: string): Promise<void> {
  const app = await startApp(endpoint);
  try {
    expect((await get(app.port, '/agent')).body).toBe('agent on\n');
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const { status } = await get(app.port, '/inner');
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Let the exporter's 100 ms batches go out (and meet the dead receiver) between requests.
      if (i % 50 === 49) await sleep(300);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: REQUESTS });
    expect(app.child.exitCode).toBeNull();
    expect(app.stderr()).not.toMatch(/Uncaught|unhandled/i);
  } finally {
    app.child.kill('SIGKILL');
  }
}

describe('an app with the Node agent, its OTLP receiver down', () => {
  it('stopped (connections refused): every request is answered, the agent on', async () => {
    await servesThroughout(`http://127.0.0.1:${await freePort()}`);
  }, 120_000);

  it('slow (takes the exports, never answers): every request is answered, the exports held open', async () => {
    await servesThroughout(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`);
    expect(heldExports).toBeGreaterThan(0);
  }, 120_000);
});
