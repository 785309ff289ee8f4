/// <reference lib="dom" />
/** Custom domains with their certificate state, and previews with their URLs. */
import { ApiError, api } from '../client.js';
import { badge, h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface Domain { name: string; url: string; certificate: { status: string; state: string; reason: string | null; expiresAt: string | null } }
interface Preview { slug: string; url: string; source: string; sourceRef: string; state: string; release: number | null }

function listOf<T>(body: unknown, key: string): T[] {
  return (Array.isArray(body) ? body : ((body as Record<string, unknown>)[key] ?? [])) as T[];
}

export function domainsPanel(root: HTMLElement, app: string): Panel {
  const body = h('tbody');
  const card = h('div', { className: 'card' });
  const draw = async () => {
    const domains = listOf<Domain>(await api<unknown>('GET', `/apps/${app}/domains`), 'domains');
    replace(body, ...domains.map((d) => h('tr', { 'data-domain': d.name },
      h('td', { className: 'mono' }, d.name),
      h('td', {}, badge(d.certificate.state), ' ', h('span', { className: 'muted' }, d.certificate.reason ?? '')),
      h('td', { className: 'muted' }, d.certificate.expiresAt ? `until ${new Date(d.certificate.expiresAt).toLocaleDateString()}` : ''),
      h('td', {}, h('button', { onclick: () => void attempt(card, async () => {
        await api('DELETE', `/apps/${app}/domains/${encodeURIComponent(d.name)}`);
        await draw();
      }) }, 'Remove')))));
    if (domains.length === 0) replace(body, h('tr', {}, h('td', { colspan: 4, className: 'muted' }, 'No custom domains.')));
  };
  const name = h('input', { name: 'domain', placeholder: 'www.example.com', 'aria-label': 'domain' });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      await api('POST', `/apps/${app}/domains`, { name: name.value.trim() });
      name.value = '';
      await draw();
    });
  } }, name, h('button', { className: 'primary', type: 'submit' }, 'Add domain'));
  replace(root, card);
  replace(card, h('h2', {}, 'Domains'), h('table', {}, h('thead', {}, h('tr', {}, ...['Domain', 'Certificate', 'Expires', ''].map((t) => h('th', {}, t)))), body), form);
  void attempt(card, draw);
  return {};
}

export function previewsPanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const draw = () => attempt(card, async () => {
    replace(card, h('h2', {}, 'Previews'));
    let previews: Preview[];
    try {
      previews = listOf<Preview>(await api<unknown>('GET', `/apps/${app}/previews`), 'previews');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.message.includes('no such API route')) {
        card.append(h('p', { className: 'muted' }, 'Preview environments are not available on this DevFlow.'));
        return;
      }
      throw err;
    }
    card.append(previews.length === 0 ? h('p', { className: 'muted' }, 'No previews: push a branch to get one.') :
      h('table', {}, h('thead', {}, h('tr', {}, ...['Preview', 'From', 'State', 'Release', 'URL', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...previews.map((p) => h('tr', { 'data-preview': p.slug }, h('td', { className: 'mono' }, p.slug),
          h('td', {}, `${p.source === 'pull_request' ? 'PR' : 'branch'} ${p.sourceRef}`), h('td', {}, badge(p.state)),
          h('td', {}, p.release ? `v${p.release}` : ''), h('td', {}, h('a', { href: p.url, target: '_blank', rel: 'noopener' }, p.url)),
          h('td', {}, h('button', { onclick: () => void attempt(card, async () => {
            await api('DELETE', `/apps/${app}/previews/${encodeURIComponent(p.slug)}`);
            await draw();
          }) }, 'Remove')))))));
  });
  replace(root, card);
  void draw();
  return {};
}
