/// <reference lib="dom" />
/**
 * Alert rules (issue 18, GET|POST /apps/{app}/alerts, DELETE /apps/{app}/alerts/{id}): the
 * rules with their state, a form to add one in the CLI's words (`5xx_rate > 5% for 5m`, a
 * webhook URL or mailto:), a remove button each, and the notifications sent. Refreshed every
 * 10 seconds.
 */
import { api } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, every, type Panel } from './panel.js';

interface Rule { id: number; if: string; notify: string; status: string; since: string | null; lastValue: number | null }
interface Sent { ruleId: number; status: string; value: number | null; at: string; deliveredAt: string | null; attempts: number; lastError: string | null }

export function alertsPanel(root: HTMLElement, app: string): Panel {
  const rules = h('tbody');
  const history = h('tbody');
  const card = h('div', { className: 'card' });
  const condition = h('input', { name: 'alert-if', placeholder: '5xx_rate > 5% for 5m', 'aria-label': 'condition', style: 'width:240px' });
  const notify = h('input', { name: 'alert-notify', placeholder: 'https://hooks.slack.com/… or mailto:ops@example.com', 'aria-label': 'notify', style: 'flex:1;min-width:260px' });
  const form = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      await api('POST', `/apps/${app}/alerts`, { if: condition.value.trim(), notify: notify.value.trim() });
      condition.value = '';
      notify.value = '';
      await draw();
    });
  } }, condition, notify, h('button', { className: 'primary', type: 'submit', name: 'alert-add' }, 'Add alert'));
  const draw = async () => {
    const view = await api<{ rules: Rule[]; history: Sent[] }>('GET', `/apps/${app}/alerts`);
    replace(rules, ...view.rules.map((r) => h('tr', { 'data-alert': r.id },
      h('td', { className: 'mono' }, r.if), h('td', { className: 'mono' }, r.notify),
      h('td', {}, badge(r.status), r.since ? h('span', { className: 'muted' }, ` since ${ago(r.since)}`) : null),
      h('td', {}, h('button', { 'data-remove-alert': r.id, onclick: () => void attempt(card, async () => {
        await api('DELETE', `/apps/${app}/alerts/${r.id}`);
        await draw();
      }) }, 'Remove')))));
    if (view.rules.length === 0) replace(rules, h('tr', {}, h('td', { colspan: 4, className: 'muted' }, 'No alert rules.')));
    replace(history, ...view.history.map((n) => h('tr', { 'data-notification': n.ruleId },
      h('td', { className: 'muted', title: n.at }, ago(n.at)), h('td', {}, `#${n.ruleId}`), h('td', {}, badge(n.status)),
      h('td', {}, n.deliveredAt ? 'delivered' : n.lastError ? `not delivered (${n.attempts}×): ${n.lastError}` : 'pending'))));
    if (view.history.length === 0) replace(history, h('tr', {}, h('td', { colspan: 4, className: 'muted' }, 'Nothing sent yet.')));
  };
  replace(root, card);
  replace(card, h('h2', {}, 'Alerts'),
    h('table', {}, h('thead', {}, h('tr', {}, ...['Condition', 'Notify', 'State', ''].map((t) => h('th', {}, t)))), rules), form,
    h('h2', { style: 'margin-top:20px' }, 'Notifications'),
    h('table', {}, h('thead', {}, h('tr', {}, ...['When', 'Rule', 'Status', 'Delivery'].map((t) => h('th', {}, t)))), history));
  return { dispose: every(10_000, () => attempt(card, draw)) };
}
