import { describe, expect, it } from 'vitest';
import { bar, deploymentSpans, formatDuration, orderSpans, renderWaterfall, type WaterfallSpan } from './waterfall.js';

function span(spanId: string, parentSpanId: string | null, startMs: number, durationMs: number, extra: Partial<WaterfallSpan> = {}): WaterfallSpan {
  return { spanId, parentSpanId, name: spanId, service: 'shop', startUs: 1_000_000_000 + startMs * 1000, durationMs, statusCode: 0, httpStatus: null, ...extra };
}

describe('waterfall', () => {
  it.each([
    ['whole line', 0, 100, 0, 100, 10, '██████████'],
    ['second half', 50, 50, 0, 100, 10, '     █████'],
    ['a tiny span still shows', 99.9, 0.001, 0, 100, 10, '         █'],
    ['a span starting at the end stays inside', 100, 0, 0, 100, 10, '         █'],
    ['a zero-length trace', 0, 0, 0, 0, 4, '█   '],
  ])('bar: %s', (_name, startMs, durationMs, originMs, totalMs, width, expected) => {
    expect(bar(startMs * 1000, durationMs, originMs * 1000, totalMs * 1000, width)).toBe(expected);
  });

  it.each([[0.25, '0.3 ms'], [9.94, '9.9 ms'], [12.4, '12 ms'], [999, '999 ms'], [1234, '1.23 s']])('formats %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('orders depth first with children by start, and draws orphans and cycles as roots once', () => {
    const spans = [
      span('db', 'app', 30, 10), span('app', 'router', 5, 90), span('http', 'app', 10, 15),
      span('router', 'client-span', 0, 100), span('loop-a', 'loop-b', 200, 1), span('loop-b', 'loop-a', 201, 1),
    ];
    expect(orderSpans(spans).map((p) => `${p.depth}:${p.span.spanId}`)).toEqual(['0:router', '1:app', '2:http', '2:db']);
    expect(orderSpans([span('self', 'self', 0, 1)]).map((p) => p.span.spanId)).toEqual(['self']);
  });

  it('renders indented labels, bars on one time line, durations, statuses and errors', () => {
    const lines = renderWaterfall([
      span('GET /cart', null, 0, 100, { service: 'devflow-router', httpStatus: 500, statusCode: 2 }),
      span('SELECT', 'GET /cart', 50, 25),
    ], { width: 8, labelWidth: 28 });
    expect(lines).toEqual([
      'GET /cart (devflow-router)   |████████|    100 ms 500 error',
      '  SELECT (shop)              |    ██  |     25 ms',
    ]);
  });

  it('cuts long labels', () => {
    const [line] = renderWaterfall([span('x'.repeat(60), null, 0, 1)], { width: 2, labelWidth: 10 });
    expect(line!.startsWith('xxxxxxxxx… |')).toBe(true);
  });
});

describe('deployment traces', () => {
  it('makes a root span over the phases and one child per phase', () => {
    const spans = deploymentSpans({
      id: 7, app: 'shop', state: 'succeeded', releaseVersion: 3,
      phases: [
        { phase: 'queue', startedAt: '2026-12-05T12:00:00.000Z', ms: 100 },
        { phase: 'build', startedAt: '2026-12-05T12:00:00.100Z', ms: 800 },
        { phase: 'retire', startedAt: '2026-12-05T12:00:01.000Z', ms: 1000 },
      ],
    });
    expect(spans.map((s) => [s.name, s.parentSpanId, s.durationMs])).toEqual([
      ['deploy shop #7 → v3', null, 2000], ['queue', 'deployment-7', 100], ['build', 'deployment-7', 800], ['retire', 'deployment-7', 1000],
    ]);
    expect(renderWaterfall(spans, { width: 20, labelWidth: 40 })[2]).toBe(`  build (scheduler)                      | ████████           |    800 ms`);
  });

  it("draws the release's first request as the router's, where it came on the time line", () => {
    const spans = deploymentSpans({
      id: 8, app: 'shop', state: 'succeeded', releaseVersion: 4,
      phases: [
        { phase: 'switch', startedAt: '2026-12-05T12:00:00.000Z', ms: 10 },
        { phase: 'first-request', startedAt: '2026-12-05T12:00:01.990Z', ms: 10 },
      ],
    });
    expect(spans.map((s) => [s.name, s.service, s.durationMs])).toEqual([['deploy shop #8 → v4', 'succeeded', 2000], ['switch', 'scheduler', 10], ['first-request', 'router', 10]]);
    expect(renderWaterfall(spans, { width: 20, labelWidth: 30 })[2]).toBe(`  first-request (router)       |                   █|     10 ms`);
  });

  it('has nothing to show for a deployment without timings', () => {
    expect(deploymentSpans({ id: 1, app: 'a', state: 'queued', releaseVersion: null, phases: [] })).toEqual([]);
  });
});
