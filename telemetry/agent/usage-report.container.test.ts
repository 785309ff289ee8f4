/**
 * The task-side usage report in a real container (the engine running here): the agent's report
 * code, bundled as the agent is, runs in a container from the Node test image, posts its first
 * report to a receiver stand-in on the host through the Docker bridge, and what it reads of its
 * own cgroup agrees with `docker stats` for that container.
 *
 * Why a plain container proves swarm tasks on other nodes: a swarm task is a container like this
 * one, and the report goes out from inside it, so the path is the same whichever node the task is
 * on (the one thing a second node adds is its network route to DevFlow's API). This machine's
 * swarm has one node, so the test cannot place a task on another.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineBridgeAccess } from '../../core/embedded-postgres/docker-bridge.js';
import { dockerStatsMemoryBytes, ensureNodeTestImage, waitFor } from '../../scheduler/runtime/test-support.js';
import { decodeRequest } from '../otlp/decode.js';
import { metricPointsOf } from '../otlp/metrics.js';
import { CPU_METRIC, MEMORY_METRIC } from './usage-report.js';

const docker = new Docker();
let container: Docker.Container;
let receiver: http.Server;
const received: Array<{ token: string | undefined; body: Buffer }> = [];
let bundle: string;

beforeAll(async () => {
  const image = await ensureNodeTestImage(docker);
  const out = await build({ entryPoints: [fileURLToPath(new URL('./usage-report.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  bundle = out.outputFiles[0]!.text;
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ token: req.headers['x-devflow-ingest-token'] as string | undefined, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const gateway = (await engineBridgeAccess(docker)).listen[0] ?? '172.17.0.1';
  await new Promise<void>((resolve) => receiver.listen(0, gateway, resolve));
  const port = (receiver.address() as AddressInfo).port;
  // The agent's report loop as the agent starts it, a little memory held, and what the process
  // reads of its cgroup printed each second, for the comparison with `docker stats`.
  const program = `${bundle}\nconst agent = module.exports;\nagent.startUsageReports(process.env, (f) => f());\nglobalThis.held = Buffer.alloc(20 * 1024 * 1024, 1);\n` +
    'setInterval(() => console.log(JSON.stringify(agent.readOwnCgroup())), 1000);\n';
  container = await docker.createContainer({
    Image: image, Entrypoint: ['node', '-e', program], Labels: { 'devflow.test': 'usage-report' },
    Env: [
      'DEVFLOW_REPORT_USAGE=1', `OTEL_EXPORTER_OTLP_ENDPOINT=http://${gateway}:${port}`, 'OTEL_EXPORTER_OTLP_HEADERS=x-devflow-ingest-token=dfi_test',
      'OTEL_RESOURCE_ATTRIBUTES=devflow.app=shop,service.instance.id=web.1,devflow.process.type=web,service.version=v4', 'OTEL_SERVICE_NAME=shop',
    ],
    HostConfig: { AutoRemove: false },
  });
  await container.start();
}, 300_000);

afterAll(async () => {
  await container?.remove({ force: true }).catch(() => undefined);
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('usage reported from inside a container', () => {
  it("posts OTLP metrics with the app's token, naming the task", async () => {
    const first = await waitFor('the first usage report', async () => received[0]);
    expect(first.token).toBe('dfi_test');
    const points = metricPointsOf(decodeRequest('metrics', 'json', first.body), 1, new Date());
    expect(points.map((p) => [p.name, p.attributes['service.instance.id'], p.attributes['service.version']])).toEqual([
      [CPU_METRIC, 'web.1', 'v4'], [MEMORY_METRIC, 'web.1', 'v4'],
    ]);
    expect(points[0]!.value).toBeGreaterThan(0);
  });

  it('reads what `docker stats` shows for the container', async () => {
    const lastReading = async (): Promise<{ cpuNs: number; memoryBytes: number } | undefined> => {
      const logs = (await container.logs({ stdout: true, tail: 1 })).toString('latin1');
      const line = logs.slice(logs.indexOf('{'));
      return line.startsWith('{') ? JSON.parse(line.trim()) as { cpuNs: number; memoryBytes: number } : undefined;
    };
    await waitFor('a reading printed', lastReading);
    const shownBytes = await dockerStatsMemoryBytes(container.id);
    const usage = (await lastReading())!;
    expect(usage.cpuNs).toBeGreaterThan(0);
    // An idle process read a second apart at most, and the CLI rounds: within 5%, as docker.test.ts.
    expect(Math.abs(usage.memoryBytes - shownBytes) / shownBytes).toBeLessThan(0.05);
  });
});
