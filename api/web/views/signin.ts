/// <reference lib="dom" />
import { checkToken, session } from '../client.js';
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
  h('h1', {}, 'Sign in to DevFlow'),
  h('p', { className: 'muted' }, 'Paste an API token (', h('span', { className: 'mono' }, 'devflow tokens:create'), ', or the admin token in $DEVFLOW_HOME/admin-token). It is kept in this tab only.'),
  input,
  h('button', { className: 'primary', type: 'submit' }, 'Sign in'),
  message);
  replace(root, h('div', { className: 'card signin' }, form));
  input.focus();
}
