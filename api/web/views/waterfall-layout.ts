/**
 * The layout of a trace waterfall (issue 18): spans in tree order (each parent followed by its
 * children, siblings by start time), each with its depth and its bar's place on the trace's time
 * axis as shares of the whole trace. A span whose parent is not in the trace (a client's parent,
 * or a span lost to sampling) starts a tree of its own. Pure, so it is tested without a browser.
 */

export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string | null;
  /** Microseconds since the epoch. */
  startUs: number;
  durationMs: number;
}

export interface WaterfallRow<S extends WaterfallSpan> {
  span: S;
  depth: number;
  /** Where the bar starts, 0..1 of the trace's duration. */
  offset: number;
  /** How long the bar is, 0..1 of the trace's duration. */
  width: number;
}

export interface Waterfall<S extends WaterfallSpan> {
  rows: WaterfallRow<S>[];
  /** From the first span's start to the last span's end. */
  totalMs: number;
}

export function layoutWaterfall<S extends WaterfallSpan>(spans: readonly S[]): Waterfall<S> {
  if (spans.length === 0) return { rows: [], totalMs: 0 };
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationMs * 1000));
  const totalUs = Math.max(end - start, 1);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, S[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== null && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: WaterfallRow<S>[] = [];
  const placed = new Set<string>();
  const visit = (span: S, depth: number) => {
    if (placed.has(span.spanId)) return; // a cycle in bad data must not loop forever
    placed.add(span.spanId);
    rows.push({ span, depth, offset: (span.startUs - start) / totalUs, width: (span.durationMs * 1000) / totalUs });
    for (const child of byStart(children.get(span.spanId) ?? [])) visit(child, depth + 1);
  };
  for (const root of byStart(children.get(null) ?? [])) visit(root, 0);
  // Spans only reachable through a cycle: shown at the top level rather than dropped.
  for (const span of byStart(spans.filter((s) => !placed.has(s.spanId)))) visit(span, 0);
  return { rows, totalMs: totalUs / 1000 };
}

function byStart<S extends WaterfallSpan>(list: S[]): S[] {
  return [...list].sort((a, b) => a.startUs - b.startUs || b.durationMs - a.durationMs);
}
