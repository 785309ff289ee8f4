import { describe, expect, it } from 'vitest';
import { parseExposition, pointsOfExposition } from './exposition.js';

describe('parseExposition', () => {
  const ok: Array<[string, string, unknown[]]> = [
    ['a bare sample', 'up 1', [{ name: 'up', labels: {}, value: 1 }]],
    ['labels, spaces around them, a trailing comma, a timestamp', 'http_requests_total{ method="post" , code="200", } 1027 1395066363000',
      [{ name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 }]],
    ['escapes in label values, braces and commas inside them', 'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\", {x}"} 1.458255915e9',
      [{ name: 'msdos_file_access_time_seconds', labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT", {x}' }, value: 1.458255915e9 }]],
    ['comments, HELP, blank lines and special values', '# HELP x an x\n# a comment\n\nx +Inf\ny -Inf\nz NaN\nw{} -0.5',
      [{ name: 'x', labels: {}, value: Infinity }, { name: 'y', labels: {}, value: -Infinity }, { name: 'z', labels: {}, value: NaN }, { name: 'w', labels: {}, value: -0.5 }]],
    ['names with colons', 'job:rate5m{job="a"} 3', [{ name: 'job:rate5m', labels: { job: 'a' }, value: 3 }]],
  ];
  it.each(ok)('%s', (_name, text, samples) => {
    expect(parseExposition(text).samples).toEqual(samples);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no value', 'up', /line 1 .*a sample is a name/],
    ['a value that is no number', 'x 1\n\nup one', /line 3 .*"one" is not a number/],
    ['an unclosed label value', 'up{job="a} 1', /label job's value is not closed/],
    ['a label without a value', 'up{job} 1', /label job has no ="value"/],
    ['an unknown escape', 'up{job="a\\t"} 1', /unknown escape \\t/],
    ['an unknown type', '# TYPE up gaugey', /unknown type "gaugey"/],
    ['a timestamp that is no integer', 'up 1 12.5', /"12.5" is not a timestamp/],
    ['a line starting with a digit', '1up 1', /starts with a metric name/],
  ];
  it.each(bad)('refuses %s, naming the line', (_name, text, message) => {
    expect(() => parseExposition(text)).toThrow(message);
  });

  it('keeps each family\'s type', () => {
    expect([...parseExposition('# TYPE a counter\n# TYPE b histogram\na 1').types]).toEqual([['a', 'counter'], ['b', 'histogram']]);
  });
});

describe('pointsOfExposition', () => {
  const at = new Date('2026-12-06T02:00:00Z');
  it('counters as sums, gauges and untyped as gauges, histograms and summaries as sum and count per label set', () => {
    const text = [
      '# TYPE orders_total counter', 'orders_total{country="fr"} 3',
      '# TYPE queue_depth gauge', 'queue_depth 7 1764986400000',
      'untyped_thing 2',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{route="/a",le="0.1"} 4', 'latency_seconds_bucket{route="/a",le="+Inf"} 5',
      'latency_seconds_sum{route="/a"} 0.9', 'latency_seconds_count{route="/a"} 5', 'latency_seconds_count{route="/b"} 0',
      '# TYPE rpc_seconds summary', 'rpc_seconds{quantile="0.5"} 0.2', 'rpc_seconds_sum 12', 'rpc_seconds_count 40',
      'temperature NaN',
    ].join('\n');
    expect(pointsOfExposition(text, 4, at, { 'service.instance.id': 'web.1' }).map((p) => [p.name, p.kind, p.attributes, p.at.toISOString(), p.value, p.count])).toEqual([
      ['orders_total', 'sum', { 'service.instance.id': 'web.1', country: 'fr' }, at.toISOString(), 3, null],
      ['queue_depth', 'gauge', { 'service.instance.id': 'web.1' }, '2025-12-06T02:00:00.000Z', 7, null],
      ['untyped_thing', 'gauge', { 'service.instance.id': 'web.1' }, at.toISOString(), 2, null],
      ['latency_seconds', 'histogram', { 'service.instance.id': 'web.1', route: '/a' }, at.toISOString(), 0.9, 5],
      ['latency_seconds', 'histogram', { 'service.instance.id': 'web.1', route: '/b' }, at.toISOString(), null, 0],
      ['rpc_seconds', 'summary', { 'service.instance.id': 'web.1' }, at.toISOString(), 12, 40],
      ['temperature', 'gauge', { 'service.instance.id': 'web.1' }, at.toISOString(), null, null],
    ]);
  });
});
