/// <reference lib="dom" />
/**
 * The DevFlow dashboard: plain TypeScript DOM modules bundled by esbuild (api/bundle.ts),
 * no framework and nothing fetched from elsewhere at run time. Views are addressed by the URL
 * fragment: #/apps, #/apps/<app>/<tab>, #/signin.
 */
import { session } from './client.js';
import { h, replace } from './dom.js';
import { renderApp } from './views/app.js';
import { renderApps } from './views/apps.js';
import { renderSignIn } from './views/signin.js';

const root = document.getElementById('root')!;
const main = h('main', {});
let leave: (() => void) | undefined;

function header(): HTMLElement {
  return h('header', {}, h('a', { href: '#/apps' }, 'DevFlow'), h('a', { href: '#/apps', style: 'font-weight:400' }, 'Apps'),
    h('span', { className: 'spacer' }),
    session.token() ? h('button', { onclick: () => {
      session.signOut();
      location.hash = '#/signin';
    } }, 'Sign out') : null);
}

function route(): void {
  leave?.();
  leave = undefined;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  replace(root, header(), main);
  if (!session.token() || parts[0] === 'signin') return renderSignIn(main);
  if (parts[0] === 'apps' && parts[1]) {
    leave = renderApp(main, parts[1], parts[2] ?? 'deployments');
    return;
  }
  leave = renderApps(main);
}

window.addEventListener('hashchange', route);
route();
