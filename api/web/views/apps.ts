/// <reference lib="dom" />
/** The apps list: status and URL of each app (of the team chosen in the header), kept current by the event stream. */
import { api, session, subscribe } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt } from './panel.js';

interface AppView {
  name: string;
  team?: string;
  url: string;
  status: string;
  currentRelease: number | null;
  lastDeployment: { id: number; state: string } | null;
  createdAt: string;
}

export function renderApps(root: HTMLElement): () => void {
  const body = h('tbody');
  const live = h('span', { className: 'live off' }, '○ connecting');
  const draw = async () => {
    const team = session.team();
    const apps = (await api<AppView[]>('GET', '/apps?limit=200')).filter((a) => !team || a.team === team);
    replace(body, ...apps.map((a) => h('tr', { 'data-app': a.name },
      h('td', {}, h('a', { href: `#/apps/${a.name}` }, a.name)),
      h('td', {}, badge(a.status)),
      h('td', {}, a.currentRelease ? `v${a.currentRelease}` : '–'),
      h('td', {}, h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.url)),
      h('td', { className: 'muted' }, ago(a.createdAt)))));
    if (apps.length === 0) replace(body, h('tr', {}, h('td', { colspan: 5, className: 'muted' }, 'No apps yet: create one below, or with devflow apps:create <name>')));
  };
  const card = h('div', { className: 'card' });
  const created = h('div', { 'data-testid': 'created' });
  const name = h('input', { name: 'app-name', placeholder: 'my-app', 'aria-label': 'new app name' });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      const team = session.team();
      const app = await api<{ name: string; url: string }>('POST', '/apps', { name: name.value.trim(), ...(team ? { team } : {}) });
      name.value = '';
      // The remote has no token in it: git asks, or a credential helper answers.
      replace(created, h('p', {}, 'Created ', h('a', { href: `#/apps/${app.name}` }, app.name), '. Deploy with: ',
        h('code', {}, `git push ${location.origin}/${app.name}.git main`)));
      await draw();
    });
  } }, name, h('button', { className: 'primary', type: 'submit' }, 'Create app'));
  replace(root, card);
  replace(card,
    h('div', { style: 'display:flex;justify-content:space-between' }, h('h1', {}, 'Apps'), live),
    h('table', {}, h('thead', {}, h('tr', {}, ...['App', 'Status', 'Release', 'URL', 'Created'].map((t) => h('th', {}, t)))), body),
    form, created);
  void draw();
  let timer: number | undefined;
  return subscribe(undefined, (e) => {
    if (e.type === 'deployment.log') return;
    clearTimeout(timer);
    timer = window.setTimeout(() => void draw(), 200);
  }, (on) => {
    live.className = on ? 'live' : 'live off';
    live.textContent = on ? '● live' : '○ reconnecting';
  });
}
