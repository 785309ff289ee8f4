/**
 * Where alert notifications go (issue 18): `--notify` names a channel, and each channel turns a
 * notification into what it sends. Pure parts (parseChannel, renderNotification) are tested by
 * tables; delivery is one small driver per kind, chosen in `deliverNotification`.
 *
 * - webhook: POST of a JSON body (the notification's fields) to any http(s) URL;
 * - slack: POST of `{"text": …}`, the incoming-webhook body Slack defines and Mattermost,
 *   Rocket.Chat and Discord's `/slack` endpoints accept; chosen for hooks.slack.com, for URLs
 *   ending in `/slack`, or with a `slack+` prefix (`slack+https://chat.example.com/hooks/x`);
 * - email: `mailto:ops@example.com` (several separated by commas), by the platform's mail path
 *   (core/mail/platform.ts): SMTP at DEVFLOW_SMTP_URL, or the embedded mail catcher when none is
 *   set, so an alert reaches someone on a fresh install; filed there under the app.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { Mailer } from '../../core/mail/smtp.js';

export type Channel =
  | { kind: 'webhook'; url: string }
  | { kind: 'slack'; url: string }
  | { kind: 'email'; to: string[] };

export interface AlertNotification {
  app: string;
  ruleId: number;
  /** The rule as written, e.g. "5xx_rate > 5% for 5m". */
  rule: string;
  status: 'firing' | 'resolved';
  /** The reading that made the change, when the rule is on a metric. */
  value: number | null;
  at: Date;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

export function parseChannel(text: string): Channel {
  const value = text.trim();
  if (value.startsWith('mailto:')) {
    const to = decodeURIComponent(value.slice('mailto:'.length).split('?')[0]!).split(',').map((a) => a.trim()).filter(Boolean);
    const bad = to.find((a) => !EMAIL.test(a));
    if (to.length === 0 || bad !== undefined) throw new InvalidInputError(`"${value}" is not a mailto: address such as mailto:ops@example.com`);
    return { kind: 'email', to };
  }
  const slack = value.startsWith('slack+');
  const url = parseHttpUrl(slack ? value.slice('slack+'.length) : value);
  if (slack || url.hostname === 'hooks.slack.com' || url.pathname.endsWith('/slack')) return { kind: 'slack', url: url.toString() };
  return { kind: 'webhook', url: url.toString() };
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(`"${text}" is neither an http(s) URL nor a mailto: address`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError(`"${text}" must be an http(s) URL or a mailto: address`);
  return url;
}

/** Hides a webhook's secret path (Slack's token is in it) when a channel is listed. */
export function describeChannel(channel: Channel): string {
  if (channel.kind === 'email') return `mailto:${channel.to.join(',')}`;
  const url = new URL(channel.url);
  const prefix = channel.kind === 'slack' && url.hostname !== 'hooks.slack.com' && !url.pathname.endsWith('/slack') ? 'slack+' : '';
  return `${prefix}${url.protocol}//${url.host}${url.pathname.length > 1 ? '/…' : '/'}`;
}

export function headline(n: AlertNotification): string {
  const value = n.value === null ? '' : ` (now ${Math.round(n.value * 100) / 100})`;
  return `[${n.app}] ${n.status === 'firing' ? 'FIRING' : 'RESOLVED'}: ${n.rule}${n.status === 'firing' ? value : ''}`;
}

export type Rendered =
  | { kind: 'http'; url: string; body: unknown }
  | { kind: 'email'; to: string[]; subject: string; text: string };

export function renderNotification(channel: Channel, n: AlertNotification): Rendered {
  switch (channel.kind) {
    case 'webhook':
      return { kind: 'http', url: channel.url, body: { app: n.app, ruleId: n.ruleId, rule: n.rule, status: n.status, value: n.value, at: n.at.toISOString(), text: headline(n) } };
    case 'slack':
      return { kind: 'http', url: channel.url, body: { text: `${n.status === 'firing' ? ':rotating_light:' : ':white_check_mark:'} ${headline(n)}` } };
    case 'email':
      return { kind: 'email', to: channel.to, subject: headline(n), text: `${headline(n)}\n\nApp: ${n.app}\nRule: ${n.rule}\nStatus: ${n.status}\nAt: ${n.at.toISOString()}\n` };
    default:
      return assertNever(channel);
  }
}

export interface DeliveryOptions {
  /** The platform's mailer (core/mail/platform.ts), for email channels. */
  mail: Mailer;
  /** The From address of alert mails. */
  mailFrom: string;
  timeoutMs?: number;
}

/** Sends one notification; throws with a message saying why it was not delivered. */
export async function deliverNotification(channel: Channel, n: AlertNotification, options: DeliveryOptions): Promise<void> {
  const rendered = renderNotification(channel, n);
  if (rendered.kind === 'http') return postJson(rendered.url, rendered.body, options.timeoutMs ?? 10_000);
  await options.mail.send({ from: options.mailFrom, to: rendered.to, subject: rendered.subject, text: rendered.text, project: n.app });
}

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'DevFlow-Alerts' },
    body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${new URL(url).host} answered ${res.status}`);
}

function assertNever(channel: never): never {
  throw new Error(`unknown channel ${JSON.stringify(channel)}`);
}
