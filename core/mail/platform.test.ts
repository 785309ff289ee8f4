/**
 * The platform's mail path on the real PostgreSQL: with DEVFLOW_SMTP_URL a mail goes to that
 * server (a local smtp-server here), without it to the embedded catcher, read back from its
 * table; several roles share one catcher, which keeps serving until the last of them closes.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { listCaughtMail } from './catcher.js';
import { platformMailer } from './platform.js';

let db: TestDatabase;
const mail = (to: string, project?: string) => ({ from: 'DevFlow <no-reply@devflow.local>', to, subject: `to ${to}`, text: 'hello', project });

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('platformMailer', () => {
  it('sends to DEVFLOW_SMTP_URL when it is set, and starts no catcher', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        stream.on('data', () => {});
        stream.on('end', () => done());
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const mailer = platformMailer({ sql: db.sql, smtpUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}` });
    try {
      await mailer.send(mail('ops@example.com'));
    } finally {
      await mailer.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(received).toEqual(['ops@example.com']);
    const [table] = await db.sql<Array<{ name: string | null }>>`SELECT to_regclass('backend_caught_mail')::text AS name`;
    expect(table!.name).toBeNull();
  });

  it('catches the mails of several roles without an SMTP server, until the last one closes', async () => {
    const auth = platformMailer({ sql: db.sql, smtpUrl: undefined });
    const alerts = platformMailer({ sql: db.sql, smtpUrl: undefined });
    await auth.send(mail('ada@example.com', 'shop'));
    await alerts.send(mail('oncall@example.com', 'shop'));
    await auth.close();
    await alerts.send(mail('oncall@example.com'));
    await alerts.close();
    // A role that mails after all closed starts the catcher again.
    const later = platformMailer({ sql: db.sql, smtpUrl: undefined });
    await later.send(mail('bob@example.com', 'devflow'));
    await later.close();
    const caught = await listCaughtMail(db.sql);
    expect(caught.map((m) => [m.project, m.recipients.join(), m.subject]).reverse()).toEqual([
      ['shop', 'ada@example.com', 'to ada@example.com'],
      ['shop', 'oncall@example.com', 'to oncall@example.com'],
      ['', 'oncall@example.com', 'to oncall@example.com'],
      ['devflow', 'bob@example.com', 'to bob@example.com'],
    ]);
  });
});
