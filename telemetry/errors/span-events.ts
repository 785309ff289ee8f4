/**
 * Exceptions sent as OpenTelemetry span events (issue 18, error grouping). The OpenTelemetry
 * semantic conventions ("Semantic conventions for exceptions on spans") record an exception as a
 * span event named `exception` with `exception.type`, `exception.message` and
 * `exception.stacktrace` (at least one of type and message); an SDK's `span.recordException`
 * writes it. Each becomes one occurrence for the error groups (store.ts), with the span's trace
 * as its sample. Pure: stored spans in, occurrences out.
 */
import { nanosToDate, releaseNumber } from '../otlp/logs.js';
import type { StoredSpan } from '../traces/span.js';
import type { RecordedException } from './store.js';

type SpanWithEvents = Pick<StoredSpan, 'appId' | 'traceId' | 'startUs' | 'release' | 'events'>;

export function exceptionsOfSpans(spans: readonly SpanWithEvents[]): RecordedException[] {
  const found: RecordedException[] = [];
  for (const span of spans) {
    for (const raw of span.events ?? []) {
      const event = raw as { name?: unknown; timeUnixNano?: unknown; attributes?: Record<string, unknown> };
      if (event.name !== 'exception') continue;
      const attributes = event.attributes ?? {};
      const type = text(attributes['exception.type']);
      const message = text(attributes['exception.message']);
      if (type === '' && message === '') continue; // the conventions require one of them
      const stack = text(attributes['exception.stacktrace']);
      found.push({
        app: span.appId,
        // A release of 0 means none named (releaseNumber's answer for a resource without one).
        release: releaseNumber(span.release) || null,
        type: type || 'Error',
        message,
        // Without a stack trace the group is the type alone; the sample still shows the message.
        stack: stack || `${type || 'Error'}: ${message}`,
        at: nanosToDate(event.timeUnixNano) ?? new Date(span.startUs / 1000),
        traceId: span.traceId,
      });
    }
  }
  return found;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

