/**
 * The router's per-request tracing work alone, in a loop (issue 18): what the proxy adds to a
 * request with tracing on (start the trace in the request's own object, write the traceparent
 * into the upstream head, end it; for the sampled tenth, buffer a span and serialize it as the
 * store would), measured as the difference with the same loop making the untraced head. Run with
 * `node --import tsx bench/router/tracing-cost.ts`; prints CPU nanoseconds per request, a figure
 * the machine's load moves much less than proxied requests/s. BENCH_TRACE_RATIO sets the sampled
 * share (default 0.1, as `devflow up`).
 */
import { readRequestFields, upstreamRequestHead, type ForwardContext } from '../../router/headers.js';
import { SpanBuffer } from '../../router/tracing/span-buffer.js';
import { RouterTracer, type TracedRequest } from '../../router/tracing/tracer.js';
import { fromRouterSpan } from '../../telemetry/traces/span.js';
import { toRow } from '../../telemetry/traces/store.js';

const N = Number(process.env.BENCH_N ?? 2_000_000);
const tracer = new RouterTracer(new SpanBuffer({ writeRouterSpans: async (spans) => void JSON.stringify(spans.map((s) => toRow(fromRouterSpan(s, 1)))) }));
tracer.setSampling({ ratio: Number(process.env.BENCH_TRACE_RATIO ?? 0.1), slowMs: 1000 });
const line = { method: 'GET', url: '/cart?id=7', rawHeaders: ['Host', 'shop.localhost', 'Accept', '*/*'] };
const fields = readRequestFields(line.rawHeaders);

/** The fields of the proxy's per-request object (router/exchange.ts) that tracing reads and writes. */
function request(): TracedRequest & { traceId: string } {
  return {
    app: 'shop', method: 'GET', startedAt: 0, bytes: 24, target: { host: '127.0.0.1', port: 3000, instance: 'shop.web.1' }, route: { release: 3 },
    traceId: '', spanId: '', parentSpanId: undefined, sampled: false, slowMs: 0, traceHost: undefined, traceUrl: '',
  };
}

function run(n: number, traced: boolean): number {
  let length = 0;
  for (let i = 0; i < n; i++) {
    const exchange = request();
    const ctx: ForwardContext = { clientIp: '127.0.0.1', proto: 'http', requestId: 'r' };
    if (traced) {
      tracer.begin(exchange, 'shop', undefined, 'shop.localhost', line.url);
      ctx.trace = exchange;
    }
    length += upstreamRequestHead(line, fields, ctx).length;
    if (traced) tracer.end(exchange, 200, 1);
  }
  return length;
}

/** CPU ns per request of `n` requests, in slices that let the span buffer write between them. */
async function measure(traced: boolean): Promise<number> {
  const before = process.cpuUsage();
  for (let done = 0; done < N; done += 1_000) {
    run(1_000, traced);
    await new Promise((r) => setImmediate(r));
  }
  await tracer.buffer.flush();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / N;
}

run(100_000, true); // warm-up
run(100_000, false);
await tracer.buffer.flush();
const rounds: Array<[number, number]> = [];
for (let i = 0; i < 3; i++) rounds.push([await measure(false), await measure(true)]);
await tracer.buffer.close();
for (const [off, on] of rounds) console.log(`untraced head ${off.toFixed(0)} ns, traced ${on.toFixed(0)} ns: tracing adds ${(on - off).toFixed(0)} ns of CPU per request`);
console.log(`${tracer.buffer.written} spans kept, ${tracer.buffer.dropped} dropped`);
