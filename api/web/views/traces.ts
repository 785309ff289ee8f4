/// <reference lib="dom" />
/**
 * Traces (issue 18, GET /apps/{app}/traces and /traces/{id}): the requests of the last hour,
 * newest or slowest first, refreshed every 5 seconds; a trace opens as a waterfall
 * (#/apps/<app>/traces/<trace-id>): each span a bar on the trace's time axis, nested under its
 * parent (waterfall-layout.ts), its attributes and events shown when the span is clicked.
 */
import { api } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, every, titledCard, type Panel } from './panel.js';
import { layoutWaterfall } from './waterfall-layout.js';

interface TraceSummary {
  traceId: string; name: string; service: string; route: string | null; httpStatus: number | null;
  release: string | null; startedAt: string; durationMs: number; error: boolean;
}
interface Span {
  traceId: string; spanId: string; parentSpanId: string | null; name: string; kind: number; service: string;
  startedAt: string; startUs: number; durationMs: number; statusCode: number; httpStatus: number | null;
  route: string | null; release: string | null; attributes: Record<string, unknown>; events: unknown[] | null;
}

const ms = (n: number) => (n >= 100 ? `${Math.round(n)} ms` : `${Math.round(n * 100) / 100} ms`);

export function tracesPanel(root: HTMLElement, app: string, path: string[] = []): Panel {
  if (path[0]) return waterfallPanel(root, app, path[0]);
  const order = h('select', { name: 'trace-order', 'aria-label': 'order', onchange: () => void draw() },
    h('option', { value: 'newest' }, 'newest first'), h('option', { value: 'slowest' }, 'slowest first'));
  const body = h('tbody');
  const card = titledCard('Traces (last hour)', order,
    h('table', {}, h('thead', {}, h('tr', {}, ...['Started', 'Request', 'Status', 'Release', 'Duration'].map((t) => h('th', {}, t)))), body));
  replace(root, card);
  const draw = () => attempt(card, async () => {
    const traces = await api<TraceSummary[]>('GET', `/apps/${app}/traces?since=1h&limit=100${order.value === 'slowest' ? '&slowest=true' : ''}`);
    if (traces.length === 0) {
      replace(body, h('tr', {}, h('td', { colspan: 5, className: 'muted' }, 'No traces yet: requests through the router appear here.')));
      return;
    }
    replace(body, ...traces.map((t) => h('tr', {
      className: 'clickable', 'data-trace': t.traceId,
      onclick: () => (location.hash = `#/apps/${app}/traces/${t.traceId}`),
    },
    h('td', { className: 'muted', title: t.startedAt }, ago(t.startedAt)),
    h('td', {}, h('a', { href: `#/apps/${app}/traces/${t.traceId}`, className: 'mono' }, t.name)),
    h('td', {}, t.httpStatus === null ? '' : badge(String(t.httpStatus)), t.error ? ' ' : '', t.error ? badge('error') : null),
    h('td', {}, t.release ?? ''),
    h('td', { 'data-duration': t.durationMs }, ms(t.durationMs)))));
  });
  return { dispose: every(5_000, draw) };
}

function waterfallPanel(root: HTMLElement, app: string, traceId: string): Panel {
  const rows = h('div', { 'data-testid': 'waterfall' });
  const detail = h('div', { 'data-testid': 'span-detail' });
  const card = h('div', { className: 'card' },
    h('p', {}, h('a', { href: `#/apps/${app}/traces` }, '← all traces')),
    h('h2', {}, 'Trace ', h('span', { className: 'mono' }, traceId)), rows, detail);
  replace(root, card);
  void attempt(card, async () => {
    const { spans } = await api<{ spans: Span[] }>('GET', `/apps/${app}/traces/${encodeURIComponent(traceId)}`);
    if (spans.length === 0) throw new Error('this trace has no spans (it may be past the retention)');
    const layout = layoutWaterfall(spans);
    replace(rows, h('div', { className: 'muted', style: 'font-size:12px;margin-bottom:6px' }, `${spans.length} spans · ${ms(layout.totalMs)}`),
      ...layout.rows.map(({ span, depth, offset, width }) => h('div', {
        className: 'clickable', 'data-span': span.spanId, 'data-depth': depth,
        style: 'display:grid;grid-template-columns:320px 1fr 72px;gap:8px;align-items:center;padding:3px 0;border-bottom:1px solid var(--line);cursor:pointer',
        onclick: () => showSpan(detail, span),
      },
      h('div', { style: `padding-left:${depth * 16}px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis` },
        h('span', { className: 'mono' }, span.name), ' ', h('span', { className: 'muted' }, span.service)),
      h('div', { style: 'position:relative;height:16px' },
        h('div', {
          className: 'bar',
          style: `position:absolute;left:${(offset * 100).toFixed(2)}%;width:max(2px,${(width * 100).toFixed(2)}%);top:2px;height:12px;border-radius:3px;`
            + `background:${span.statusCode === 2 ? 'var(--bad)' : 'var(--accent)'}`,
        })),
      h('div', { className: 'muted', style: 'font-size:12px;text-align:right' }, ms(span.durationMs)))));
  });
  return {};
}

function showSpan(detail: HTMLElement, span: Span): void {
  const fields: Array<[string, unknown]> = [
    ['span', span.spanId], ['parent', span.parentSpanId ?? '(root)'], ['service', span.service], ['started', span.startedAt],
    ['duration', ms(span.durationMs)], ['status', span.statusCode === 2 ? 'error' : 'ok'], ['release', span.release],
    ...Object.entries(span.attributes),
  ];
  replace(detail, h('div', { className: 'card', style: 'margin-top:12px;background:#f9fafb' },
    h('h2', {}, span.name),
    h('table', { 'data-testid': 'span-attributes' }, h('tbody', {}, ...fields.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) =>
      h('tr', { 'data-attribute': k }, h('th', { style: 'text-transform:none' }, k), h('td', { className: 'mono' }, typeof v === 'string' ? v : JSON.stringify(v)))))),
    span.events && span.events.length > 0 ? h('pre', { className: 'log' }, JSON.stringify(span.events, null, 2)) : null));
}
