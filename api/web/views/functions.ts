/// <reference lib="dom" />
/**
 * The studio's Functions tab (issue 17): the app backend's Edge Functions with their live
 * version and counters, and a function's newest log lines (its output per invocation and one
 * line per invocation), from DevFlow's API (GET /apps/{app}/functions and …/{name}/logs, the
 * same calls as `devflow functions` and `devflow functions:logs`).
 */
import { ApiError, api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface FunctionView { name: string; version: number; verifyJwt: boolean; invocations: number; errors: number; deployedAt: string }
interface LogLine { at: string; version: number; invocation: string | null; stream: string; line: string }

const LINES = 200;

function logsView(app: string, name: string): HTMLElement {
  const root = h('section', { 'data-testid': 'function-logs' });
  const draw = async (): Promise<void> => {
    const lines = await api<LogLine[]>('GET', `/apps/${app}/functions/${encodeURIComponent(name)}/logs?lines=${LINES}`);
    replace(root, h('h3', {}, `Logs of ${name} `, h('button', { onclick: () => void attempt(root, draw) }, 'Refresh')),
      lines.length === 0 ? h('p', { className: 'muted' }, 'No log lines yet: invoke the function.')
        : h('pre', { className: 'logs mono' }, ...lines.map((l) => h('div', { className: l.stream === 'stderr' ? 'stderr' : '', 'data-stream': l.stream },
          `${l.at.slice(11, 19)} v${l.version} ${l.stream.padEnd(6)} ${l.line}`))));
  };
  void attempt(root, draw);
  return root;
}

export function functionsPanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const logs = h('div', {});
  void attempt(card, async () => {
    let functions: FunctionView[];
    try {
      functions = await api<FunctionView[]>('GET', `/apps/${app}/functions`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      replace(card, h('h2', {}, 'Functions'), h('p', { className: 'muted' }, 'Enable the backend (Backend tab) to deploy Edge Functions.'));
      return;
    }
    const list = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Function'), h('th', {}, 'Version'), h('th', {}, 'Invocations'), h('th', {}, 'Errors'), h('th', {}, 'JWT'), h('th', {}, 'Deployed'))),
      h('tbody', {}, ...functions.map((f) => h('tr', { className: 'clickable', 'data-function': f.name, onclick: (e: Event) => {
        list.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
        (e.currentTarget as HTMLElement).classList.add('selected');
        replace(logs, logsView(app, f.name));
      } }, h('td', { className: 'mono' }, f.name), h('td', {}, `v${f.version}`), h('td', { 'data-testid': 'invocations' }, String(f.invocations)),
      h('td', { 'data-testid': 'errors' }, String(f.errors)), h('td', { className: 'muted' }, f.verifyJwt ? 'verified' : 'not verified'),
      h('td', { className: 'muted' }, f.deployedAt.slice(0, 16).replace('T', ' '))))));
    replace(card, h('h2', {}, 'Functions'),
      functions.length === 0
        ? h('p', { className: 'muted' }, `No functions yet: \`devflow functions:deploy ${app} <name> <folder>\`, or a supabase/functions/ folder in the pushed repository.`)
        : list, logs);
  });
  replace(root, card);
  return {};
}
