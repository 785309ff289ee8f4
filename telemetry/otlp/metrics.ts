/**
 * OTLP metric data points (opentelemetry-proto metrics/v1, OTLP/HTTP `/v1/metrics`) as rows of
 * the metrics store (app_metric_points, migration 054): one row per point, named by its metric,
 * with the point's attributes and the instance that sent it. Gauges and sums keep their value
 * (asDouble or asInt); histograms, exponential histograms and summaries keep count and sum,
 * enough for rates and means. Sums and histograms keep their temporality (cumulative or delta)
 * and sums whether they only go up, which decide how they are read back (metrics/custom.ts). Pure.
 */
import { attributeMap, list, obj, type DecodedRequest } from './decode.js';

export type PointKind = 'gauge' | 'sum' | 'histogram' | 'summary' | 'exponential_histogram';
export type Temporality = 'cumulative' | 'delta';

export interface MetricPoint {
  appId: number;
  name: string;
  kind: PointKind;
  unit: string;
  attributes: Record<string, unknown>;
  at: Date;
  value: number | null;
  count: number | null;
  /** Sums and histograms: how their values add up over time; null when not said (gauges, summaries). */
  temporality?: Temporality | null;
  /** Sums: whether the value only goes up (a counter) or also down (an up-down counter). */
  monotonic?: boolean | null;
}

const KINDS: ReadonlyArray<[string, PointKind]> = [
  ['gauge', 'gauge'], ['sum', 'sum'], ['histogram', 'histogram'], ['exponentialHistogram', 'exponential_histogram'], ['summary', 'summary'],
];

/** Resource attributes copied onto each point: which instance, process type and release sent it. */
const RESOURCE_KEYS = ['service.instance.id', 'devflow.process.type', 'service.version'];

function numberOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** AggregationTemporality: 1 delta, 2 cumulative (numbers in protobuf and OTLP/JSON; some senders spell the enum). */
function temporalityOf(value: unknown): Temporality | null {
  if (value === 1 || value === 'AGGREGATION_TEMPORALITY_DELTA') return 'delta';
  if (value === 2 || value === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  return null;
}

function timeOf(point: Record<string, unknown>, now: Date): Date {
  const nanos = String(point.timeUnixNano ?? '');
  return /^\d{1,20}$/.test(nanos) && !/^0+$/.test(nanos) ? new Date(Number(BigInt(nanos) / 1_000_000n)) : now;
}

export function metricPointsOf(request: DecodedRequest, appId: number, now: Date): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const resourceMetrics of list(request.body.resourceMetrics, 'resourceMetrics')) {
    const resource = attributeMap(obj(obj(resourceMetrics).resource).attributes);
    const fromResource = Object.fromEntries(RESOURCE_KEYS.filter((k) => resource[k] !== undefined).map((k) => [k, resource[k]]));
    for (const scopeMetrics of list(obj(resourceMetrics).scopeMetrics, 'scopeMetrics')) {
      for (const raw of list(obj(scopeMetrics).metrics, 'metrics')) {
        const metric = obj(raw);
        const found = KINDS.find(([field]) => field in metric);
        if (found === undefined || typeof metric.name !== 'string' || metric.name === '') continue;
        const [field, kind] = found;
        const data = obj(metric[field]);
        const temporality = temporalityOf(data.aggregationTemporality);
        // proto3 leaves false out (and so may OTLP/JSON): a sum without isMonotonic is an up-down counter.
        const monotonic = kind === 'sum' ? data.isMonotonic === true : null;
        for (const rawPoint of list(data.dataPoints, 'dataPoints')) {
          const point = obj(rawPoint);
          const single = kind === 'gauge' || kind === 'sum';
          points.push({
            appId, name: metric.name, kind, unit: typeof metric.unit === 'string' ? metric.unit : '',
            attributes: { ...fromResource, ...attributeMap(point.attributes) },
            at: timeOf(point, now),
            value: single ? numberOf(point.asDouble ?? point.asInt) : numberOf(point.sum),
            count: single ? null : numberOf(point.count),
            temporality, monotonic,
          });
        }
      }
    }
  }
  return points;
}
