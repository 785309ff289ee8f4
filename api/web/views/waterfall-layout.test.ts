import { describe, expect, it } from 'vitest';
import { layoutWaterfall, type WaterfallSpan } from './waterfall-layout.js';

const span = (spanId: string, parentSpanId: string | null, startMs: number, durationMs: number): WaterfallSpan =>
  ({ spanId, parentSpanId, startUs: 1_000_000_000 + startMs * 1000, durationMs });

/** Each row as "id@depth offset+width" in whole percents. */
const shape = (spans: WaterfallSpan[]) => layoutWaterfall(spans).rows
  .map((r) => `${r.span.spanId}@${r.depth} ${Math.round(r.offset * 100)}+${Math.round(r.width * 100)}`);

describe('layoutWaterfall', () => {
  it.each<[string, WaterfallSpan[], string[]]>([
    ['nothing', [], []],
    ['one span fills the axis', [span('a', null, 0, 10)], ['a@0 0+100']],
    ['router, app server, its two client spans in start order', [
      span('db', 'srv', 20, 30), span('router', null, 0, 100), span('http', 'srv', 60, 20), span('srv', 'router', 10, 80),
    ], ['router@0 0+100', 'srv@1 10+80', 'db@2 20+30', 'http@2 60+20']],
    ["a parent outside the trace (the client's) makes a root", [span('a', 'client', 0, 50), span('b', 'a', 25, 25)], ['a@0 0+100', 'b@1 50+50']],
    ['two roots side by side', [span('late', null, 50, 50), span('early', null, 0, 50)], ['early@0 0+50', 'late@0 50+50']],
    ['a cycle is shown, not lost', [span('x', 'y', 0, 10), span('y', 'x', 5, 5)], ['x@0 0+100', 'y@1 50+50']],
  ])('%s', (_name, spans, rows) => {
    expect(shape(spans)).toEqual(rows);
  });

  it('measures the trace from the first start to the last end', () => {
    expect(layoutWaterfall([span('a', null, 0, 10), span('b', null, 5, 20)]).totalMs).toBe(25);
  });
});
