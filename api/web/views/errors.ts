/// <reference lib="dom" />
/**
 * Error groups (issue 18, GET /apps/{app}/errors): exceptions grouped by fingerprint, most
 * recently seen first, with their count, first and last seen, releases, the sample stack, and a
 * link to a sample trace (a failed request near the last occurrence) when one was kept.
 * Refreshed every 10 seconds.
 */
import { api } from '../client.js';
import { ago, h, replace } from '../dom.js';
import { attempt, every, rangePicker, titledCard, type Panel } from './panel.js';

interface ErrorGroup {
  id: number; type: string; message: string; count: number; firstSeen: string; lastSeen: string;
  firstRelease: number | null; lastRelease: number | null; sampleStack: string; sampleTraceId?: string | null;
}

const releases = (g: ErrorGroup) => g.firstRelease === null ? '' : g.lastRelease === g.firstRelease ? `v${g.firstRelease}` : `v${g.firstRelease}..v${g.lastRelease}`;

export function errorsPanel(root: HTMLElement, app: string): Panel {
  const range = rangePicker('errors-range', ['1h', '24h', '7d', '30d'], '7d', (r) => `seen in the last ${r}`, () => void draw());
  const list = h('div', {});
  const card = titledCard('Errors', range, list);
  replace(root, card);
  const draw = () => attempt(card, async () => {
    const groups = await api<ErrorGroup[]>('GET', `/apps/${app}/errors?since=${range.value}`);
    if (groups.length === 0) {
      replace(list, h('p', { className: 'muted' }, 'No exceptions in this range.'));
      return;
    }
    replace(list, h('table', {}, h('thead', {}, h('tr', {}, ...['Exception', 'Count', 'First seen', 'Last seen', 'Releases', 'Trace'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...groups.map((g) => h('tr', { 'data-error-group': g.id },
        h('td', {}, h('details', {}, h('summary', {}, h('strong', {}, g.type), ': ', g.message), h('pre', { className: 'log' }, g.sampleStack))),
        h('td', { 'data-count': g.count }, String(g.count)),
        h('td', { className: 'muted', title: g.firstSeen }, ago(g.firstSeen)),
        h('td', { className: 'muted', title: g.lastSeen, 'data-last-seen': g.lastSeen }, ago(g.lastSeen)),
        h('td', {}, releases(g)),
        h('td', {}, g.sampleTraceId ? h('a', { href: `#/apps/${app}/traces/${g.sampleTraceId}`, 'data-sample-trace': g.sampleTraceId }, 'sample trace') : h('span', { className: 'muted' }, '—')))))));
  });
  return { dispose: every(10_000, draw) };
}
