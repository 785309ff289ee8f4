/// <reference lib="dom" />
/**
 * The Backend tab's users (issue 16): the app's Auth users, listed, created and deleted through
 * the project's own Supabase Auth admin API (`/auth/v1/admin/users`) with its service-role key,
 * as any Supabase admin client would call it. The dashboard needs no API of its own for this:
 * the path form of the backend (`/backend/<app>`) is served on the dashboard's own origin.
 */
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';

interface AuthUser {
  id: string;
  email?: string;
  created_at: string;
  last_sign_in_at?: string | null;
  email_confirmed_at?: string | null;
  is_anonymous?: boolean;
}

/** Supabase Auth's error bodies carry `msg` (older) or `message`; show whichever is there. */
async function admin<T>(app: string, serviceRoleKey: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/backend/${encodeURIComponent(app)}/auth/v1/admin/users${path}`, {
    method,
    headers: {
      apikey: serviceRoleKey, authorization: `Bearer ${serviceRoleKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => ({}))) as T & { msg?: string; message?: string };
  if (!res.ok) throw new Error(parsed.msg ?? parsed.message ?? `the backend answered HTTP ${res.status}`);
  return parsed;
}

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

export function usersSection(app: string, serviceRoleKey: string): HTMLElement {
  const section = h('section', { 'data-testid': 'backend-users' });
  const draw = async (): Promise<void> => {
    const { users } = await admin<{ users: AuthUser[] }>(app, serviceRoleKey, 'GET', '?page=1&per_page=100');
    const email = h('input', { name: 'user-email', type: 'email', placeholder: 'email', required: true });
    const password = h('input', { name: 'user-password', type: 'password', placeholder: 'password (at least 6 characters)', required: true });
    const form = h('form', { onsubmit: (e: Event) => {
      e.preventDefault();
      void attempt(section, async () => {
        // Created by an operator: confirmed at once, as Supabase's dashboard does.
        await admin(app, serviceRoleKey, 'POST', '', { email: email.value, password: password.value, email_confirm: true });
        await draw();
      });
    } }, email, ' ', password, ' ', h('button', { type: 'submit' }, 'Add user'));
    const rows = users.map((u) => h('tr', { 'data-user': u.email ?? u.id },
      h('td', {}, u.email ?? (u.is_anonymous ? 'anonymous' : u.id)),
      h('td', {}, day(u.created_at)),
      h('td', {}, day(u.last_sign_in_at)),
      h('td', {}, u.email_confirmed_at ? 'yes' : 'no'),
      h('td', {}, h('button', { onclick: () => {
        if (!confirm(`Delete ${u.email ?? u.id}? Their sessions end and rows that cascade from auth.users go with them.`)) return;
        void attempt(section, async () => {
          await admin(app, serviceRoleKey, 'DELETE', `/${encodeURIComponent(u.id)}`);
          await draw();
        });
      } }, 'Delete'))));
    replace(section, h('h3', {}, `Users (${users.length})`),
      users.length === 0
        ? h('p', { className: 'muted' }, 'No users yet: they appear here when they sign up through the app, or add one.')
        : h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Created'), h('th', {}, 'Last sign-in'), h('th', {}, 'Confirmed'), h('th', {}))),
          h('tbody', {}, ...rows)),
      form);
  };
  void attempt(section, draw);
  return section;
}
