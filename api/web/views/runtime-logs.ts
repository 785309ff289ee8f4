/// <reference lib="dom" />
/** Runtime logs: the recent history from the store, then a live tail of new lines. */
import { api, streamLines } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface LogLine { id: number; at: string; process: string; instance: string; line: string }

const format = (l: LogLine) => `${new Date(l.at).toISOString().slice(11, 23)} ${l.process}: ${l.line}`;
const MAX_SHOWN = 2000;

export function runtimeLogsPanel(root: HTMLElement, app: string): Panel {
  const log = h('pre', { className: 'log', 'data-testid': 'runtime-log', style: 'max-height:520px' });
  const status = h('span', { className: 'live off' }, '○ connecting');
  const card = h('div', { className: 'card' }, h('div', { style: 'display:flex;justify-content:space-between' }, h('h2', {}, 'Runtime logs'), status), log);
  replace(root, card);
  const controller = new AbortController();
  const add = (l: LogLine) => {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(`${log.textContent ? '\n' : ''}${format(l)}`);
    if (log.childNodes.length > MAX_SHOWN) log.firstChild?.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  };
  void attempt(card, async () => {
    const recent = await api<LogLine[]>('GET', `/apps/${app}/logs?format=json&lines=300`);
    recent.forEach(add);
    if (recent.length === 0) log.textContent = '';
    status.className = 'live';
    status.textContent = '● tailing';
    await streamLines(`/apps/${app}/logs?format=json&follow=true&lines=0`, (line) => line && add(JSON.parse(line) as LogLine), controller.signal)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) throw err;
      });
  });
  return { dispose: () => controller.abort() };
}
