/// <reference lib="dom" />
/**
 * The Backend tab's caught mail (issue 16): the app's Auth mails (confirmations, magic links,
 * recoveries) that the embedded catcher kept because no DEVFLOW_SMTP_URL is set, newest first,
 * each opening to its text with the link and code, so a developer signs up without a mail server.
 */
import { api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';

interface CaughtMailList {
  delivery: 'catcher' | 'smtp';
  mails: Array<{ id: number; recipients: string[]; subject: string; text: string; receivedAt: string }>;
}

export function mailSection(app: string): HTMLElement {
  const section = h('section', { 'data-testid': 'backend-mail' });
  const draw = async (): Promise<void> => {
    const list = await api<CaughtMailList>('GET', `/apps/${app}/backend/mail?limit=20`);
    const refresh = h('button', { onclick: () => void attempt(section, draw) }, 'Refresh');
    if (list.delivery === 'smtp') {
      replace(section, h('h3', {}, 'Mail'), h('p', { className: 'muted' }, 'Auth mails go to DEVFLOW_SMTP_URL; DevFlow keeps none of them.'));
      return;
    }
    replace(section, h('h3', {}, `Caught mail (${list.mails.length})`), refresh,
      list.mails.length === 0
        ? h('p', { className: 'muted' }, 'No mails yet: confirmation, magic-link and recovery mails land here while no DEVFLOW_SMTP_URL is set.')
        : h('div', {}, ...list.mails.map((m) => h('details', { 'data-mail': m.recipients.join(',') },
          h('summary', {}, `${m.receivedAt.slice(0, 19).replace('T', ' ')} · ${m.recipients.join(', ')} · ${m.subject}`),
          h('pre', { className: 'mono', style: 'white-space:pre-wrap' }, m.text)))));
  };
  void attempt(section, draw);
  return section;
}
