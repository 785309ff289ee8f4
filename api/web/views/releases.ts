/// <reference lib="dom" />
/** Releases, newest first, with a roll back button on each earlier one. */
import { api, type LiveEvent } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, notifyChanged, type Panel } from './panel.js';

interface Release { version: number; sha: string | null; description: string; createdAt: string; current: boolean; state?: string; rollbackable?: boolean }

export function releasesPanel(root: HTMLElement, app: string): Panel {
  const body = h('tbody');
  const card = h('div', { className: 'card' });
  const draw = async () => {
    const releases = await api<Release[]>('GET', `/apps/${app}/releases?limit=50`);
    replace(body, ...releases.map((r) => h('tr', { 'data-release': r.version },
      h('td', {}, `v${r.version}`, r.current ? ' ' : '', r.current ? badge('current') : null),
      h('td', {}, r.description), h('td', { className: 'mono' }, r.sha?.slice(0, 7) ?? ''),
      h('td', {}, r.state ? badge(r.state) : ''), h('td', { className: 'muted' }, ago(r.createdAt)),
      h('td', {}, r.current || r.rollbackable === false ? '' : h('button', {
        'data-rollback': r.version,
        onclick: (e: Event) => {
          (e.target as HTMLButtonElement).disabled = true;
          void attempt(card, async () => {
            await api('POST', `/apps/${app}/rollback`, { version: r.version });
            await draw();
            notifyChanged();
          });
        },
      }, `Roll back to v${r.version}`)))));
    if (releases.length === 0) replace(body, h('tr', {}, h('td', { colspan: 6, className: 'muted' }, 'No releases yet.')));
  };
  replace(root, card);
  replace(card, h('h2', {}, 'Releases'), h('table', {}, h('thead', {}, h('tr', {}, ...['Version', 'Description', 'Commit', 'State', 'When', ''].map((t) => h('th', {}, t)))), body));
  void attempt(card, draw);
  return {
    onEvent(e: LiveEvent) {
      if (e.type === 'release.created' || e.type === 'app.changed' || (e.type === 'deployment.state' && e.state === 'succeeded')) void draw();
    },
  };
}
