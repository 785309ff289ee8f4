/**
 * The mails Supabase Auth sends (confirm sign-up, magic link, password recovery, invite, email
 * change), as plain data from a pure template function, and the Mailer that sends them over
 * SMTP (DEVFLOW_SMTP_URL, or the embedded catcher: mail-catcher.ts). Each mail names its project
 * in an `X-DevFlow-Project` header so the catcher can file it under the app.
 */
import nodemailer from 'nodemailer';

export type AuthMailKind = 'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  project: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

const SUBJECTS: Record<AuthMailKind, string> = {
  signup: 'Confirm your signup',
  magiclink: 'Your sign-in link',
  recovery: 'Reset your password',
  invite: 'You have been invited',
  email_change: 'Confirm your new email address',
};

const ACTIONS: Record<AuthMailKind, string> = {
  signup: 'Follow this link to confirm your account',
  magiclink: 'Follow this link to sign in',
  recovery: 'Follow this link to reset your password',
  invite: 'Follow this link to accept the invitation and create your account',
  email_change: 'Follow this link to confirm the change of your email address',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function authMail(kind: AuthMailKind, fields: { from: string; to: string; project: string; link: string; otp: string }): OutgoingMail {
  const action = ACTIONS[kind];
  return {
    from: fields.from,
    to: fields.to,
    project: fields.project,
    subject: SUBJECTS[kind],
    text: `${action}:\n\n${fields.link}\n\nOr enter this code: ${fields.otp}\n`,
    html: `<h2>${escapeHtml(SUBJECTS[kind])}</h2><p>${escapeHtml(action)}:</p>`
      + `<p><a href="${escapeHtml(fields.link)}">${escapeHtml(action)}</a></p><p>Or enter this code: ${escapeHtml(fields.otp)}</p>`,
  };
}

/** A Mailer over SMTP, e.g. `smtp://user:pass@mail.example.com:587` or the catcher's URL. */
export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({
        from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html,
        headers: { 'X-DevFlow-Project': mail.project },
      });
    },
  };
}
