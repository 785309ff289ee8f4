/**
 * The mails Supabase Auth sends (confirm sign-up, magic link, password recovery, invite, email
 * change), as plain data from a pure template function. The platform's mail path sends them
 * (core/mail/platform.ts: DEVFLOW_SMTP_URL, or the embedded catcher); each names its project so
 * the catcher files it under the app.
 */
import type { OutgoingMail } from '../../core/mail/smtp.js';

export type { Mailer, OutgoingMail } from '../../core/mail/smtp.js';

export type AuthMailKind = 'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change';

/** An auth mail always names its project and has an HTML part. */
export type AuthMail = OutgoingMail & { to: string; html: string; project: string };

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

export function authMail(kind: AuthMailKind, fields: { from: string; to: string; project: string; link: string; otp: string }): AuthMail {
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
