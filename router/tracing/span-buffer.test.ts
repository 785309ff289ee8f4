import { describe, expect, it } from 'vitest';
import { SpanBuffer, type RouterSpan } from './span-buffer.js';

function span(n: number): RouterSpan {
  return {
    app: 'shop', traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, '0'), parentSpanId: undefined,
    method: 'GET', host: 'shop.localhost', path: '/', status: 200, startMs: 0, durationMs: 1, bytes: 0,
    upstream: undefined, instance: undefined, release: undefined, sampled: true,
  };
}

describe('SpanBuffer', () => {
  it('writes in batches, one at a time, and drops past its capacity while the sink is stuck', async () => {
    const batches: number[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => { release = resolve; });
    const buffer = new SpanBuffer({
      writeRouterSpans: async (spans) => {
        batches.push(spans.length);
        if (batches.length === 1) await stuck;
      },
    }, { capacity: 5, batchSize: 3, flushEveryMs: 60_000 });
    for (let i = 0; i < 3; i++) buffer.add(span(i)); // a full batch starts a write, which hangs
    for (let i = 3; i < 10; i++) buffer.add(span(i)); // 5 wait, 2 are dropped
    expect(buffer.dropped).toBe(2);
    release();
    await buffer.close();
    expect(batches).toEqual([3, 3, 2]);
    expect(buffer.written).toBe(8);
  });

  it('counts a batch the sink refused as dropped, and goes on', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const buffer = new SpanBuffer({
      writeRouterSpans: async () => {
        if (calls++ === 0) throw new Error('database down');
      },
    }, { flushEveryMs: 60_000, onError: (err) => errors.push(err) });
    buffer.add(span(1));
    await buffer.flush();
    buffer.add(span(2));
    await buffer.close();
    expect([buffer.dropped, buffer.written, errors.length]).toEqual([1, 1, 1]);
  });
});
