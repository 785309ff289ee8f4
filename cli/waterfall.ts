/**
 * A trace as a waterfall in the terminal: one line per span, indented under its parent, with a
 * bar placed on the trace's time line and its duration. Pure (spans in, lines out), so the layout
 * is table-tested. Spans whose parent is not in the trace (the caller's span, or one not sampled)
 * are drawn as roots.
 */

export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationMs: number;
  statusCode: number;
  httpStatus: number | null;
}

export interface WaterfallOptions {
  /** Columns of the bar. */
  width?: number;
  /** Columns of the label (indent, name, service); longer labels are cut. */
  labelWidth?: number;
}

interface Placed {
  span: WaterfallSpan;
  depth: number;
}

/** Depth-first, children in start order. */
export function orderSpans(spans: WaterfallSpan[]): Placed[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, WaterfallSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== null && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const out: Placed[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.startUs - b.startUs || b.durationMs - a.durationMs);
    for (const span of list) {
      if (seen.has(span.spanId)) continue; // a cycle of parents in hostile input
      seen.add(span.spanId);
      out.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** The bar of a span on a time line of `width` columns: at least one column, never past the end. */
export function bar(startUs: number, durationMs: number, originUs: number, totalUs: number, width: number): string {
  const scale = totalUs > 0 ? width / totalUs : 0;
  const from = Math.min(width - 1, Math.max(0, Math.floor((startUs - originUs) * scale)));
  const length = Math.max(1, Math.min(width - from, Math.round(durationMs * 1000 * scale)));
  return `${' '.repeat(from)}${'█'.repeat(length)}${' '.repeat(width - from - length)}`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

export function renderWaterfall(spans: WaterfallSpan[], options: WaterfallOptions = {}): string[] {
  if (spans.length === 0) return [];
  const width = options.width ?? 40;
  const labelWidth = options.labelWidth ?? 48;
  const origin = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationMs * 1000));
  return orderSpans(spans).map(({ span, depth }) => {
    const label = cut(`${'  '.repeat(depth)}${span.name} (${span.service})`, labelWidth);
    const status = span.httpStatus === null ? '' : ` ${span.httpStatus}`;
    const error = span.statusCode === 2 ? ' error' : '';
    return `${label} |${bar(span.startUs, span.durationMs, origin, end - origin, width)}| ${formatDuration(span.durationMs).padStart(9)}${status}${error}`;
  });
}

/** A deployment as `GET /deployments/{id}` shows it, with its phase timings (issue 15). */
export interface DeploymentTiming {
  id: number;
  app: string;
  state: string;
  releaseVersion: number | null;
  phases: Array<{ phase: string; startedAt: string; ms: number }>;
}

/**
 * A deployment as one trace (issue 18, "Deploy traces"): a root span from its first phase's start
 * to its last phase's end, and a child per phase: the scheduler's, and the router's first request
 * on the new release once one was served. Empty when no phase was timed.
 */
export function deploymentSpans(deployment: DeploymentTiming): WaterfallSpan[] {
  if (deployment.phases.length === 0) return [];
  const phases = deployment.phases.map((p) => ({ ...p, startUs: Date.parse(p.startedAt) * 1000 }));
  const start = Math.min(...phases.map((p) => p.startUs));
  const end = Math.max(...phases.map((p) => p.startUs + p.ms * 1000));
  const root = `deployment-${deployment.id}`;
  const release = deployment.releaseVersion === null ? '' : ` → v${deployment.releaseVersion}`;
  return [
    {
      spanId: root, parentSpanId: null, name: `deploy ${deployment.app} #${deployment.id}${release}`, service: deployment.state,
      startUs: start, durationMs: (end - start) / 1000, statusCode: deployment.state === 'failed' ? 2 : 0, httpStatus: null,
    },
    ...phases.map((p) => ({
      spanId: `${root}-${p.phase}`, parentSpanId: root, name: p.phase, service: p.phase === 'first-request' ? 'router' : 'scheduler', startUs: p.startUs, durationMs: p.ms, statusCode: 0, httpStatus: null,
    })),
  ];
}
