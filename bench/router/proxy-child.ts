/**
 * DevFlow's embedded proxy alone in a process, for bench/router.ts: `node --import tsx
 * proxy-child.ts <upstreamPort> <routes> [traced]` builds a table of <routes> apps (app0 … appN-1, all on
 * the one upstream), listens on a free loopback port and prints it. Metrics and the ACME
 * challenge check are on, as in `devflow up`. `traced`: router tracing on as `devflow up` has it
 * by default (a span per request, traceparent to the app, 10% sampled); the kept spans are turned
 * into store rows and serialized as the span store does (fromRouterSpan, toRow, JSON), but not
 * sent to a database.
 * `unmetered`: no traffic counters at all (no GET /metrics, no telemetry rollup, no billing
 * usage), the peer of the default for the metering cost (issue 20).
 */
import { AcmeChallenges } from '../../router/acme/challenges.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { EmbeddedProxy } from '../../router/proxy.js';
import { buildRoutingTable } from '../../router/table.js';
import { SpanBuffer } from '../../router/tracing/span-buffer.js';
import { RouterTracer } from '../../router/tracing/tracer.js';
import { fromRouterSpan } from '../../telemetry/traces/span.js';
import { toRow } from '../../telemetry/traces/store.js';

const [upstreamPort, routes] = process.argv.slice(2).map(Number) as [number, number];
const upstream = { host: '127.0.0.1', port: upstreamPort };
const tracer = process.argv[4] === 'traced'
  ? new RouterTracer(new SpanBuffer({ writeRouterSpans: async (spans) => void JSON.stringify(spans.map((s) => toRow(fromRouterSpan(s, 1)))) }))
  : undefined;
const metrics = process.argv[4] === 'unmetered' ? undefined : new ProxyMetrics();
const proxy = new EmbeddedProxy({ metrics, challenges: new AcmeChallenges(), tracer });
proxy.setTable(buildRoutingTable({
  domain: 'localhost',
  apps: Array.from({ length: routes }, (_, i) => ({ name: `app${i}`, upstreams: [upstream] })),
}));
const port = await proxy.listen(0, '127.0.0.1');
console.log(`port ${port}`);
process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
