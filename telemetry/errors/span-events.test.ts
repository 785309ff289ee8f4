import { describe, expect, it } from 'vitest';
import { exceptionsOfSpans } from './span-events.js';

const trace = 'ab'.repeat(16);
const span = (events: unknown[] | null, release: string | null = 'v7') => ({ appId: 3, traceId: trace, startUs: 1_764_936_000_000_000, release, events });
const stack = 'TypeError: no cart\n    at checkout (/workspace/cart.js:10:3)';

describe('exceptionsOfSpans', () => {
  const cases: Array<[string, ReturnType<typeof span>[], unknown[]]> = [
    ['an exception event: type, message, stack, its own time, the release and trace', [span([
      { name: 'exception', timeUnixNano: '1764936001500000000', attributes: { 'exception.type': 'TypeError', 'exception.message': 'no cart', 'exception.stacktrace': stack } },
    ])], [{ app: 3, release: 7, type: 'TypeError', message: 'no cart', stack, at: new Date(1_764_936_001_500), traceId: trace }]],
    ['other events are not exceptions', [span([{ name: 'cache miss', timeUnixNano: '1', attributes: { 'exception.type': 'X' } }])], []],
    ['no events at all', [span(null), span([])], []],
    ['neither type nor message: not an exception by the conventions', [span([{ name: 'exception', attributes: { 'exception.stacktrace': stack } }])], []],
    ['a message alone: type Error, the stack made of the message, the span\'s start as its time, no release', [span([
      { name: 'exception', timeUnixNano: '0', attributes: { 'exception.message': 'boom' } },
    ], null)], [{ app: 3, release: null, type: 'Error', message: 'boom', stack: 'Error: boom', at: new Date(1_764_936_000_000), traceId: trace }]],
    ['two exceptions on one span, and one on another', [span([
      { name: 'exception', attributes: { 'exception.type': 'A' } }, { name: 'exception', attributes: { 'exception.type': 'B' } },
    ]), span([{ name: 'exception', attributes: { 'exception.type': 'C' } }], 'not-a-release')],
    ['A', 'B', 'C'].map((type, i) => expect.objectContaining({ type, message: '', stack: `${type}: `, release: i < 2 ? 7 : null }))],
  ];
  it.each(cases)('%s', (_name, spans, expected) => {
    expect(exceptionsOfSpans(spans)).toEqual(expected);
  });
});
