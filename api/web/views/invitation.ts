/// <reference lib="dom" />
/**
 * The page an invitation's link opens, #/invitation/<code> (issue 19). A person signed in
 * accepts with one button (POST /auth/invitations/accept); someone new makes an account with the
 * code (POST /auth/signup with `invitation`), which joins the team at once; someone with an
 * account who is signed out signs in (with their two-factor code if on) and then accepts.
 */
import { api, session } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';
import { passwordForm } from './signin.js';

interface Joined { team: string; role: string }

export function renderInvitation(root: HTMLElement, code: string): void {
  const card = h('div', { className: 'card signin', 'data-testid': 'invitation' });
  const accept = () => attempt(card, async () => joined(card, await api<Joined>('POST', '/auth/invitations/accept', { code })));
  if (session.token()) {
    replace(card, h('h1', {}, 'Join a team'),
      h('p', {}, 'You were invited to a team on this DevFlow. Accept as the person signed in in this tab?'),
      h('button', { className: 'primary', name: 'accept-invitation', onclick: () => void accept() }, 'Accept the invitation'),
      h('button', { name: 'switch-person', onclick: () => {
        session.signOut();
        renderInvitation(root, code);
      } }, 'Not you? Sign out'));
  } else {
    replace(card, h('h1', {}, 'Join a team'), h('p', { className: 'muted' }, 'You were invited to a team on this DevFlow. New here? Make an account; it joins the team at once.'),
      signUpForm(card, code), passwordForm('Or sign in, then join', () => void accept()));
  }
  replace(root, card);
}

function signUpForm(card: HTMLElement, code: string): HTMLElement {
  const email = h('input', { type: 'email', name: 'signup-email', placeholder: 'the email the invitation was sent to', autocomplete: 'username', 'aria-label': 'your email' });
  const password = h('input', { type: 'password', name: 'signup-password', placeholder: '8 characters or more', autocomplete: 'new-password', 'aria-label': 'choose a password' });
  return h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      const res = await fetch('/api/v1/auth/signup', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email.value.trim(), password: password.value, invitation: code }),
      });
      const body = (await res.json()) as { accessToken?: string; refreshToken?: string; joined?: Joined; error?: { message: string } };
      if (!res.ok || !body.accessToken || !body.joined) throw new Error(body.error?.message ?? `DevFlow answered HTTP ${res.status}`);
      session.signIn(body.accessToken, body.refreshToken);
      joined(card, body.joined);
    });
  } }, h('h2', {}, 'Make an account'), email, password, h('button', { className: 'primary', type: 'submit', name: 'signup-accept' }, 'Sign up and join'));
}

function joined(card: HTMLElement, team: Joined): void {
  session.setTeam(team.team);
  replace(card, h('h1', {}, 'Welcome'), h('p', { 'data-testid': 'joined' }, `You joined ${team.team} as ${team.role}.`),
    h('a', { href: '#/apps', className: 'primary', name: 'to-apps' }, `See ${team.team}’s apps`));
}
