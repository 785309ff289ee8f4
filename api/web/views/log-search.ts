/// <reference lib="dom" />
/**
 * Log search (issue 18, GET /apps/{app}/logs?query=&since=&until=): the query language of
 * `devflow logs --query` (terms, "phrases", field:value, status>=500, -negation, OR) over a time
 * range. A bad query shows the API's message, which names the column. "Live" repeats the search
 * every 5 seconds.
 */
import { api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, every, type Panel } from './panel.js';

interface FoundLine { id: number; at: string; process: string; instance: string; release: number | null; line: string; fields: Record<string, unknown> | null }

export function logSearchPanel(root: HTMLElement, app: string): Panel {
  const query = h('input', { name: 'log-query', placeholder: 'level:error status>=500 "timeout"', 'aria-label': 'query', style: 'flex:1;min-width:280px' });
  const since = h('input', { name: 'log-since', value: '1h', 'aria-label': 'since', title: 'a duration back from now (15m, 2h, 7d) or an ISO time', style: 'width:90px' });
  const until = h('input', { name: 'log-until', placeholder: 'now', 'aria-label': 'until', title: 'a duration back from now or an ISO time', style: 'width:90px' });
  const live = h('input', { type: 'checkbox', name: 'log-live', onchange: () => (live.checked ? startLive() : stopLive()) });
  const count = h('span', { className: 'muted', 'data-testid': 'log-count' });
  const body = h('tbody');
  const card = h('div', { className: 'card' });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void search();
  } }, query, h('label', {}, 'since ', since), h('label', {}, 'until ', until),
  h('button', { className: 'primary', type: 'submit', name: 'log-search' }, 'Search'), h('label', {}, live, ' live'));
  replace(root, card);
  replace(card, h('h2', {}, 'Log search'), form, h('p', {}, count),
    h('table', { 'data-testid': 'log-results' }, h('thead', {}, h('tr', {}, ...['Time', 'Process', 'Line'].map((t) => h('th', {}, t)))), body));
  const search = () => attempt(card, async () => {
    const params = new URLSearchParams({ format: 'json', lines: '500' });
    if (query.value.trim()) params.set('query', query.value.trim());
    if (since.value.trim()) params.set('since', since.value.trim());
    if (until.value.trim()) params.set('until', until.value.trim());
    const lines = await api<FoundLine[]>('GET', `/apps/${app}/logs?${params}`);
    count.textContent = `${lines.length} line${lines.length === 1 ? '' : 's'}${lines.length === 500 ? ' (the newest 500)' : ''}`;
    replace(body, ...[...lines].reverse().map((l) => h('tr', { 'data-log-line': l.id },
      h('td', { className: 'muted mono', style: 'white-space:nowrap', title: l.at }, new Date(l.at).toISOString().replace('T', ' ').slice(0, 23)),
      h('td', { className: 'mono' }, l.process),
      h('td', { className: 'mono', style: 'white-space:pre-wrap;word-break:break-all' }, l.line))));
  });
  let stop: (() => void) | undefined;
  const startLive = () => (stop = every(5_000, search));
  const stopLive = () => {
    stop?.();
    stop = undefined;
  };
  void search();
  return { dispose: stopLive };
}
