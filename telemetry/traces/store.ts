/**
 * The span store in PostgreSQL (migration 026): writes batches into daily partitions, made on
 * the first write of a day, drops partitions past the retention whole (no row-by-row delete),
 * and answers the two questions of the trace views: one trace by id, and an app's entry spans in
 * a window, most recent or slowest first.
 */
import type { Sql } from '../../core/store/database.js';
import { acceptsStart, dayOf, expiredPartitions, partitionBounds, partitionName } from './partitions.js';
import { isoMicros, type SpanFields, type StoredSpan } from './span.js';

export interface TraceSummary {
  traceId: string;
  name: string;
  service: string;
  route: string | null;
  httpStatus: number | null;
  release: string | null;
  startedAt: string;
  durationMs: number;
  error: boolean;
}

export interface SpanView extends SpanFields {
  startedAt: string;
  /** Microseconds since the epoch, for exact offsets in a waterfall. */
  startUs: number;
  durationMs: number;
}

export interface ListOptions {
  sinceMs: number;
  slowest: boolean;
  limit: number;
}

/** Spans of one trace read at most (a waterfall of more is not readable anyway). */
const MAX_TRACE_SPANS = 5_000;

export class SpanStore {
  private readonly partitions = new Set<string>();

  constructor(private readonly sql: Sql, private readonly retentionDays: number, private readonly now: () => number = Date.now) {}

  /** Writes spans within the retention; returns how many were written. */
  async write(spans: StoredSpan[]): Promise<number> {
    const now = this.now();
    const kept = spans.filter((s) => acceptsStart(s.startUs / 1000, now, this.retentionDays));
    if (kept.length === 0) return 0;
    for (const day of new Set(kept.map((s) => dayOf(s.startUs / 1000)))) await this.ensurePartition(day);
    await this.sql`INSERT INTO spans SELECT * FROM json_populate_recordset(null::spans, (${JSON.stringify(kept.map(toRow))}::text)::json)`;
    return kept.length;
  }

  private async ensurePartition(day: number): Promise<void> {
    const name = partitionName(day);
    if (this.partitions.has(name)) return;
    const { from, to } = partitionBounds(day);
    try {
      await this.sql.unsafe(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF spans FOR VALUES FROM ('${from}') TO ('${to}')`);
    } catch (err) {
      // Another writer made it between our check and our create.
      if (!isDuplicate(err)) throw err;
    }
    this.partitions.add(name);
  }

  /** Drops the partitions past the retention; returns their names. */
  async dropExpired(): Promise<string[]> {
    const rows = await this.sql<Array<{ name: string }>>`
      SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'spans'`;
    const expired = expiredPartitions(rows.map((r) => r.name), this.now(), this.retentionDays);
    for (const name of expired) {
      await this.sql.unsafe(`DROP TABLE IF EXISTS ${name}`);
      this.partitions.delete(name);
    }
    return expired;
  }

  async listTraces(appId: number, options: ListOptions): Promise<TraceSummary[]> {
    const since = new Date(options.sinceMs).toISOString();
    const rows = options.slowest
      ? await this.sql<SummaryRow[]>`SELECT ${this.sql(SUMMARY_COLUMNS)} FROM spans
          WHERE app_id = ${appId} AND entry AND start_time >= ${since} ORDER BY duration_us DESC LIMIT ${options.limit}`
      : await this.sql<SummaryRow[]>`SELECT ${this.sql(SUMMARY_COLUMNS)} FROM spans
          WHERE app_id = ${appId} AND entry AND start_time >= ${since} ORDER BY start_time DESC LIMIT ${options.limit}`;
    // A trace continued from a client can have several entry spans; the list shows each trace once.
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.trace_id) && seen.add(r.trace_id)).map(toSummary);
  }

  async trace(appId: number, traceId: string): Promise<SpanView[]> {
    const rows = await this.sql<SpanRow[]>`
      SELECT trace_id, span_id, parent_span_id, name, kind, service, start_time, duration_us, status_code, http_status, route,
        release, attributes, events, (extract(epoch from start_time) * 1000000)::bigint AS start_us
      FROM spans WHERE trace_id = ${traceId} AND app_id = ${appId} ORDER BY start_time, duration_us DESC LIMIT ${MAX_TRACE_SPANS}`;
    return rows.map(toView);
  }
}

const SUMMARY_COLUMNS = ['trace_id', 'name', 'service', 'route', 'http_status', 'release', 'start_time', 'duration_us', 'status_code'];

interface SummaryRow {
  trace_id: string; name: string; service: string; route: string | null; http_status: number | null; release: string | null;
  start_time: Date; duration_us: string; status_code: number;
}

interface SpanRow extends SummaryRow {
  span_id: string; parent_span_id: string | null; kind: number; attributes: Record<string, unknown>; events: unknown[] | null; start_us: string;
}

function toSummary(r: SummaryRow): TraceSummary {
  return {
    traceId: r.trace_id, name: r.name, service: r.service, route: r.route, httpStatus: r.http_status, release: r.release,
    startedAt: r.start_time.toISOString(), durationMs: Number(r.duration_us) / 1000, error: r.status_code === 2,
  };
}

function toView(r: SpanRow): SpanView {
  return {
    traceId: r.trace_id, spanId: r.span_id, parentSpanId: r.parent_span_id, name: r.name, kind: r.kind, service: r.service,
    startedAt: r.start_time.toISOString(), startUs: Number(r.start_us), durationMs: Number(r.duration_us) / 1000,
    statusCode: r.status_code, httpStatus: r.http_status, route: r.route, release: r.release, attributes: r.attributes, events: r.events,
  };
}

/** A span as the columns of its row in `spans`, for json_populate_recordset (and the router bench's stand-in store). */
export function toRow(s: StoredSpan): Record<string, unknown> {
  return {
    app_id: s.appId, trace_id: s.traceId, span_id: s.spanId, parent_span_id: s.parentSpanId, entry: s.entry, name: s.name,
    kind: s.kind, service: s.service, start_time: isoMicros(s.startUs), duration_us: s.durationUs, status_code: s.statusCode,
    http_status: s.httpStatus, route: s.route, release: s.release, attributes: s.attributes, events: s.events, resource: s.resource,
  };
}

function isDuplicate(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === '42P07' || code === '23505';
}
