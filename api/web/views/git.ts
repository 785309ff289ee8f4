/// <reference lib="dom" />
/**
 * The app's connected repository (issue 22): the connection (token masked, the deploy key's
 * public half), the webhook URL with its secret revealed only on a click, and the last
 * deliveries with their result, as a repository host lists them.
 */
import { ApiError, api } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface Delivery { deliveryId: string; event: string; ref: string | null; sha: string | null; result: string; detail: string; receivedAt: string }
interface GitInfo {
  url: string; branch: string; baseDir: string | null; provider: string | null; token: string | null; deployKey: string | null;
  webhookUrl: string; deliveries: Delivery[];
}

export function gitPanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const draw = () => attempt(card, async () => {
    let info: GitInfo;
    try {
      info = await api<GitInfo>('GET', `/apps/${app}/git`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        replace(card, h('h2', {}, 'Git'), h('p', { className: 'muted' }, 'Not connected to a repository. Connect one with ',
          h('code', {}, `devflow git:connect ${app} https://github.com/owner/repo.git`), '.'));
        return;
      }
      throw err;
    }
    replace(card, h('h2', {}, 'Git'), connection(info), webhook(app, info.webhookUrl), deliveries(info.deliveries));
  });
  replace(root, card);
  void draw();
  return { onEvent: (e) => { if (e.type === 'deployment.state') void draw(); } };
}

function connection(info: GitInfo): HTMLElement {
  const row = (label: string, value: Node | string) => h('tr', {}, h('th', {}, label), h('td', {}, value));
  return h('table', { className: 'git-connection' }, h('tbody', {},
    row('Repository', h('span', { className: 'mono' }, info.url)),
    row('Branch', `${info.branch}${info.baseDir ? ` · base dir ${info.baseDir}/` : ''}`),
    row('Host', info.provider ?? 'not known yet (the first webhook tells)'),
    row('Access token', info.token ?? 'none'),
    row('Deploy key', info.deployKey ? h('code', { className: 'mono', 'data-deploy-key': '' }, info.deployKey) : 'none')));
}

/** The secret is fetched only when asked for, so it is not on screen (or in the page) by default. */
function webhook(app: string, url: string): HTMLElement {
  const secret = h('span', { className: 'mono', 'data-webhook-secret': '' }, '••••••••');
  const reveal = h('button', { onclick: () => void attempt(box, async () => {
    secret.textContent = (await api<{ secret: string }>('GET', `/apps/${app}/git/webhook`)).secret;
    reveal.remove();
  }) }, 'Reveal secret');
  const box = h('div', {}, h('p', {}, 'Webhook URL: ', h('span', { className: 'mono', 'data-webhook-url': '' }, url)),
    h('p', {}, 'Secret: ', secret, ' ', reveal),
    h('p', { className: 'muted' }, 'Set both on the repository: push and pull-request events, content type application/json (GitLab: the secret is the token).'));
  return box;
}

function deliveries(list: Delivery[]): HTMLElement {
  if (list.length === 0) return h('p', { className: 'muted' }, 'No deliveries yet.');
  return h('table', {}, h('thead', {}, h('tr', {}, ...['Received', 'Event', 'Commit', 'Result', ''].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...list.map((d) => h('tr', { 'data-delivery': d.deliveryId },
      h('td', { title: d.receivedAt }, ago(d.receivedAt)), h('td', {}, d.event, d.ref ? ` ${d.ref.replace(/^refs\/(heads|tags)\//, '')}` : ''),
      h('td', { className: 'mono' }, (d.sha ?? '').slice(0, 7)), h('td', {}, badge(d.result)), h('td', { className: 'muted' }, d.detail)))));
}
