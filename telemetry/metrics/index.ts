/** Metrics (issue 18): the router's traffic rolled up per minute and hour, and its summaries. */
export { MetricsSampler } from './sampler.js';
export { readAppMetrics, type AppMetrics } from './query.js';
export type { TrafficCounters } from './traffic.js';
export { withReportedUsage } from './reported-usage.js';
export { readCustomMetric } from './query.js';
export { listMetricNames, type MetricName } from './points.js';
export type { CustomMetric, CustomSeries, Reading } from './custom.js';
