/// <reference lib="dom" />
import { checkToken, session, signInWithPassword } from '../client.js';
import { h, replace } from '../dom.js';

export function renderSignIn(root: HTMLElement): void {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'dfl_…', autocomplete: 'off', 'aria-label': 'API token' });
  const message = h('div', { className: 'error', role: 'alert' });
  const form = h('form', {
    onsubmit: (e: Event) => {
      e.preventDefault();
      checkToken(input.value).then((result) => {
        if (result === 'invalid') {
          message.textContent = 'That token is not valid or has expired.';
          return;
        }
        session.signIn(input.value);
        if (location.hash === '#/apps') window.dispatchEvent(new HashChangeEvent('hashchange'));
        else location.hash = '#/apps';
      }, (err: unknown) => (message.textContent = String(err)));
    },
  },
  h('h2', {}, 'Or with an API token'),
  h('p', { className: 'muted' }, 'Paste an API token (', h('span', { className: 'mono' }, 'devflow tokens:create'), ', or the admin token in $DEVFLOW_HOME/admin-token). It is kept in this tab only.'),
  input,
  h('button', { className: 'primary', type: 'submit', name: 'token-sign-in' }, 'Sign in with the token'),
  message);
  replace(root, h('div', { className: 'card signin' }, passwordForm(), form));
}

/**
 * Issue 19: people sign in with their email and password; when two-factor sign-in is on, a
 * field for the code appears and the form is sent again with it. `then` runs once signed in
 * (by default: the apps list).
 */
export function passwordForm(heading = 'Sign in to DevFlow', then: () => void = showApps): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', placeholder: 'you@example.com', autocomplete: 'username', 'aria-label': 'email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', 'aria-label': 'password' });
  const code = h('input', {
    type: 'text', name: 'totp-code', inputMode: 'numeric', autocomplete: 'one-time-code', placeholder: '123456 or a recovery code', 'aria-label': 'two-factor code',
  });
  const codeRow = h('label', { hidden: true }, 'Code from your authenticator app', code);
  const message = h('div', { className: 'error', role: 'alert', 'data-testid': 'password-error' });
  const form = h('form', {
    onsubmit: (e: Event) => {
      e.preventDefault();
      signInWithPassword(email.value.trim(), password.value, codeRow.hidden ? undefined : code.value.trim()).then((result) => {
        if (result === 'code_needed') {
          codeRow.hidden = false;
          message.textContent = codeRow.dataset.asked ? 'Enter the code your authenticator app shows.' : '';
          codeRow.dataset.asked = 'yes';
          code.focus();
          return;
        }
        if (result !== 'ok') {
          message.textContent = result.error;
          return;
        }
        then();
      }, (err: unknown) => (message.textContent = String(err)));
    },
  },
  h('h1', {}, heading),
  h('p', { className: 'muted' }, 'With your email and password (', h('span', { className: 'mono' }, 'devflow signup'), '), or with an API token below.'),
  email, password, codeRow,
  h('button', { className: 'primary', type: 'submit', name: 'password-sign-in' }, 'Sign in'),
  message);
  queueMicrotask(() => email.focus());
  return form;
}

function showApps(): void {
  if (location.hash === '#/apps') window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#/apps';
}
