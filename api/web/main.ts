/// <reference lib="dom" />
/**
 * The DevFlow dashboard: plain TypeScript DOM modules bundled by esbuild (api/bundle.ts),
 * no framework and nothing fetched from elsewhere at run time. Views are addressed by the URL
 * fragment: #/apps, #/apps/<app>/<tab>, #/team, #/usage (the team's, issue 20), #/account, #/signin, #/invitation/<code>. The header's switcher picks the team
 * whose apps the list shows and whose members and audit log #/team shows (issue 19).
 */
import { api, session } from './client.js';
import { h, replace } from './dom.js';
import { renderApp } from './views/app.js';
import { renderApps } from './views/apps.js';
import { renderSignIn } from './views/signin.js';
import { renderTeam } from './views/team.js';
import { renderInvitation } from './views/invitation.js';
import { renderAccount } from './views/account.js';
import { renderUsage } from './views/usage.js';

const root = document.getElementById('root')!;
const main = h('main', {});
let leave: (() => void) | undefined;

/** The team switcher: every team of the caller, or all of them (''). */
function teamSwitcher(): HTMLElement {
  const select = h('select', { name: 'team', 'aria-label': 'team', onchange: () => {
    session.setTeam(select.value);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } }, h('option', { value: '' }, 'All teams'));
  void api<{ name: string; role: string }[]>('GET', '/teams').then((teams) => {
    for (const t of teams) select.append(h('option', { value: t.name }, `${t.name} (${t.role})`));
    select.value = session.team();
  }, () => undefined);
  return select;
}

function header(): HTMLElement {
  return h('header', {}, h('a', { href: '#/apps' }, 'DevFlow'), h('a', { href: '#/apps', style: 'font-weight:400' }, 'Apps'),
    session.token() ? h('a', { href: '#/team', style: 'font-weight:400' }, 'Team') : null,
    session.token() ? h('a', { href: '#/account', style: 'font-weight:400' }, 'Account') : null,
    session.token() ? h('a', { href: '#/usage', style: 'font-weight:400' }, 'Usage') : null,
    h('span', { className: 'spacer' }),
    session.token() ? teamSwitcher() : null,
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
  // An invitation's link opens before signing in: its page offers to sign up or in (issue 19).
  if (parts[0] === 'invitation' && parts[1]) return renderInvitation(main, parts[1]);
  if (!session.token() || parts[0] === 'signin') return renderSignIn(main);
  if (parts[0] === 'team') return renderTeam(main);
  if (parts[0] === 'account') return renderAccount(main);
  if (parts[0] === 'usage') return renderUsage(main);
  if (parts[0] === 'apps' && parts[1]) {
    leave = renderApp(main, parts[1], parts[2] ?? 'deployments', parts.slice(3));
    return;
  }
  leave = renderApps(main);
}

window.addEventListener('hashchange', route);
route();
