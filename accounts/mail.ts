/**
 * Where account mails (invitations) go: the platform's mail path (core/mail/platform.ts), to
 * DEVFLOW_SMTP_URL when set, else the embedded mail catcher, filed there under the project
 * "devflow". Nothing is loaded before the first mail, so a DevFlow that never invites pays
 * nothing for it.
 */
import { platformMailer } from '../core/mail/platform.js';
import type { Sql } from '../core/store/database.js';
import type { InvitationMail } from './invitations.js';

export const MAIL_PROJECT = 'devflow';
const FROM = 'DevFlow <no-reply@devflow.local>';

export interface AccountMailer {
  send(mail: InvitationMail): Promise<void>;
  close(): Promise<void>;
}

export function accountMailer(options: { sql: Sql; smtpUrl: string | undefined }): AccountMailer {
  const mailer = platformMailer(options);
  return {
    send: (mail) => mailer.send({ from: FROM, to: mail.to, subject: mail.subject, text: mail.text, project: MAIL_PROJECT }),
    close: () => mailer.close(),
  };
}
