/**
 * Where account mails (invitations) go: DEVFLOW_SMTP_URL when set, else the embedded mail
 * catcher the app backend's Auth uses (backend/auth: its catcher keeps each mail in the store,
 * filed here under the project "devflow"). The backend's SMTP code is reused, not copied, and
 * loaded on the first mail, so a DevFlow that never invites pays nothing for it.
 */
import type { Sql } from '../core/store/database.js';
import type { InvitationMail } from './invitations.js';

export const MAIL_PROJECT = 'devflow';
const FROM = 'DevFlow <no-reply@devflow.local>';

export interface AccountMailer {
  send(mail: InvitationMail): Promise<void>;
  close(): Promise<void>;
}

export function accountMailer(options: { sql: Sql; smtpUrl: string | undefined }): AccountMailer {
  let ready: Promise<{ send(mail: InvitationMail): Promise<void>; close(): Promise<void> }> | undefined;
  const open = async () => {
    const auth = await import('../backend/auth/index.js');
    let url = options.smtpUrl;
    let close = async () => {};
    if (!url) {
      for (const statement of auth.caughtMailSql()) await options.sql.unsafe(statement);
      const catcher = await auth.startMailCatcher({ sql: options.sql });
      url = catcher.url;
      close = () => catcher.close();
    }
    const mailer = auth.smtpMailer(url);
    return {
      send: (mail: InvitationMail) => mailer.send({ from: FROM, to: mail.to, subject: mail.subject, text: mail.text, html: '', project: MAIL_PROJECT }),
      close,
    };
  };
  return {
    async send(mail) {
      ready ??= open();
      await (await ready).send(mail);
    },
    async close() {
      if (ready) await (await ready.catch(() => ({ close: async () => {} }))).close();
    },
  };
}
