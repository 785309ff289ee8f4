/// <reference lib="dom" />
/**
 * A team's page (issue 19): its members and their roles, an invitation form (mailed), and the
 * audit log with filters (app, since). Which team: the header's switcher.
 */
import { api, session } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';

interface Member { email: string; role: string; since: string }
interface AuditRow { id: number; at: string; actor: string; app: string | null; action: string; target: string | null; sourceIp: string | null }

export function renderTeam(root: HTMLElement): void {
  const team = session.team();
  if (!team) {
    replace(root, h('div', { className: 'card' }, h('h1', {}, 'Team'), h('p', { className: 'muted' }, 'Choose a team in the switcher above.')));
    return;
  }
  const members = h('tbody');
  const audit = h('tbody');
  const card = h('div', { className: 'card' });
  const drawMembers = async () => {
    const list = await api<Member[]>('GET', `/teams/${encodeURIComponent(team)}/members`);
    replace(members, ...list.map((m) => h('tr', { 'data-member': m.email }, h('td', {}, m.email), h('td', {}, m.role))));
  };
  const app = h('input', { name: 'audit-app', placeholder: 'any app', 'aria-label': 'audit app' });
  const since = h('select', { name: 'audit-since', 'aria-label': 'audit since' }, ...['1d', '7d', '30d', '365d'].map((d) => h('option', { value: d }, `last ${d}`)));
  since.value = '7d';
  const drawAudit = async () => {
    const query = new URLSearchParams({ team, since: since.value, limit: '200', ...(app.value.trim() ? { app: app.value.trim() } : {}) });
    const rows = await api<AuditRow[]>('GET', `/audit?${query}`).catch(() => [] as AuditRow[]);
    replace(audit, ...rows.map((r) => h('tr', { 'data-audit': r.action },
      h('td', { className: 'muted' }, new Date(r.at).toLocaleString()), h('td', {}, r.actor), h('td', {}, r.app ?? '–'),
      h('td', {}, r.action), h('td', { className: 'mono' }, r.target ?? ''), h('td', { className: 'muted' }, r.sourceIp ?? ''))));
    if (rows.length === 0) replace(audit, h('tr', {}, h('td', { colspan: 6, className: 'muted' }, 'No changes recorded (the log is for admins and owners)')));
  };
  const email = h('input', { type: 'email', name: 'invite-email', placeholder: 'ada@example.com', 'aria-label': 'email to invite' });
  const role = h('select', { name: 'invite-role', 'aria-label': 'role' }, ...['developer', 'viewer', 'admin', 'owner'].map((r) => h('option', { value: r }, r)));
  const sent = h('div', { 'data-testid': 'invited' });
  const invite = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void attempt(card, async () => {
      const done = await api<{ email: string; role: string }>('POST', `/teams/${encodeURIComponent(team)}/invitations`, { email: email.value.trim(), role: role.value });
      replace(sent, h('p', {}, `Invitation mailed to ${done.email} (${done.role}).`));
      email.value = '';
      await drawAudit();
    });
  } }, email, role, h('button', { className: 'primary', type: 'submit' }, 'Invite'));
  const filters = h('form', { className: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    void drawAudit();
  } }, app, since, h('button', { type: 'submit' }, 'Filter'));
  replace(root, card);
  replace(card,
    h('h1', {}, `Team ${team}`),
    h('h2', {}, 'Members'), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Role'))), members), invite, sent,
    h('h2', {}, 'Audit log'), filters,
    h('table', {}, h('thead', {}, h('tr', {}, ...['When', 'Who', 'App', 'Action', 'Target', 'From'].map((t) => h('th', {}, t)))), audit));
  void attempt(card, drawMembers);
  void drawAudit();
}
