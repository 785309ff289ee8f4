/// <reference lib="dom" />
/** Config vars: values hidden until revealed; set and unset (each change is a new release). */
import { api, type LiveEvent } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, notifyChanged, type Panel } from './panel.js';

const MASK = '••••••••';

export function configPanel(root: HTMLElement, app: string): Panel {
  const body = h('tbody');
  const card = h('div', { className: 'card' });
  const draw = async () => {
    const { vars } = await api<{ vars: Record<string, string> }>('GET', `/apps/${app}/config`);
    replace(body, ...Object.entries(vars).map(([key, value]) => {
      const shown = h('span', { className: 'mono', 'data-value': key }, MASK);
      const reveal = h('button', { onclick: () => {
        const hidden = shown.textContent === MASK;
        shown.textContent = hidden ? value : MASK;
        reveal.textContent = hidden ? 'Hide' : 'Reveal';
      } }, 'Reveal');
      const unset = h('button', { onclick: () => void attempt(card, async () => {
        await api('PATCH', `/apps/${app}/config`, { [key]: null });
        await draw();
      }) }, 'Unset');
      return h('tr', { 'data-var': key }, h('td', { className: 'mono' }, key), h('td', {}, shown), h('td', {}, reveal, ' ', unset));
    }));
    if (Object.keys(vars).length === 0) replace(body, h('tr', {}, h('td', { colspan: 3, className: 'muted' }, 'No config vars.')));
  };
  const key = h('input', { name: 'key', placeholder: 'KEY', 'aria-label': 'config key' });
  const value = h('input', { name: 'value', placeholder: 'value', 'aria-label': 'config value', type: 'password' });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      await api('PATCH', `/apps/${app}/config`, { [key.value.trim()]: value.value });
      key.value = '';
      value.value = '';
      await draw();
      notifyChanged();
    });
  } }, key, value, h('button', { className: 'primary', type: 'submit' }, 'Set'));
  replace(root, card);
  replace(card, h('h2', {}, 'Config vars'), h('table', {}, h('thead', {}, h('tr', {}, ...['Key', 'Value', ''].map((t) => h('th', {}, t)))), body), form);
  void attempt(card, draw);
  return { onEvent: (e: LiveEvent) => void (e.type === 'app.changed' ? draw() : undefined) };
}
