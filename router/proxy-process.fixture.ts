/**
 * Runs an EmbeddedProxy in a process of its own, for the memory tests: the test's upstreams and
 * clients then do not count in the proxy's resident memory. Driven over IPC by
 * `startProxyProcess` in fixtures.ts.
 *
 * Started with --expose-gc: socket reads leave a trail of short-lived buffers, and V8 may let tens
 * of megabytes of them pile up before it collects. Collecting every few milliseconds while
 * measuring leaves only what the proxy really holds, which is what the tests bound.
 *
 * Before a measurement starts, the process waits for its memory to settle: V8 compiles the HTTP
 * parser (WebAssembly) with its optimizing tier on a background thread after startup, which takes
 * about 35 MB for a second or two and has nothing to do with the bodies being measured.
 */
import { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable, type RoutingInput } from './table.js';

export type ProbeRequest = { type: 'table'; input: RoutingInput } | { type: 'reset-peak' } | { type: 'peak' };
export type ProbeReply = { type: 'ready'; port: number } | { type: 'ok' } | { type: 'peak'; growth: number };

const proxy = new EmbeddedProxy();
const port = await proxy.listen(0, '127.0.0.1');
let base = process.memoryUsage().rss;
let peak = base;
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
};
setInterval(() => {
  sample();
  gc();
}, 5);

/** Waits (up to 10 s) until resident memory stops moving by more than 1 MB in 200 ms. */
async function settle(): Promise<void> {
  let last = -Infinity;
  for (let i = 0; i < 50; i++) {
    gc();
    const rss = process.memoryUsage().rss;
    if (Math.abs(rss - last) < 1024 * 1024) return;
    last = rss;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const reply = (message: ProbeReply): void => {
  process.send?.(message);
};

process.on('message', (message: ProbeRequest) => {
  switch (message.type) {
    case 'table':
      proxy.setTable(buildRoutingTable(message.input));
      reply({ type: 'ok' });
      return;
    case 'reset-peak':
      void settle().then(() => {
        base = process.memoryUsage().rss;
        peak = base;
        reply({ type: 'ok' });
      });
      return;
    case 'peak':
      sample();
      reply({ type: 'peak', growth: peak - base });
      return;
  }
});
process.on('disconnect', () => {
  void proxy.close().then(() => process.exit(0));
});
reply({ type: 'ready', port });
