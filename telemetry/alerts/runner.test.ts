/**
 * The alert loop against real receivers: a local HTTP server stands in for a webhook and a
 * Slack-compatible endpoint, and a local SMTP server (smtp-server) receives the mails; with no
 * DEVFLOW_SMTP_URL the mails go to the platform's embedded catcher and are read back from its
 * table. Readings and the clock are injected; the state and the outbox are in the real PostgreSQL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { listCaughtMail } from '../../core/mail/catcher.js';
import { platformMailer } from '../../core/mail/platform.js';
import { createApp } from '../../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { parseChannel } from './channels.js';
import type { Reading } from './evaluate.js';
import { AlertRunner, MAX_ATTEMPTS } from './runner.js';
import { addAlertRule, alertHistory, listAlertRules } from './store.js';

let db: TestDatabase;
let appId: number;
let web: http.Server;
let smtp: SMTPServer;
let webUrl: string;
let smtpUrl: string;
const posts: Array<{ path: string; body: Record<string, unknown> }> = [];
const mails: string[] = [];
let failWebhook = false;

beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('alerty'))).id;
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failWebhook) return void res.writeHead(503).end();
      posts.push({ path: req.url!, body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      let raw = '';
      stream.on('data', (c) => (raw += c));
      stream.on('end', () => { mails.push(raw); done(); });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  web?.closeAllConnections();
  await new Promise((r) => web?.close(r));
  await new Promise<void>((r) => smtp?.close(() => r()));
  await db?.drop();
});

const minute = (n: number) => new Date(Date.UTC(2026, 11, 5, 12, n));

describe('AlertRunner', () => {
  it('sends firing and resolved once each, to a webhook, a Slack-compatible hook and by email', async () => {
    await addAlertRule(db.sql, appId, '5xx_rate > 5% for 2m', parseChannel(`${webUrl}/hook`));
    await addAlertRule(db.sql, appId, '5xx_rate > 5% for 2m', parseChannel(`slack+${webUrl}/chat`));
    await addAlertRule(db.sql, appId, '5xx_rate > 5% for 2m', parseChannel('mailto:ops@example.com'));
    let value: number | undefined = 1;
    const runner = new AlertRunner({
      sql: db.sql, log: () => {}, delivery: { mail: platformMailer({ sql: db.sql, smtpUrl }), mailFrom: 'DevFlow alerts <alerts@localhost>' },
      readings: { read: async (): Promise<Reading> => ({ kind: 'metric', value }) },
    });
    const sentAt: number[] = [];
    for (const [m, v] of [[0, 1], [1, 9], [2, 9], [3, 12], [4, 12], [5, 2], [6, 1]] as const) {
      value = v;
      sentAt.push(await runner.pass(minute(m)));
    }
    expect(sentAt).toEqual([0, 0, 0, 3, 0, 3, 0]);
    expect(posts.map((p) => [p.path, p.body.status ?? p.body.text])).toEqual([
      ['/hook', 'firing'],
      ['/chat', ':rotating_light: [alerty] FIRING: 5xx_rate > 5% for 2m (now 12)'],
      ['/hook', 'resolved'],
      ['/chat', ':white_check_mark: [alerty] RESOLVED: 5xx_rate > 5% for 2m'],
    ]);
    expect(posts[0]!.body).toMatchObject({ app: 'alerty', rule: '5xx_rate > 5% for 2m', value: 12, at: minute(3).toISOString() });
    expect(mails).toHaveLength(2);
    expect(mails[0]).toMatch(/^Subject: \[alerty\] FIRING: 5xx_rate > 5% for 2m \(now 12\)/m);
    expect(mails[0]).toMatch(/^To: ops@example.com/m);
    expect(mails[1]).toMatch(/^Subject: \[alerty\] RESOLVED: 5xx_rate > 5% for 2m/m);
    expect((await listAlertRules(db.sql, { appId })).map((r) => r.state.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('keeps an undelivered notification and sends it when the receiver is back, then gives up after the last attempt', async () => {
    await db.sql`DELETE FROM alert_rules`;
    posts.length = 0;
    const rule = await addAlertRule(db.sql, appId, 'crash_loop', parseChannel(`${webUrl}/ops`));
    let active = true;
    const runner = new AlertRunner({
      // Port 1: no SMTP server answers there.
      sql: db.sql, log: () => {}, delivery: { mail: platformMailer({ sql: db.sql, smtpUrl: 'smtp://127.0.0.1:1' }), mailFrom: 'a@b.c' },
      readings: { read: async (): Promise<Reading> => ({ kind: 'event', active }) },
    });
    failWebhook = true;
    expect(await runner.pass(minute(10))).toBe(0);
    expect((await alertHistory(db.sql, appId))[0]).toMatchObject({ ruleId: rule.id, status: 'firing', deliveredAt: null, attempts: 1, lastError: expect.stringContaining('answered 503') });
    failWebhook = false;
    active = false;
    // The firing goes first; the resolved waits for the next pass, so they arrive in order.
    expect(await runner.pass(minute(11))).toBe(1);
    expect(await runner.pass(minute(12))).toBe(1);
    expect(posts.map((p) => p.body.status)).toEqual(['firing', 'resolved']);
    // An email rule whose SMTP server does not answer: tried MAX_ATTEMPTS times, its error kept.
    await addAlertRule(db.sql, appId, 'deploy_failed', parseChannel('mailto:ops@example.com'));
    active = true;
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) await runner.pass(minute(20 + i));
    const mailNote = (await alertHistory(db.sql, appId)).find((h) => h.lastError?.includes('ECONNREFUSED'));
    expect(mailNote).toMatchObject({ attempts: MAX_ATTEMPTS, deliveredAt: null });
  });

  it('mails an alert to the embedded catcher when no DEVFLOW_SMTP_URL is set, filed under the app', async () => {
    await db.sql`DELETE FROM alert_rules`;
    await addAlertRule(db.sql, appId, 'crash_loop', parseChannel('mailto:oncall@example.com'));
    const mail = platformMailer({ sql: db.sql, smtpUrl: undefined });
    let active = true;
    const runner = new AlertRunner({
      sql: db.sql, log: () => {}, delivery: { mail, mailFrom: 'DevFlow alerts <alerts@localhost>' },
      readings: { read: async (): Promise<Reading> => ({ kind: 'event', active }) },
    });
    try {
      expect(await runner.pass(minute(40))).toBe(1);
      active = false;
      expect(await runner.pass(minute(41))).toBe(1);
    } finally {
      await mail.close();
    }
    const caught = await listCaughtMail(db.sql, { to: 'oncall@example.com' });
    expect(caught.map((m) => [m.project, m.sender, m.recipients, m.subject])).toEqual([
      ['alerty', 'alerts@localhost', ['oncall@example.com'], '[alerty] RESOLVED: crash_loop'],
      ['alerty', 'alerts@localhost', ['oncall@example.com'], '[alerty] FIRING: crash_loop'],
    ]);
    expect(caught[1]!.text).toContain('Status: firing');
    expect((await alertHistory(db.sql, appId)).every((n) => n.deliveredAt !== null)).toBe(true);
  });
});
