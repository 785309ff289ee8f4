/// <reference lib="dom" />
/**
 * The studio's Realtime tab (issue 17): the app backend's live channels (topics clients joined
 * over /realtime/v1/websocket) and how many subscribers each has now, from DevFlow's API
 * (GET /apps/{app}/realtime/channels, backend/realtime/hub.ts). It redraws every few seconds
 * while open, since channels come and go with the app's users.
 */
import { ApiError, api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

const REFRESH_MS = 3000;

export function realtimePanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const draw = () => attempt(card, async () => {
    let channels: Array<{ topic: string; subscribers: number }>;
    try {
      channels = await api('GET', `/apps/${app}/realtime/channels`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      replace(card, h('h2', {}, 'Realtime'), h('p', { className: 'muted' }, 'Enable the backend (Backend tab) for live channels.'));
      return;
    }
    replace(card, h('h2', {}, 'Realtime'),
      h('p', { className: 'muted' }, 'Channels clients have joined now (broadcast, presence, postgres_changes), with their subscribers. Updated every few seconds.'),
      channels.length === 0
        ? h('p', { className: 'muted', 'data-testid': 'no-channels' }, 'No live channels: none of the app\'s clients is subscribed.')
        : h('table', { 'data-testid': 'channels' }, h('thead', {}, h('tr', {}, h('th', {}, 'Channel'), h('th', {}, 'Subscribers'))),
          h('tbody', {}, ...channels.map((c) => h('tr', { 'data-channel': c.topic }, h('td', { className: 'mono' }, c.topic), h('td', { 'data-testid': 'subscribers' }, String(c.subscribers)))))));
  });
  replace(root, card);
  void draw();
  const timer = setInterval(() => void draw(), REFRESH_MS);
  return { dispose: () => clearInterval(timer) };
}
