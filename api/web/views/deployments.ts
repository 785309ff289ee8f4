/// <reference lib="dom" />
/** Deployments with their live build log; a new push shows up and progresses without reload. */
import { api, type LiveEvent } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface Deployment { id: number; ref: string; sha: string; state: string; trigger: string; reason: string | null; releaseVersion: number | null; createdAt: string }
interface PhaseTiming { phase: string; ms: number }

/** "build 1.21 s · start 0.30 s · …": where a deployment's time went (issue 15). */
function phaseLine(phases: PhaseTiming[]): string {
  return phases.map((p) => `${p.phase} ${(p.ms / 1000).toFixed(2)} s`).join(' · ');
}

const CANCELLABLE = new Set(['queued', 'building']);

export function deploymentsPanel(root: HTMLElement, app: string): Panel {
  const body = h('tbody');
  const log = h('pre', { className: 'log', 'data-testid': 'build-log' }, 'Select a deployment to see its log.');
  const title = h('h2', {}, 'Build log');
  const phases = h('p', { className: 'muted mono', 'data-testid': 'phase-timings' }, '');
  let selected: number | undefined;
  let lines = 0;
  let rows: Deployment[] = [];

  const draw = async () => {
    rows = await api<Deployment[]>('GET', `/apps/${app}/deployments?limit=20`);
    if (selected === undefined && rows[0]) void select(rows[0].id);
    replace(body, ...rows.map((d) => h('tr', { className: `clickable${d.id === selected ? ' selected' : ''}`, 'data-deployment': d.id, onclick: () => void select(d.id) },
      h('td', {}, `#${d.id}`), h('td', {}, badge(d.state)), h('td', { className: 'mono' }, d.sha.slice(0, 7)),
      h('td', {}, d.ref.replace('refs/heads/', '')), h('td', {}, d.releaseVersion ? `v${d.releaseVersion}` : ''),
      h('td', { className: 'muted' }, d.reason ?? ''), h('td', { className: 'muted' }, ago(d.createdAt)),
      h('td', {}, CANCELLABLE.has(d.state) ? cancelButton(d) : ''))));
    if (rows.length === 0) replace(body, h('tr', {}, h('td', { colspan: 8, className: 'muted' }, 'No deployments yet: git push devflow main')));
  };
  // A queued or building deployment can be stopped (scheduler/cancel.ts); its push is told who did.
  const cancelButton = (d: Deployment) => {
    const button: HTMLButtonElement = h('button', { type: 'button', name: 'cancel-deployment', onclick: (e: Event) => {
      e.stopPropagation();
      button.disabled = true;
      void attempt(table, async () => {
        await api<Deployment>('POST', `/apps/${app}/deployments/${d.id}/cancel`);
        await draw();
      }).finally(() => (button.disabled = false));
    } }, 'Cancel');
    return button;
  };
  const select = async (id: number) => {
    selected = id;
    lines = -1;
    title.textContent = `Build log of #${id}`;
    const [text, detail] = await Promise.all([
      api<string>('GET', `/deployments/${id}/log`), api<{ phases?: PhaseTiming[] }>('GET', `/deployments/${id}`),
    ]);
    if (selected !== id) return;
    phases.textContent = phaseLine(detail.phases ?? []);
    const all = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    lines = all.length;
    log.textContent = all.join('\n');
    log.scrollTop = log.scrollHeight;
    body.querySelectorAll('tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.deployment === String(id)));
  };
  const deployForm = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(deployForm, async () => {
      const d = await api<Deployment>('POST', `/apps/${app}/deployments`, { ref: refInput.value || 'main' });
      await draw();
      await select(d.id);
    });
  } });
  const refInput = h('input', { name: 'ref', placeholder: 'main', 'aria-label': 'ref to deploy' });
  deployForm.append(refInput, h('button', { type: 'submit' }, 'Deploy ref'));

  const table = h('div', { className: 'card' }, h('h2', {}, 'Deployments'),
    h('table', {}, h('thead', {}, h('tr', {}, ...['', 'State', 'Commit', 'Ref', 'Release', 'Reason', 'When', ''].map((t) => h('th', {}, t)))), body), deployForm);
  replace(root,
    table,
    h('div', { className: 'card' }, title, phases, log));
  void draw();

  let redraw: number | undefined;
  const refresh = (reselect: boolean) => {
    clearTimeout(redraw);
    redraw = window.setTimeout(() => void draw().then(() => (reselect && selected !== undefined ? select(selected) : undefined)), 150);
  };
  return {
    onEvent(e: LiveEvent) {
      const id = e.deploymentId;
      if (id === undefined) return;
      const known = rows.some((r) => r.id === id);
      if (!known && (e.type === 'deployment.state' || e.type === 'deployment.log')) {
        // A deployment started elsewhere (a push, the CLI): show it and follow its log.
        selected = id;
        lines = -1;
        refresh(true);
        return;
      }
      if (e.type === 'deployment.log' && id === selected && (e.line ?? '').startsWith('-----> Timing:')) {
        // The retire phase is timed after the deployment ended: its figures arrive with this line.
        void api<{ phases?: PhaseTiming[] }>('GET', `/deployments/${id}`).then((d) => (phases.textContent = phaseLine(d.phases ?? [])));
      }
      if (e.type === 'deployment.log' && id === selected && lines >= 0) {
        if (e.seq === lines) {
          log.textContent += (lines > 0 ? '\n' : '') + (e.line ?? '');
          lines++;
          log.scrollTop = log.scrollHeight;
        } else if ((e.seq ?? 0) > lines) {
          lines = -1;
          void select(id);
        }
      }
      if (e.type === 'deployment.state') refresh(id === selected && ['succeeded', 'failed', 'superseded'].includes(e.state ?? ''));
    },
  };
}
