import { describe, expect, it } from 'vitest';
import { logLinesOf, releaseNumber, severityName } from './logs.js';

describe('severityName', () => {
  it.each<[unknown, unknown, string | undefined]>([
    ['WARN', 13, 'warn'],          // the text wins, lowercased
    [undefined, 1, 'trace'],
    [undefined, 8, 'debug'],
    [undefined, 9, 'info'],
    [undefined, 17, 'error'],
    [undefined, 24, 'fatal'],
    ['', 0, undefined],            // unspecified
    [undefined, 25, undefined],
  ])('text %j, number %j: %j', (text, number, expected) => {
    expect(severityName(text, number)).toBe(expected);
  });
});

describe('releaseNumber', () => {
  it.each<[unknown, number]>([['v12', 12], ['12', 0], ['v1.2', 0], [undefined, 0]])('%j is %d', (version, expected) => {
    expect(releaseNumber(version)).toBe(expected);
  });
});

describe('logLinesOf', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  it('makes one JSON line per record: body, attributes, ids, time, and the instance from the resource', () => {
    const lines = logLinesOf({
      format: 'json',
      body: { resourceLogs: [{
        resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: 'worker.1' } }, { key: 'service.version', value: { stringValue: 'v3' } }] },
        scopeLogs: [{ logRecords: [
          { timeUnixNano: '1765000000000000000', severityText: 'Error', body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'boom' } }] } },
            attributes: [{ key: 'code', value: { intValue: '7' } }], traceId: 'AB'.repeat(16), spanId: 'cd'.repeat(8) },
          { observedTimeUnixNano: '0', body: { arrayValue: { values: [{ stringValue: 'a' }] } } },
        ] }],
      }] },
    }, 5, now);
    expect(lines).toEqual([
      { appId: 5, instance: 'worker.1', processType: 'otlp', release: 3, at: new Date(1765000000000),
        line: JSON.stringify({ level: 'error', msg: 'boom', code: 7, trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8) }) },
      { appId: 5, instance: 'worker.1', processType: 'otlp', release: 3, at: now, line: JSON.stringify({ msg: '["a"]' }) },
    ]);
  });
});
