/**
 * Runs an EmbeddedProxy in a process of its own, for the memory tests: the test's upstreams and
 * clients then do not count in the proxy's resident memory. Driven over IPC by
 * `startProxyProcess` in fixtures.ts.
 *
 * Started with --expose-gc: socket reads leave a trail of short-lived buffers, and V8 may let tens
 * of megabytes of them pile up before it collects. Collecting every few milliseconds while
 * measuring leaves only what the proxy really holds, which is what the tests bound.
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
      gc();
      base = process.memoryUsage().rss;
      peak = base;
      reply({ type: 'ok' });
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
