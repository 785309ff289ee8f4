/// <reference lib="dom" />
/** The process formation, with a scaling control per process type. */
import { api, type LiveEvent } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, notifyChanged, type Panel } from './panel.js';

interface ProcessRow { type: string; replicas: number; size: string; running: number; command?: string }

const SIZES = ['eco', 'standard', 'performance'];

interface ProcessesBody {
  formation: { type: string; replicas: number; size: string; memoryMb?: number; cpus?: number }[];
  instances: { id: string; type: string; state: string }[];
}

/** The formation, with how many instances of each type are running now. */
function rowsOf(body: ProcessesBody): ProcessRow[] {
  return body.formation.map((p) => ({
    type: p.type, replicas: p.replicas, size: p.size,
    running: body.instances.filter((i) => i.type === p.type && i.state === 'running').length,
    command: p.memoryMb !== undefined ? `${p.memoryMb} MB, ${p.cpus ?? '?'} CPU` : undefined,
  }));
}

export function processesPanel(root: HTMLElement, app: string): Panel {
  const body = h('tbody');
  const card = h('div', { className: 'card' });
  const draw = async () => {
    const rows = rowsOf(await api<ProcessesBody>('GET', `/apps/${app}/processes`));
    replace(body, ...rows.map((p) => {
      const replicas = h('input', { type: 'number', min: 0, max: 100, value: p.replicas, 'aria-label': `${p.type} replicas`, name: `replicas-${p.type}` });
      const size = h('select', { 'aria-label': `${p.type} size`, name: `size-${p.type}` }, ...[...new Set([p.size, ...SIZES])].map((s) => h('option', { value: s, selected: s === p.size }, s)));
      const scale = h('button', { className: 'primary', 'data-scale': p.type, onclick: () => void attempt(card, async () => {
        scale.disabled = true;
        try {
          await api('PATCH', `/apps/${app}/processes/${p.type}`, { replicas: Number(replicas.value), size: size.value });
          await draw();
          notifyChanged();
        } finally {
          scale.disabled = false;
        }
      }) }, 'Scale');
      return h('tr', { 'data-process': p.type }, h('td', { className: 'mono' }, p.type), h('td', { 'data-replicas': p.replicas }, `${p.replicas}${p.running !== p.replicas ? ` (${p.running} running)` : ''}`),
        h('td', {}, p.size), h('td', {}, replicas, ' ', size, ' ', scale), h('td', { className: 'muted mono' }, p.command ?? ''));
    }));
    if (rows.length === 0) replace(body, h('tr', {}, h('td', { colspan: 5, className: 'muted' }, 'No process types yet.')));
  };
  replace(root, card);
  replace(card, h('h2', {}, 'Processes'), h('table', {}, h('thead', {}, h('tr', {}, ...['Type', 'Replicas', 'Size', 'Scale', 'Limits'].map((t) => h('th', {}, t)))), body));
  void attempt(card, draw);
  return { onEvent: (e: LiveEvent) => void (e.type === 'app.changed' || e.type === 'release.created' ? draw() : undefined) };
}
