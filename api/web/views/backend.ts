/// <reference lib="dom" />
/**
 * The app's Backend tab (issue 16): enable it, the URL and keys (the keys hidden until revealed:
 * the service-role key bypasses row-level security), the auth settings and the local-development
 * switch, the app's users (backend-users.ts), the Auth mails the embedded catcher kept
 * (backend-mail.ts), and a row-level security policy to start from.
 */
import { ApiError, api } from '../client.js';
import { h, replace } from '../dom.js';
import { mailSection } from './backend-mail.js';
import { usersSection } from './backend-users.js';
import { attempt, type Panel } from './panel.js';

interface BackendView {
  url: string; hostUrl: string; anonKey: string; serviceRoleKey: string; jwksUrl: string; keylessAnon: boolean;
  auth: { mailerAutoconfirm: boolean; allowAnonymousSignIns: boolean; disableSignup: boolean; siteUrl: string; jwtExpiry: number };
  external: Record<string, { enabled: boolean; clientId: string | null; secret: string | null; url: string | null }>;
}

const MASK = '••••••••';

const RLS_EXAMPLE = `create table todos (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text not null,
  done boolean not null default false
);
alter table todos enable row level security;
create policy "own todos" on todos for all to authenticated
  using (user_id = auth.uid()) with check (user_id = auth.uid());`;

function secret(name: string, value: string): HTMLElement {
  const shown = h('span', { className: 'mono', 'data-key': name }, MASK);
  const reveal = h('button', { onclick: () => {
    const hidden = shown.textContent === MASK;
    shown.textContent = hidden ? value : MASK;
    reveal.textContent = hidden ? 'Hide' : 'Reveal';
  } }, 'Reveal');
  return h('tr', {}, h('th', {}, name), h('td', { style: 'word-break:break-all' }, shown), h('td', {}, reveal));
}

function toggle(card: HTMLElement, app: string, label: string, on: boolean, change: (on: boolean) => object, redraw: () => Promise<void>): HTMLElement {
  const box = h('input', { type: 'checkbox', checked: on, 'aria-label': label, onchange: () => void attempt(card, async () => {
    await api('PATCH', `/apps/${app}/backend`, change(box.checked));
    await redraw();
  }) });
  return h('label', { style: 'display:block' }, box, ' ', label);
}

export function backendPanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  replace(root, card);
  const draw = async (): Promise<void> => {
    let view: BackendView;
    try {
      view = await api<BackendView>('GET', `/apps/${app}/backend`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      replace(card, h('h2', {}, 'Backend'),
        h('p', { className: 'muted' }, 'A Supabase-compatible backend for this app: a REST API over its database and Auth, with its own keys. ' +
          'Enabling it grants the request roles on the public schema: protect tables with row-level security.'),
        h('button', { className: 'primary', onclick: () => void attempt(card, async () => {
          await api('POST', `/apps/${app}/backend`);
          await draw();
        }) }, 'Enable backend'));
      return;
    }
    const a = view.auth;
    replace(card, h('h2', {}, 'Backend'),
      h('table', {}, h('tbody', {},
        h('tr', {}, h('th', {}, 'URL'), h('td', { className: 'mono', 'data-key': 'url' }, view.url), h('td', {})),
        h('tr', {}, h('th', {}, 'Host URL'), h('td', { className: 'mono' }, view.hostUrl), h('td', {})),
        secret('anon key', view.anonKey), secret('service role key', view.serviceRoleKey),
        h('tr', {}, h('th', {}, 'JWKS'), h('td', { className: 'mono' }, view.jwksUrl), h('td', {})))),
      h('h3', {}, 'Auth settings'),
      toggle(card, app, 'Confirm sign-ups automatically (no confirmation email)', a.mailerAutoconfirm, (on) => ({ auth: { mailerAutoconfirm: on } }), draw),
      toggle(card, app, 'Allow anonymous sign-ins', a.allowAnonymousSignIns, (on) => ({ auth: { allowAnonymousSignIns: on } }), draw),
      toggle(card, app, 'Disable sign-ups', a.disableSignup, (on) => ({ auth: { disableSignup: on } }), draw),
      toggle(card, app, 'Serve requests without a key as anon (local development only)', view.keylessAnon, (on) => ({ keylessAnon: on }), draw),
      h('p', { className: 'muted' }, `Site URL: ${a.siteUrl} · access tokens last ${a.jwtExpiry} s`),
      h('p', { className: 'muted', 'data-testid': 'oauth-providers' }, `OAuth: ${Object.entries(view.external ?? {}).map(([name, p]) =>
        `${name} ${p.clientId === null ? 'not configured' : `${p.enabled ? 'on' : 'off'} (client id ${p.clientId}, secret ${p.secret ?? 'none'})`}`).join(' · ')}` +
        ' — set with devflow backend:set <app> external_github_client_id=… external_github_secret=…'),
      usersSection(app, view.serviceRoleKey),
      mailSection(app),
      h('h3', {}, 'Row-level security, an example'),
      h('p', { className: 'muted' }, 'Run this in the app database (SUPABASE_DB_URL): each signed-in user sees and changes only their own rows.'),
      h('pre', { className: 'mono', 'data-testid': 'rls-example' }, RLS_EXAMPLE));
  };
  void attempt(card, draw);
  return {};
}
