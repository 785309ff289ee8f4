/**
 * OTLP log records (opentelemetry-proto logs/v1 LogRecord, OTLP/HTTP `/v1/logs`) as lines of the
 * app's runtime log, so `devflow logs --query` finds them beside stdout and stderr. Each record
 * becomes one JSON line: `level` (severity text, else the name of its severity number's range),
 * `msg` (a string body; a map body's keys join the line instead), the record's attributes, and
 * `trace_id`/`span_id` when it has them. The store parses JSON lines into fields
 * (migration 029), so `level:error trace_id:…` works on them. Pure.
 */
import type { NewLogLine } from '../../core/store/runtime-logs.js';
import { attributeMap, base64Id, hexId, list, obj, type DecodedRequest } from './decode.js';

/** OpenTelemetry's SeverityNumber ranges (Logs Data Model, "Field: SeverityNumber"), four numbers each. */
const SEVERITY_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Instance and process type when the resource does not name them (an app's own SDK outside DevFlow's variables). */
const UNNAMED = 'otlp';

export function severityName(text: unknown, number: unknown): string | undefined {
  if (typeof text === 'string' && text !== '') return text.toLowerCase();
  const n = Number(number ?? 0);
  return Number.isInteger(n) && n >= 1 && n <= 24 ? SEVERITY_NAMES[Math.floor((n - 1) / 4)] : undefined;
}

/** `v12` (DevFlow's service.version) as 12; 0 when the resource names no DevFlow release. */
export function releaseNumber(version: unknown): number {
  const match = typeof version === 'string' ? /^v(\d{1,9})$/.exec(version) : null;
  return match ? Number(match[1]) : 0;
}

/** An OTLP `…UnixNano` time as a Date; undefined when absent or zero (unset). */
export function nanosToDate(value: unknown): Date | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text) || /^0+$/.test(text)) return undefined;
  return new Date(Number(BigInt(text) / 1_000_000n));
}

export function logLinesOf(request: DecodedRequest, appId: number, now: Date): NewLogLine[] {
  const idOf = request.format === 'json' ? hexId : base64Id;
  const lines: NewLogLine[] = [];
  for (const resourceLogs of list(request.body.resourceLogs, 'resourceLogs')) {
    const resource = attributeMap(obj(obj(resourceLogs).resource).attributes);
    const instance = typeof resource['service.instance.id'] === 'string' ? resource['service.instance.id'] : UNNAMED;
    const processType = typeof resource['devflow.process.type'] === 'string' ? resource['devflow.process.type'] : UNNAMED;
    const release = releaseNumber(resource['service.version']);
    for (const scopeLogs of list(obj(resourceLogs).scopeLogs, 'scopeLogs')) {
      for (const raw of list(obj(scopeLogs).logRecords, 'logRecords')) {
        const record = obj(raw);
        const at = nanosToDate(record.timeUnixNano) ?? nanosToDate(record.observedTimeUnixNano) ?? now;
        lines.push({ appId, instance, processType, release, at, line: JSON.stringify(fieldsOf(record, idOf)) });
      }
    }
  }
  return lines;
}

function fieldsOf(record: Record<string, unknown>, idOf: typeof hexId): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const level = severityName(record.severityText, record.severityNumber);
  if (level !== undefined) fields.level = level;
  const body = attributeMap([{ key: 'body', value: record.body }]).body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) Object.assign(fields, body);
  else if (body !== null && body !== undefined) fields.msg = typeof body === 'string' ? body : JSON.stringify(body);
  Object.assign(fields, attributeMap(record.attributes));
  if (typeof record.traceId === 'string' && record.traceId !== '') fields.trace_id = idOf(record.traceId, 16, 'traceId');
  if (typeof record.spanId === 'string' && record.spanId !== '') fields.span_id = idOf(record.spanId, 8, 'spanId');
  return fields;
}
