/**
 * Issue 18's must-hold, end to end: a Node app with no tracing code (examples/node-otel, using
 * `pg` and an outgoing http call), telemetry enabled, gets DevFlow's Node agent without any
 * change, and one request through the router makes one trace: the caller's traceparent kept,
 * the router's span the parent of the app's server span, and the app's PostgreSQL and outgoing
 * HTTP spans inside it, read back through `devflow traces:show`. The agent reaches buildpack
 * images as a read-only mount, swarm tasks as Swarm configs (on the suite's one-node swarm) and
 * host processes directly, so all three runtimes are covered, with the per-app opt-out
 * (OTEL_NODE_AGENT=off).
 *
 * Then, on the process runtime (the loader deciding these is the same file in a container):
 * an ES-module app (examples/node-otel-esm) gets its http, pg and fetch spans through the
 * ES-module hook, and an app running its own OpenTelemetry SDK (tests/fixtures/otel-own-sdk)
 * keeps its own provider, with no second server span and no spans of its exporter's POSTs.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanView, TraceSummary } from '../../telemetry/index.js';
import { eachSideBySide } from '../support/side-by-side.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'examples/node-otel');
const RUNTIMES = ['docker', 'process', 'swarm'] as const;
type RuntimeName = (typeof RUNTIMES)[number];
/**
 * One app name per runtime: the DevFlows share the Docker engine, where an app's images are named
 * after it (devflow/<app>:<commit>), and the three pushes can be of the same commit.
 */
const appOn = (runtime: RuntimeName) => `traced-${runtime}`;
const SERVER = 2;
const CLIENT = 3;

/** A request through the router carrying the caller's own traceparent (sampled). */
function requestWithTrace(httpPort: number, traceId: string, parentId: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { host, traceparent: `00-${traceId}-${parentId}-01` };
    http.get({ host: '127.0.0.1', port: httpPort, path: '/', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The trace as `devflow traces:show --json` has it, once the app's spans are in. */
async function appTrace(devflow: DevflowProcess, app: string, traceId: string, appSpans: number): Promise<SpanView[]> {
  let spans: SpanView[] = [];
  for (let i = 0; i < 60; i++) {
    const shown = await devflow.cli(['traces:show', traceId, '--app', app, '--json'], { reject: false });
    if (shown.exitCode === 0) spans = (JSON.parse(shown.stdout) as { spans: SpanView[] }).spans;
    if (spans.filter((s) => s.service === app).length >= appSpans) return spans;
    await sleep(500);
  }
  throw new Error(`trace ${traceId} has no ${appSpans} app spans: ${JSON.stringify(spans.map((s) => [s.service, s.name]))}`);
}

const childrenIn = (spans: SpanView[]) => (parent: SpanView) => spans.filter((s) => s.parentSpanId === parent.spanId);

/** Creates `app` with telemetry on (every trace kept) and pushes the example in `dir` to it. */
async function deployTraced(devflow: DevflowProcess, app: string, dir: string): Promise<void> {
  await devflow.cli(['apps:create', app]);
  expect((await devflow.cli(['telemetry:enable', '--app', app, '--sample', '1'])).exitCode).toBe(0);
  const pushed = await pushTo(await repoFromExample(dir), devflow, app);
  expect(pushed.exitCode, `${app}: ${pushed.stderr}`).toBe(0);
}

const devflows = new Map<RuntimeName, DevflowProcess>();

// The three DevFlows start and make their apps' first releases side by side: one after another,
// these starts and cold builds were most of the file's time. The process runtime's DevFlow also
// holds the ES-module app and the app with its own SDK (the last describe).
beforeAll(async () => {
  await eachSideBySide(RUNTIMES, async (runtime) => {
    const devflow = await startDevflowProcess({ runtime });
    devflows.set(runtime, devflow);
    await deployTraced(devflow, appOn(runtime), EXAMPLE);
    if (runtime === 'process') {
      for (const [app, dir] of [['esm', 'examples/node-otel-esm'], ['own', 'tests/fixtures/otel-own-sdk']] as const) {
        await deployTraced(devflow, app, path.join(ROOT, dir));
      }
    }
  });
}, 300_000);
afterAll(async () => {
  await Promise.all([...devflows.values()].map(async (devflow) => {
    await devflow.stop();
    await cleanupRuntime(devflow.home);
  }));
});

describe.each(RUNTIMES)('the zero-config Node agent on the %s runtime', (runtime) => {
  const APP = appOn(runtime);
  const HOST = `${APP}.localhost`;
  let devflow: DevflowProcess;
  beforeAll(() => void (devflow = devflows.get(runtime)!));

  const traceWithAppSpans = (traceId: string, appSpans: number) => appTrace(devflow, APP, traceId, appSpans);

  it('one request makes one trace: router span > app server span > pg and outgoing http spans', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const res = await requestWithTrace(devflow.httpPort, traceId, callerSpan, HOST);
    expect(res).toEqual({ status: 200, body: 'answer 42, inner\n' });

    // The app's spans: its server span for /, pg's, the outgoing GET and the server span of /inner.
    const spans = await traceWithAppSpans(traceId, 4);
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    const router = spans.find((s) => s.service === 'devflow-router')!;
    expect(router.parentSpanId).toBe(callerSpan);
    const children = childrenIn(spans);

    const [server, ...others] = children(router);
    expect(others).toEqual([]);
    expect(server).toMatchObject({ service: APP, kind: SERVER, httpStatus: 200, release: 'v1' });

    const inside = children(server!);
    const pg = inside.filter((s) => s.kind === CLIENT && s.name.startsWith('pg.query'));
    expect(pg).toHaveLength(1);
    expect(pg[0]!.attributes).toMatchObject({ 'db.system': 'postgresql', 'db.statement': 'SELECT 40 + 2 AS answer' });
    const outgoing = inside.filter((s) => s.kind === CLIENT && s.name.startsWith('GET'));
    expect(outgoing).toHaveLength(1);
    expect(JSON.stringify(outgoing[0]!.attributes)).toContain('/inner');
    // The outgoing call carried the context: /inner's server span is its child.
    expect(children(outgoing[0]!).map((s) => [s.kind, s.route ?? s.attributes['http.target']])).toEqual([[SERVER, '/inner']]);
  });

  it('an app opts out with OTEL_NODE_AGENT=off: no agent in its processes', async () => {
    expect((await getViaRouter(devflow.httpPort, HOST, '/agent')).body).toBe('agent on\n');
    expect((await devflow.cli(['config:set', APP, 'OTEL_NODE_AGENT=off'])).exitCode).toBe(0);
    expect((await getViaRouter(devflow.httpPort, HOST, '/agent')).body).toBe('agent off\n');
    // The app itself is untouched: it still answers, with its database and its outgoing call.
    expect((await getViaRouter(devflow.httpPort, HOST, '/')).body).toBe('answer 42, inner\n');
  });
});

describe('the Node agent beside ES-module apps and apps with their own SDK (process runtime)', () => {
  let devflow: DevflowProcess;
  beforeAll(() => void (devflow = devflows.get('process')!));

  it('an ES-module app: router span > server span > pg, http.get and fetch spans, each call reaching /inner', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await requestWithTrace(devflow.httpPort, traceId, randomBytes(8).toString('hex'), 'esm.localhost');
    expect(res).toEqual({ status: 200, body: 'answer 42, inner, inner\n' });
    // Server span, pg.query, two outgoing GETs and a server span of /inner under each.
    const spans = await appTrace(devflow, 'esm', traceId, 6);
    const children = childrenIn(spans);
    const router = spans.find((s) => s.service === 'devflow-router')!;
    const [server, ...others] = children(router);
    expect(others).toEqual([]);
    expect(server).toMatchObject({ service: 'esm', kind: SERVER, httpStatus: 200 });
    const inside = children(server!);
    expect(inside.filter((s) => s.kind === CLIENT && s.name.startsWith('pg.query')).map((s) => s.attributes['db.statement'])).toEqual(['SELECT 40 + 2 AS answer']);
    // One from http.get (the http instrumentation), one from fetch (undici's).
    const outgoing = inside.filter((s) => s.kind === CLIENT && s.name.startsWith('GET'));
    expect(outgoing).toHaveLength(2);
    for (const call of outgoing) expect(children(call).map((s) => [s.kind, s.route ?? s.attributes['http.target']])).toEqual([[SERVER, '/inner']]);
  });

  it('an app with its own SDK: the agent steps aside, the app keeps its provider, one server span per request', async () => {
    expect((await getViaRouter(devflow.httpPort, 'own.localhost', '/own')).body).toBe('own provider\n');
    const traceId = randomBytes(16).toString('hex');
    const res = await requestWithTrace(devflow.httpPort, traceId, randomBytes(8).toString('hex'), 'own.localhost');
    expect(res).toEqual({ status: 200, body: 'own sdk, inner\n' });
    // The app's server span of /, its GET /inner, and /inner's server span: its own SDK sent them.
    const spans = (await appTrace(devflow, 'own', traceId, 3)).filter((s) => s.service === 'own');
    expect(spans.filter((s) => s.kind === SERVER).map((s) => s.route ?? s.attributes['http.target']).sort()).toEqual(['/', '/inner']);
    expect(spans.filter((s) => s.kind === CLIENT)).toHaveLength(1);
    // Its exporter's POSTs to DevFlow's receiver made no traces of their own.
    const listed = JSON.parse((await devflow.cli(['traces', 'own', '--json', '--limit', '200'])).stdout) as TraceSummary[];
    expect(listed.filter((t) => t.service === 'own' && /POST/.test(t.name))).toEqual([]);
    // The process log says why the agent is not running.
    const logs = (await devflow.cli(['logs', 'own', '-n', '200'])).stdout;
    expect(logs).toContain('devflow otel agent: stepping aside, the app depends on @opentelemetry/sdk-trace-node');
  });
});
