/// <reference lib="dom" />
/**
 * The person's own page, #/account (issue 19): two-factor sign-in. Turning it on shows the
 * otpauth URI as a QR code (an SVG the API draws, shown as an image so no markup of it runs in
 * the page) and as a secret to type, asks for a code from the app, and shows the recovery codes
 * once. Turning it off needs a code or a recovery code.
 */
import { api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';

interface Enrolment { secret: string; uri: string; qrSvg: string }

export function renderAccount(root: HTMLElement): void {
  const card = h('div', { className: 'card', 'data-testid': 'account' }, h('h1', {}, 'Two-factor sign-in'));
  replace(root, card);
  void attempt(card, async () => {
    const state = await api<{ enabled: boolean }>('GET', '/auth/totp');
    card.append(state.enabled ? disableForm(root, card) : h('div', {},
      h('p', { 'data-testid': 'totp-state' }, 'Off: signing in needs only your password.'),
      h('button', { className: 'primary', name: 'totp-enable', onclick: () => void attempt(card, async () => {
        card.append(confirmForm(card, await api<Enrolment>('POST', '/auth/totp')));
      }) }, 'Turn on')));
  });
}

function confirmForm(card: HTMLElement, enrolment: Enrolment): HTMLElement {
  const code = h('input', { name: 'totp-confirm-code', inputMode: 'numeric', autocomplete: 'one-time-code', placeholder: '123456', 'aria-label': 'code from the app' });
  return h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      const done = await api<{ recoveryCodes: string[] }>('POST', '/auth/totp/confirm', { code: code.value.trim() });
      replace(card, h('h1', {}, 'Two-factor sign-in is on'),
        h('p', {}, 'Recovery codes: each works once in place of a code. Keep them somewhere safe; they are not shown again.'),
        h('ul', { className: 'mono', 'data-testid': 'recovery-codes' }, ...done.recoveryCodes.map((c) => h('li', {}, c))),
        h('a', { href: '#/apps' }, 'Back to the apps'));
    });
  } },
  h('p', {}, 'Scan this with your authenticator app, or type the secret into it, then enter the code it shows.'),
  h('img', { src: `data:image/svg+xml;base64,${btoa(enrolment.qrSvg)}`, alt: 'QR code of the otpauth URI', width: 200, height: 200 }),
  h('p', { className: 'mono', 'data-testid': 'totp-secret' }, enrolment.secret),
  code, h('button', { className: 'primary', type: 'submit' }, 'Turn on'));
}

function disableForm(root: HTMLElement, card: HTMLElement): HTMLElement {
  const code = h('input', { name: 'totp-disable-code', autocomplete: 'one-time-code', placeholder: '123456 or a recovery code', 'aria-label': 'code' });
  return h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      await api('POST', '/auth/totp/disable', { code: code.value.trim() });
      renderAccount(root);
    });
  } }, h('p', { 'data-testid': 'totp-state' }, 'On: signing in asks for a code from your authenticator app.'), code, h('button', { type: 'submit' }, 'Turn off'));
}
