/** metrics: an app's request rate, latency percentiles and status classes per process type (issue 18). */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface Summary {
  requests: number; requestsPerMinute: number; status: Record<string, number>; rate5xx?: number;
  p50Ms?: number; p95Ms?: number; p99Ms?: number; cpuPercent?: number; memoryMb?: number; restarts?: number;
}
interface InstanceUsage { instance: string; processType: string; at: string; cpuPercent: number | null; memoryMb: number | null }
interface MetricsView {
  resolution: string; since: string; until: string; processes: Array<{ processType: string; summary: Summary }>;
  instances?: InstanceUsage[];
  database?: Array<{ at: string; connections: number; sizeBytes: number; cacheHitRatio: number | null }>;
}

const num = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? '-' : `${v.toFixed(digits)}${unit}`);

export function formatMetrics(app: string, m: MetricsView): string {
  if (m.processes.length === 0 && (m.instances ?? []).length === 0 && (m.database ?? []).length === 0) return `no metrics for ${app} between ${m.since} and ${m.until} (the router counts requests; rows appear a minute after traffic)`;
  const lines = [`${app}  ${m.since} .. ${m.until}  (${m.resolution} rows)`];
  for (const p of m.processes) {
    const s = p.summary;
    lines.push(
      `${p.processType}: ${s.requests} requests (${num(s.requestsPerMinute, '/min', 1)}), p50 ${num(s.p50Ms, 'ms')}, p95 ${num(s.p95Ms, 'ms')}, p99 ${num(s.p99Ms, 'ms')}, 5xx ${num(s.rate5xx, '%', 1)}`,
      `  status ${Object.entries(s.status).map(([cls, n]) => `${cls} ${n}`).join(', ')}${s.cpuPercent === undefined ? '' : `; cpu ${num(s.cpuPercent, '%', 1)}, memory ${num(s.memoryMb, 'MB')}`}${s.restarts ? `; ${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : ''}`,
    );
  }
  for (const i of m.instances ?? []) {
    lines.push(`  ${i.instance}: cpu ${num(i.cpuPercent ?? undefined, '%', 1)}, memory ${num(i.memoryMb ?? undefined, 'MB')} (at ${i.at})`);
  }
  const db = m.database?.at(-1);
  if (db) {
    lines.push(`database: ${num(db.connections, ' connections', Number.isInteger(db.connections) ? 0 : 1)}, ${num(db.sizeBytes / 1_048_576, ' MB', 1)}, cache hit ${num(db.cacheHitRatio === null ? undefined : db.cacheHitRatio * 100, '%', 1)} (at ${db.at})`);
  }
  return lines.join('\n');
}

export async function showMetrics({ app, opts }: CommandInput<OutputOptions & { since?: string; until?: string }>): Promise<void> {
  const query = new URLSearchParams({ since: opts.since ?? '1h' });
  if (opts.until) query.set('until', opts.until);
  const metrics = await createClient(process.env).request<MetricsView>('GET', `/apps/${encodeURIComponent(app)}/metrics?${query}`);
  print(opts, metrics, () => formatMetrics(app, metrics));
}
