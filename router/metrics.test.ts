import { describe, expect, it } from 'vitest';
import { ProxyMetrics, statusClass } from './metrics.js';

describe('ProxyMetrics', () => {
  it.each([
    [101, '1xx'], [200, '2xx'], [204, '2xx'], [308, '3xx'], [404, '4xx'], [431, '4xx'], [502, '5xx'], [504, '5xx'],
  ])('status %d is %s', (status, cls) => {
    expect(statusClass(status)).toBe(cls);
  });

  it('renders counters by status class and a cumulative histogram per app', () => {
    const metrics = new ProxyMetrics();
    metrics.record('web', 200, 0.0004);
    metrics.record('web', 200, 0.02);
    metrics.record('web', 503, 3);
    metrics.record('a"b', 404, 0.001);
    const text = metrics.render();
    expect(text).toContain('# TYPE devflow_router_requests_total counter');
    expect(text).toContain('devflow_router_requests_total{app="web",class="2xx"} 2');
    expect(text).toContain('devflow_router_requests_total{app="web",class="5xx"} 1');
    expect(text).toContain('devflow_router_requests_total{app="a\\"b",class="4xx"} 1');
    expect(text).toContain('devflow_router_request_duration_seconds_bucket{app="web",le="0.001"} 1');
    expect(text).toContain('devflow_router_request_duration_seconds_bucket{app="web",le="0.025"} 2');
    expect(text).toContain('devflow_router_request_duration_seconds_bucket{app="web",le="5"} 3');
    expect(text).toContain('devflow_router_request_duration_seconds_bucket{app="web",le="+Inf"} 3');
    expect(text).toContain('devflow_router_request_duration_seconds_count{app="web"} 3');
    expect(text.endsWith('\n')).toBe(true);
  });
});
