/**
 * The embedded mail catcher: when no DEVFLOW_SMTP_URL is set, the platform's mails (the app
 * backend's Auth mails, team invitations, email alerts: platform.ts) go to a local SMTP server
 * that accepts everything and keeps each mail in a table, so `devflow` and the dashboard can show
 * a developer the confirmation link, the invitation or the alert instead of losing it. It listens
 * on loopback only and never relays. The table lives wherever the caller points `sql` (the
 * control-plane store): one catcher serves every project, and mails are filed by their
 * `X-DevFlow-Project` header. The table keeps the name it had when only the backend's Auth used it
 * (`backend_caught_mail`), so mails caught before stay readable.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Sql } from '../store/database.js';

const MAX_MAIL_BYTES = 1024 * 1024;

/** Idempotent; run on the database the catcher stores into. */
export function caughtMailSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS backend_caught_mail (
      id bigserial PRIMARY KEY,
      project text NOT NULL DEFAULT '',
      sender text NOT NULL,
      recipients text[] NOT NULL,
      subject text NOT NULL DEFAULT '',
      text_body text NOT NULL DEFAULT '',
      html_body text NOT NULL DEFAULT '',
      received_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX IF NOT EXISTS backend_caught_mail_project_idx ON backend_caught_mail (project, id DESC)`,
  ];
}

export interface CaughtMail {
  id: number;
  project: string;
  sender: string;
  recipients: string[];
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export interface MailCatcher {
  /** The SMTP URL to hand to smtpMailer (smtp.ts). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMailCatcher(options: { sql: Sql; port?: number; host?: string }): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MAIL_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      simpleParser(stream)
        .then((parsed) => options.sql`
          INSERT INTO backend_caught_mail (project, sender, recipients, subject, text_body, html_body)
          VALUES (${String(parsed.headers.get('x-devflow-project') ?? '')}, ${sender}, ${recipients},
            ${parsed.subject ?? ''}, ${parsed.text ?? ''}, ${typeof parsed.html === 'string' ? parsed.html : ''})`)
        .then(() => callback(), (error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function listCaughtMail(sql: Sql, filter: { project?: string; to?: string; limit?: number } = {}): Promise<CaughtMail[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const rows = await sql<{ id: string; project: string; sender: string; recipients: string[]; subject: string;
    text_body: string; html_body: string; received_at: Date }[]>`
    SELECT * FROM backend_caught_mail
    WHERE (${filter.project ?? null}::text IS NULL OR project = ${filter.project ?? null})
      AND (${filter.to?.toLowerCase() ?? null}::text IS NULL OR ${filter.to?.toLowerCase() ?? null} = ANY(recipients))
    ORDER BY id DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    id: Number(r.id), project: r.project, sender: r.sender, recipients: r.recipients, subject: r.subject,
    text: r.text_body, html: r.html_body, receivedAt: r.received_at.toISOString(),
  }));
}
