/// <reference lib="dom" />
/** An app's page: its status and URL, and one tab per concern, all fed by the app's event stream. */
import { api, subscribe } from '../client.js';
import { badge, h, replace } from '../dom.js';
import { attempt } from './panel.js';
import { backendPanel } from './backend.js';
import { configPanel } from './config.js';
import { databasePanel } from './database.js';
import { deploymentsPanel } from './deployments.js';
import { domainsPanel, previewsPanel } from './domains.js';
import type { Panel, PanelFactory } from './panel.js';
import { processesPanel } from './processes.js';
import { releasesPanel } from './releases.js';
import { runtimeLogsPanel } from './runtime-logs.js';
import { gitPanel } from './git.js';
import { functionsPanel } from './functions.js';
import { realtimePanel } from './realtime.js';
import { storagePanel } from './storage.js';
import { alertsPanel } from './alerts.js';
import { errorsPanel } from './errors.js';
import { logSearchPanel } from './log-search.js';
import { metricsPanel } from './metrics.js';
import { tracesPanel } from './traces.js';
import { usagePanel } from './usage.js';
import { jobsPanel } from './jobs.js';

const TABS: Record<string, { label: string; panel: PanelFactory }> = {
  deployments: { label: 'Deployments', panel: deploymentsPanel },
  releases: { label: 'Releases', panel: releasesPanel },
  logs: { label: 'Logs', panel: runtimeLogsPanel },
  processes: { label: 'Processes', panel: processesPanel },
  config: { label: 'Config', panel: configPanel },
  domains: { label: 'Domains', panel: domainsPanel },
  previews: { label: 'Previews', panel: previewsPanel },
  backend: { label: 'Backend', panel: backendPanel },
  database: { label: 'Database', panel: databasePanel },
  git: { label: 'Git', panel: gitPanel },
  storage: { label: 'Storage', panel: storagePanel },
  realtime: { label: 'Realtime', panel: realtimePanel },
  functions: { label: 'Functions', panel: functionsPanel },
  metrics: { label: 'Metrics', panel: metricsPanel },
  traces: { label: 'Traces', panel: tracesPanel },
  search: { label: 'Log search', panel: logSearchPanel },
  errors: { label: 'Errors', panel: errorsPanel },
  alerts: { label: 'Alerts', panel: alertsPanel },
  usage: { label: 'Usage', panel: usagePanel },
  jobs: { label: 'Jobs', panel: jobsPanel },
};

interface AppView { name: string; url: string; status: string; currentRelease: number | null; gitUrl: string }

/** `path`: what follows the tab in the URL (a trace id after #/apps/<app>/traces/). */
export function renderApp(root: HTMLElement, app: string, tab: string, path: string[] = []): () => void {
  const current = TABS[tab] ? tab : 'deployments';
  const head = h('div', {});
  const live = h('span', { className: 'live off' }, '○ connecting');
  const section = h('div', {});
  replace(root, head, h('nav', { className: 'tabs' }, ...Object.entries(TABS).map(([id, t]) =>
    h('a', { href: `#/apps/${app}/${id}`, className: id === current ? 'active' : '' }, t.label))), section);
  const drawHead = async () => {
    const a = await api<AppView>('GET', `/apps/${app}`);
    replace(head, h('div', { style: 'display:flex;justify-content:space-between;align-items:center' },
      h('div', {}, h('h1', {}, a.name, ' ', badge(a.status)),
        h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.url), ' ',
        h('span', { className: 'muted' }, a.currentRelease ? `· v${a.currentRelease}` : '· no release yet')),
      live));
  };
  void drawHead();
  root.append(destroyControl(app));
  const onChanged = () => void drawHead();
  window.addEventListener('devflow:changed', onChanged);
  const panel: Panel = TABS[current]!.panel(section, app, path);
  const unsubscribe = subscribe(app, (e) => {
    if (e.type === 'deployment.state' || e.type === 'release.created' || e.type === 'app.changed') void drawHead();
    panel.onEvent?.(e);
  }, (on) => {
    live.className = on ? 'live' : 'live off';
    live.textContent = on ? '● live' : '○ reconnecting';
  });
  return () => {
    window.removeEventListener('devflow:changed', onChanged);
    unsubscribe();
    panel.dispose?.();
  };
}

/** Destroying an app deletes everything it runs, so the name must be typed again first. */
function destroyControl(app: string): HTMLElement {
  const card = h('details', { className: 'card danger' });
  const confirm = h('input', { name: 'confirm-name', placeholder: app, 'aria-label': `type ${app} to confirm` });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      if (confirm.value.trim() !== app) throw new Error(`type the app name, ${app}, to confirm`);
      await api('DELETE', `/apps/${app}`);
      location.hash = '#/';
    });
  } }, confirm, h('button', { className: 'danger', type: 'submit' }, 'Destroy app'));
  card.append(h('summary', {}, 'Destroy this app'),
    h('p', { className: 'muted' }, 'Stops every instance and deletes the app, its releases, its previews, its repository and its database.'), form);
  return card;
}
