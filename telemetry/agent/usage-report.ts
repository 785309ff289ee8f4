/**
 * CPU and memory of the agent's own container, reported by the task itself (issue 18,
 * "Metrics": CPU and memory per instance). Why: on the swarm runtime DevFlow's engine (the
 * manager's) cannot read the containers of tasks on other nodes, but every task can read its own
 * cgroup. So the Node agent reads the cgroup v2 files its container sees at /sys/fs/cgroup
 * (Linux cgroup-v2.rst: `cpu.stat` usage_usec, `memory.current`, `memory.stat` inactive_file)
 * every REPORT_EVERY_MS, and sends them as two OTLP metrics (OpenTelemetry semantic conventions:
 * `container.cpu.time` in seconds, a cumulative sum; `container.memory.usage` in bytes, a gauge)
 * to DevFlow's own OTLP receiver with the app's ingest token, like its spans. Engines on cgroup
 * v1 (this project's test machines among them) mount the container's own `cpuacct` and `memory`
 * directories instead (cgroup-v1/cpuacct.rst, memory.rst), which are read the same way. Telemetry reads the
 * newest of them per instance (metrics/reported-usage.ts) the same way for every node.
 *
 * Memory is computed as `docker stats` does (usage less inactive page cache), so a task's
 * figure agrees with the engine's for the same container. Only where DevFlow asks for it
 * (DEVFLOW_REPORT_USAGE=1, telemetry/env.ts: swarm tasks) and inside a container (/.dockerenv):
 * elsewhere the cgroup a process sees is not its own (a host, or DevFlow's own container).
 */
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export const REPORT_EVERY_MS = 15_000;
export const CPU_METRIC = 'container.cpu.time';
export const MEMORY_METRIC = 'container.memory.usage';
const CGROUP = '/sys/fs/cgroup';

export interface CgroupUsage {
  /** CPU time the cgroup used since it was made, nanoseconds. */
  cpuNs: number;
  memoryBytes: number;
}

function statField(text: string, key: string): number | undefined {
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** The figures from the three files' contents; null when they are not cgroup v2's. */
export function parseCgroupUsage(cpuStat: string, memoryCurrent: string, memoryStat: string): CgroupUsage | null {
  const usageUs = statField(cpuStat, 'usage_usec');
  const current = /^\d+$/.test(memoryCurrent.trim()) ? Number(memoryCurrent.trim()) : undefined;
  if (usageUs === undefined || current === undefined) return null;
  const inactive = statField(memoryStat, 'inactive_file') ?? 0;
  return { cpuNs: usageUs * 1000, memoryBytes: inactive < current ? current - inactive : current };
}

/** The figures from cgroup v1's `cpuacct.usage`, `memory.usage_in_bytes` and `memory.stat`. */
export function parseCgroupV1Usage(cpuacctUsage: string, usageInBytes: string, memoryStat: string): CgroupUsage | null {
  const cpu = cpuacctUsage.trim();
  const usage = usageInBytes.trim();
  if (!/^\d+$/.test(cpu) || !/^\d+$/.test(usage)) return null;
  const current = Number(usage);
  // The docker CLI subtracts total_inactive_file on v1 (the cgroup and its children).
  const inactive = statField(memoryStat, 'total_inactive_file') ?? statField(memoryStat, 'inactive_file') ?? 0;
  return { cpuNs: Number(cpu), memoryBytes: inactive < current ? current - inactive : current };
}

/** `k=v,k=v` (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS: values percent-encoded). */
export function parseKeyValues(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // A value that is not valid percent-encoding is left out, as the SDK does.
    }
  }
  return out;
}

/** The OTLP/JSON body (ExportMetricsServiceRequest) of one reading. */
export function usageMetricsBody(usage: CgroupUsage, resource: Record<string, string>, startMs: number, nowMs: number): unknown {
  const time = `${BigInt(Math.round(nowMs)) * 1_000_000n}`;
  const start = `${BigInt(Math.round(startMs)) * 1_000_000n}`;
  return {
    resourceMetrics: [{
      resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
      scopeMetrics: [{
        scope: { name: 'devflow-agent' },
        metrics: [
          // AGGREGATION_TEMPORALITY_CUMULATIVE (2), monotonic: CPU time only grows.
          { name: CPU_METRIC, unit: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: start, timeUnixNano: time, asDouble: usage.cpuNs / 1e9 }] } },
          { name: MEMORY_METRIC, unit: 'By', gauge: { dataPoints: [{ timeUnixNano: time, asInt: String(usage.memoryBytes) }] } },
        ],
      }],
    }],
  };
}

/** The figures of the cgroup this process is in, as its container sees it; null without cgroup v2 files. */
export function readOwnCgroup(): CgroupUsage | null {
  const read = (file: string): string => readFileSync(`${CGROUP}/${file}`, 'utf8');
  try {
    if (existsSync(`${CGROUP}/memory.current`)) return parseCgroupUsage(read('cpu.stat'), read('memory.current'), read('memory.stat'));
    return parseCgroupV1Usage(read('cpuacct/cpuacct.usage'), read('memory/memory.usage_in_bytes'), read('memory/memory.stat'));
  } catch {
    return null; // files hidden or of another layout: no reports
  }
}

/**
 * Starts the reports when inside a container with cgroup v2 files and an OTLP endpoint.
 * `send` runs its request untraced (the agent's http instrumentation would trace it otherwise).
 */
export function startUsageReports(env: NodeJS.ProcessEnv, untraced: (fn: () => void) => void): void {
  const endpoint = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/metrics`);
  if (env.DEVFLOW_REPORT_USAGE !== '1' || endpoint === undefined || !existsSync('/.dockerenv') || readOwnCgroup() === null) return;
  const headers = { ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS), 'content-type': 'application/json' };
  const resource = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES);
  if (env.OTEL_SERVICE_NAME !== undefined) resource['service.name'] = env.OTEL_SERVICE_NAME;
  const startMs = Date.now();
  const report = (): void => {
    const usage = readOwnCgroup();
    if (usage === null) return;
    const body = JSON.stringify(usageMetricsBody(usage, resource, startMs, Date.now()));
    untraced(() => {
      const url = new URL(endpoint);
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, timeout: 5_000 }, (res) => res.resume());
      // Telemetry never takes an app down: a refused or slow receiver costs one lost reading.
      request.on('error', () => undefined);
      request.on('timeout', () => request.destroy());
      request.end(body);
    });
  };
  report();
  setInterval(report, REPORT_EVERY_MS).unref();
}
