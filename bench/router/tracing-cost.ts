/**
 * The router's per-request tracing work alone, in a loop (issue 18): what the proxy adds to a
 * request with tracing on (start a trace, write its traceparent, end it and, for the sampled
 * tenth, buffer a span and serialize it as the store would). Run with
 * `node --import tsx bench/router/tracing-cost.ts`; prints CPU nanoseconds per request, a figure
 * the machine's load moves much less than proxied requests/s.
 */
import { SpanBuffer } from '../../router/tracing/span-buffer.js';
import { RouterTracer } from '../../router/tracing/tracer.js';
import { fromRouterSpan } from '../../telemetry/traces/span.js';

const N = Number(process.env.BENCH_N ?? 2_000_000);
const tracer = new RouterTracer(new SpanBuffer({ writeRouterSpans: async (spans) => void JSON.stringify(spans.map((s) => fromRouterSpan(s, 1))) }, { capacity: 1e9 }));
const upstream = { host: '127.0.0.1', port: 3000, instance: 'shop.web.1' };

function run(n: number): void {
  for (let i = 0; i < n; i++) {
    const trace = tracer.begin('shop', undefined, 'shop.localhost', '/cart?id=7');
    if (tracer.traceparentFor(trace).length !== 55) throw new Error('bad traceparent');
    tracer.end(trace, { app: 'shop', method: 'GET', status: 200, startedAt: 0, endedAt: 1, bytes: 24, upstream, release: 3 });
  }
}

run(100_000); // warm-up
await tracer.buffer.flush();
const before = process.cpuUsage();
run(N);
await tracer.buffer.close();
const used = process.cpuUsage(before);
console.log(`${N} requests: ${(((used.user + used.system) * 1000) / N).toFixed(0)} ns of CPU per request (user+system), ${tracer.buffer.written} spans kept`);
