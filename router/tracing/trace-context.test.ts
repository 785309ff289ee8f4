import { describe, expect, it } from 'vitest';
import { parseTraceparent, TraceIds } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent (W3C Trace Context)', () => {
  it.each([
    ['sampled', `00-${TRACE}-${SPAN}-01`, { traceId: TRACE, parentId: SPAN, sampled: true }],
    ['not sampled', `00-${TRACE}-${SPAN}-00`, { traceId: TRACE, parentId: SPAN, sampled: false }],
    ['other flag bits', `00-${TRACE}-${SPAN}-03`, { traceId: TRACE, parentId: SPAN, sampled: true }],
    ['surrounding spaces', ` 00-${TRACE}-${SPAN}-01 `, { traceId: TRACE, parentId: SPAN, sampled: true }],
    ['a later version with more fields', `cc-${TRACE}-${SPAN}-01-what-comes-next`, { traceId: TRACE, parentId: SPAN, sampled: true }],
    ['a later version without more fields', `01-${TRACE}-${SPAN}-00`, { traceId: TRACE, parentId: SPAN, sampled: false }],
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['version ff', `ff-${TRACE}-${SPAN}-01`, undefined],
    ['version 00 with more fields', `00-${TRACE}-${SPAN}-01-extra`, undefined],
    ['a later version glued to more', `01-${TRACE}-${SPAN}-01x`, undefined],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`, undefined],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`, undefined],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`, undefined],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`, undefined],
    ['wrong separators', `00_${TRACE}_${SPAN}_01`, undefined],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0g`, undefined],
  ])('%s', (_name, value, expected) => {
    expect(parseTraceparent(value)).toEqual(expected);
  });

});

describe('TraceIds', () => {
  it('makes distinct lowercase hex ids of the right lengths, across refills of its pool', () => {
    const ids = new TraceIds();
    const traces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const trace = ids.traceId();
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
      const f = ids.fraction();
      expect(f >= 0 && f < 1).toBe(true);
      traces.add(trace);
    }
    expect(traces.size).toBe(1000);
  });

  it('makes a trace id and a span id at once, distinct from the last', () => {
    const ids = new TraceIds();
    const pair = { traceId: '', spanId: '' };
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      ids.newTrace(pair);
      expect(pair.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(pair.spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(pair.traceId + pair.spanId);
    }
    expect(seen.size).toBe(500);
  });
});
